"""Cases, tiers and sanctions (SUP-03…06; DESIGN.md "Supervision case").

`case_open` is the one way a case comes into being — from staff, a complaint, an inspection, a recorded batch
violation or the daily sweep's detections (which open it `proposed`, for staff to confirm or dismiss).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError

from .models import Case, region_in_jurisdiction
from .references import next_reference


def case_open(*, institution, region, origin: str, summary: str, acting_user=None, filing=None,
              proposed: bool = False, proposed_tier: str = "", detection: str = "", detection_key: str | None = None,
              inspection=None, batch=None, batch_violation=None, escalated_from=None) -> Case | None:
    """Open a case (state `open`), or propose one (state `proposed`) when the sweep detected it.

    With a `detection_key` the call is idempotent: a second call with the same key returns None and changes
    nothing (the sweep can run any number of times). `acting_user` None means the system.
    """
    if acting_user is not None and not region_in_jurisdiction(region, acting_user):
        raise PermissionDeniedError(_("The institution is outside your jurisdiction."), rule="JUR-03")
    if not (summary or "").strip():
        raise DomainError(_("Say what the case is about."), rule="SUP-06", code="reason_required")
    if detection_key and Case.objects.filter(detection_key=detection_key).exists():
        return None
    state = Case.State.PROPOSED if proposed else Case.State.OPEN
    for _attempt in range(3):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=next_reference(Case, "AJ"), state=state, institution=institution, filing=filing,
                    region=region, origin=origin, summary=summary.strip(), opened_on=clock.today(),
                    opened_by=acting_user, proposed_tier=proposed_tier, detection=detection,
                    detection_key=detection_key, inspection=inspection, batch=batch,
                    batch_violation=batch_violation, escalated_from=escalated_from)
                audit_record(actor=acting_user, action="case.open", obj=case, to_state=state,
                             comment=summary.strip()[:200],
                             data={"origin": origin, "detection": detection, "proposed_tier": proposed_tier})
                return case
        except IntegrityError:
            if detection_key and Case.objects.filter(detection_key=detection_key).exists():
                return None
            continue  # a concurrent writer took the reference: try the next one
    raise DomainError(_("Could not number the case; try again."), rule="SUP-06", code="busy")
