"""督导抽查: office supervisors' spot checks of a batch's key steps (ASM-04)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError

from .models import AssessmentBatch, SpotCheck, batch_in_jurisdiction

# A step can be checked once the plan is approved and until the batch is closed.
CHECKABLE_STATES = (AssessmentBatch.State.SCHEDULED, AssessmentBatch.State.CONDUCTED,
                    AssessmentBatch.State.RESULTS_PUBLISHED, AssessmentBatch.State.RESULTS_REPORTED,
                    AssessmentBatch.State.CERTIFICATES_ISSUED)


@transaction.atomic(durable=True)
def spot_check_record(*, batch: AssessmentBatch, acting_user, checked_on: dt.date, step: str, findings: str,
                      compliant: bool) -> SpotCheck:
    """Record one spot check by staff of the office the plan is filed with, or its province (ASM-04, JUR-03)."""
    if getattr(acting_user, "role", None) not in ("city_staff", "province_staff") \
            or not batch_in_jurisdiction(batch, acting_user):
        raise PermissionDeniedError(_("Only the office the plan is filed with, or its province, spot-checks it."),
                                    rule="JUR-03")
    if batch.state not in CHECKABLE_STATES:
        raise DomainError(_("Spot checks are recorded for approved batches."), rule="ASM-04", code="invalid_state")
    if checked_on > clock.today():
        raise DomainError(_("The check date cannot be in the future."), rule="ASM-04", code="invalid_date")
    if not step.strip() or not findings.strip():
        raise DomainError(_("Name the step checked and what was found."), rule="ASM-04", code="incomplete")
    check = SpotCheck.objects.create(batch=batch, checked_by=acting_user, checked_on=checked_on,
                                     step=step.strip(), findings=findings.strip(), compliant=compliant)
    audit_record(actor=acting_user, action="assessmentbatch.spot_check", obj=batch, comment=findings.strip()[:200],
                 data={"step": step.strip(), "checked_on": checked_on.isoformat(), "compliant": compliant,
                       "spot_check": check.pk})
    return check
