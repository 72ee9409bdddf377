"""督导抽查: office supervisors' spot checks of a batch's key steps (ASM-04)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError

from .models import AssessmentBatch, BatchViolation, Candidate, SpotCheck, batch_in_jurisdiction

#: ASM-08 (FJ23 Art.23(3)): lax eligibility checking is a violation when more than this share of a batch's
#: assessed candidates turn out ineligible.
LAX_ELIGIBILITY_SHARE = Decimal("0.05")

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


def _office_may_check(batch: AssessmentBatch, acting_user) -> None:
    if getattr(acting_user, "role", None) not in ("city_staff", "province_staff") \
            or not batch_in_jurisdiction(batch, acting_user):
        raise PermissionDeniedError(_("Only the office the plan is filed with, or its province, spot-checks it."),
                                    rule="JUR-03")
    if batch.state not in CHECKABLE_STATES:
        raise DomainError(_("Spot checks are recorded for approved batches."), rule="ASM-04", code="invalid_state")


def eligibility_figures(batch: AssessmentBatch) -> tuple[int, int]:
    """(found ineligible, assessed) for ASM-08. Assessed = candidates with a result; before results exist,
    every candidate of the batch (they are the ones to be assessed)."""
    candidates = Candidate.objects.filter(batch=batch)
    assessed = candidates.filter(result__in=("pass", "fail"))
    base = assessed if assessed.exists() else candidates
    return base.filter(found_ineligible=True).count(), base.count()


@transaction.atomic(durable=True)
def candidate_found_ineligible(*, candidate: Candidate, note: str, acting_user) -> BatchViolation | None:
    """ASM-08: the office finds on a spot check that a candidate was not eligible. When more than 5% of the
    batch's assessed candidates are found ineligible, an ASM-08 violation is recorded on the batch (once) for the
    supervision app; returns it (or None while the share is within 5%)."""
    batch = AssessmentBatch.objects.select_for_update(of=("self",)).get(pk=candidate.batch_id)
    _office_may_check(batch, acting_user)
    if not note.strip():
        raise DomainError(_("Say why the candidate is not eligible."), rule="ASM-08", code="reason_required")
    Candidate.objects.filter(pk=candidate.pk).update(found_ineligible=True, found_ineligible_note=note.strip())
    audit_record(actor=acting_user, action="assessmentbatch.candidate_found_ineligible", obj=batch,
                 comment=note.strip()[:200], data={"candidate": candidate.pk})
    return _lax_eligibility_check(batch, acting_user)


def _lax_eligibility_check(batch: AssessmentBatch, acting_user) -> BatchViolation | None:
    ineligible, assessed = eligibility_figures(batch)
    existing = BatchViolation.objects.filter(batch=batch, rule="ASM-08").first()
    if existing is not None or not assessed or Decimal(ineligible) / Decimal(assessed) <= LAX_ELIGIBILITY_SHARE:
        return existing
    violation = BatchViolation.objects.create(
        batch=batch, rule="ASM-08", recorded_on=clock.today(), recorded_by=acting_user,
        ineligible_count=ineligible, assessed_count=assessed,
        detail=_("%(n)d of %(total)d assessed candidates were not eligible (more than 5%%): lax eligibility "
                 "checking (FJ23 Art.21(8), 23(3)).") % {"n": ineligible, "total": assessed})
    audit_record(actor=acting_user, action="assessmentbatch.violation", obj=batch, comment=violation.detail,
                 data={"rule": "ASM-08", "ineligible": ineligible, "assessed": assessed, "violation": violation.pk})
    return violation
