"""Clean-record validity periods and the supervision incentive (INC-01, INC-02; FJ23 Art.25).

A validity period with no Art.21–23 finding (no case decided tier 1, 2 or 3 within it) is a clean record
(INC-01). A social organisation whose FIRST period is clean moves from external supervision of every exam to
random supervision from its second period (INC-02); a period that is not clean puts any filing back to
supervision of every exam. Batch approval copies `Filing.supervision_mode` (ASM-04).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from institutions.models import Filing, Institution

from .models import Case, Tier, ValidityPeriod

FINDING_TIERS = (Tier.TIER1, Tier.TIER2, Tier.TIER3)  # FJ23 Art.21, 22, 23
EVERY_EXAM, RANDOM = "every_exam", "random"


def period_findings(filing: Filing, period_start: dt.date, period_end: dt.date):
    """INC-01: the cases with an Art.21–23 finding decided within the period (the filing's, or the
    institution's when a case names no filing)."""
    return Case.objects.filter(tier__in=FINDING_TIERS, decided_on__gte=period_start,
                               decided_on__lte=period_end).filter(
        Q(filing=filing) | Q(filing__isnull=True, institution_id=filing.institution_id))


@transaction.atomic
def validity_period_close(filing: Filing, period_start: dt.date, period_end: dt.date,
                          acting_user=None) -> ValidityPeriod:
    """Create or update the ValidityPeriod row of [period_start, period_end] with its clean-record flag (INC-01),
    and set the filing's supervision mode for the next period (INC-02). Idempotent: the same period twice
    updates its row."""
    findings = period_findings(filing, period_start, period_end).count()
    clean = findings == 0
    period = ValidityPeriod.objects.select_for_update().filter(filing=filing, ends_on=period_end).first()
    if period is None:
        last = ValidityPeriod.objects.filter(filing=filing).aggregate(n=Max("index"))["n"] or 0
        period = ValidityPeriod(filing=filing, index=last + 1)
    period.starts_on, period.ends_on = period_start, period_end
    period.clean, period.findings, period.assessed_on = clean, findings, clock.today()
    period.save()
    audit_record(actor=acting_user, action="validityperiod.close", obj=filing,
                 data={"period": period.index, "from": period_start, "until": period_end, "clean": clean,
                       "findings": findings})
    mode = _next_supervision_mode(filing, period)
    current = Filing.objects.filter(pk=filing.pk).values_list("supervision_mode", flat=True).get()
    if mode and mode != current:
        Filing.objects.filter(pk=filing.pk).update(supervision_mode=mode)
        filing.supervision_mode = mode
        audit_record(actor=acting_user, action="filing.supervision_mode", obj=filing, from_state=current,
                     to_state=mode, comment="INC-02",
                     data={"period": period.index, "clean": clean, "findings": findings})
    return period


def _next_supervision_mode(filing: Filing, period: ValidityPeriod) -> str | None:
    if not period.clean:
        return EVERY_EXAM
    if period.index == 1 and filing.institution.kind == Institution.Kind.SOCIAL:
        return RANDOM  # INC-02: a clean first period of a social organisation
    return None  # a later clean period keeps the mode it has


def clean_record(filing: Filing) -> list[ValidityPeriod]:
    """The filing's assessed periods, first first (the flag shown on the evaluation page and the file)."""
    return list(ValidityPeriod.objects.filter(filing=filing).order_by("index"))
