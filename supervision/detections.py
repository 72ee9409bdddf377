"""What the daily sweep detects and proposes as cases for staff to confirm or dismiss (FJ23 Art.22(4), 23(7),
22(6)/23(1), 21(8); SUP-03…06).

Each detection opens a `proposed` case through `case_open` with a `detection_key`, so running the sweep again
(or late) proposes nothing twice; a key names the period it is about, so a new batch re-arms the detection.
Queries are bounded: one annotated query finds the inactive filings, one finds the keys already proposed.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import CharField, DateField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record

from .activity import last_exam_subquery
from .cases import case_open, cases_propose_many
from .models import Case, Tier


def filings_with_last_activity(as_of: dt.date, states):
    """Filings in `states` annotated with `last_activity`: the last exam date of a conducted batch up to
    `as_of`, or the filing's start of validity when it has none (one query).

    The stored `last_batch_exam_on` (supervision/activity.py) answers for every filing whose latest exam is
    not after `as_of`; only a sweep run for a past day over a filing examined since reads its batches.
    """
    from institutions.models import Filing

    last_exam = DbCase(When(last_batch_exam_on__isnull=True, then=Value(None, output_field=DateField())),
                       When(last_batch_exam_on__lte=as_of, then=F("last_batch_exam_on")),
                       default=last_exam_subquery(up_to=as_of), output_field=DateField())
    return (Filing.objects.filter(state__in=states)
            .annotate(last_exam=last_exam, last_activity=Coalesce(last_exam, "valid_from")))


def _detection_key(kind: str):
    """The SQL of `f"{kind}:{filing.pk}:{last_activity}"` (ISO date), to skip what was proposed already."""
    return Concat(Value(f"{kind}:"), Cast("pk", CharField()), Value(":"), Cast("last_activity", CharField()),
                  output_field=CharField())


def _existing_keys(keys) -> set[str]:
    return set(Case.objects.filter(detection_key__in=list(keys)).values_list("detection_key", flat=True))


def _idle_filings(as_of: dt.date, one_year: dt.date, two_years: dt.date):
    """The filings to propose (one query) as `(pk, institution_id, handling_region_id, last_activity)` rows (not
    model instances: 35,000 of them on a day that catches up), in pk order.

    What was proposed already for the same idle stretch is skipped in SQL, so a day with nothing new reads
    no rows back however many filings are idle. One UNION ALL of four parts, each a plain scan of the filings
    with a top-level NOT EXISTS, which PostgreSQL runs as one hash anti-join against the cases (an OR of the
    two detections made it probe the case index once per filing, and the cost of that plan switched JIT
    compilation on, seconds of it): tier 2 and tier 3 (disjoint date ranges), each for the filings whose
    stored last exam answers for `as_of` and for those examined after `as_of` (a sweep run for a past day),
    which read their batches.
    """
    from institutions.models import Filing

    base = Filing.objects.filter(state__in=("active", "suspended")).order_by()
    stored = base.filter(Q(last_batch_exam_on__isnull=True) | Q(last_batch_exam_on__lte=as_of)).annotate(
        last_activity=Coalesce("last_batch_exam_on", "valid_from"))
    examined_later = base.filter(last_batch_exam_on__gt=as_of).annotate(
        last_activity=Coalesce(last_exam_subquery(up_to=as_of), "valid_from", output_field=DateField()))
    parts = []
    for qs in (stored, examined_later):
        for kind, idle in ((Case.Detection.INACTIVE_1Y,
                            Q(state="active") & Q(last_activity__lte=one_year) & Q(last_activity__gt=two_years)),
                           (Case.Detection.INACTIVE_2Y, Q(last_activity__lte=two_years))):
            parts.append(qs.filter(idle).annotate(key=_detection_key(kind))
                         .filter(~Exists(Case.objects.filter(detection_key=OuterRef("key"))))
                         .values_list("pk", "institution_id", "handling_region_id", "last_activity"))
    return parts[0].union(*parts[1:], all=True).order_by("pk")


def detect_inactive_filings(as_of: dt.date) -> int:
    """No batch for a year (FJ23 Art.22(4)) → a proposed tier-2 case; two years (Art.23(7)) → tier 3.

    Only active filings are proposed for tier 2; for tier 3 suspended ones too (a suspension does not excuse
    two idle years). Where both apply, only tier 3 is proposed.
    """
    one_year, two_years = as_of - relativedelta(years=1), as_of - relativedelta(years=2)
    rows = list(_idle_filings(as_of, one_year, two_years))
    if not rows:
        return 0
    from institutions.services.filings import sweep_chunk_size

    proposals = []
    summary = _("No assessment batch since %(date)s (%(years)d year(s) by %(today)s): FJ23 Art.%(article)s.")
    for pk, institution_id, region_id, last_activity in rows:
        if last_activity <= two_years:
            kind, tier, article, years = Case.Detection.INACTIVE_2Y, Tier.TIER3, "23(7)", 2
        else:
            kind, tier, article, years = Case.Detection.INACTIVE_1Y, Tier.TIER2, "22(4)", 1
        # what was proposed already is left out by the query; cases_propose_many checks again in its transaction
        proposals.append({
            "institution_id": institution_id, "filing_id": pk, "region_id": region_id, "proposed_tier": tier,
            "detection": kind, "detection_key": f"{kind}:{pk}:{last_activity.isoformat()}",
            "summary": summary % {"date": last_activity.isoformat(), "years": years, "today": as_of.isoformat(),
                                  "article": article}})
    size = sweep_chunk_size()
    # each chunk its own transaction: a sweep killed halfway keeps the chunks it finished
    return sum(cases_propose_many(proposals[i:i + size]) for i in range(0, len(proposals), size))


def detect_rectification_overdue(as_of: dt.date) -> int:
    """A tier-2 case still `decided` past its rectification due date is flagged once and an escalation to
    tier 3 is proposed (FJ23 Art.22(6), 23(1); TERM-04)."""
    overdue = list(Case.objects.filter(tier=Tier.TIER2, state=Case.State.DECIDED, rectification_due__lt=as_of,
                                       rectification_overdue_on__isnull=True)
                   .select_related("institution", "filing", "region").order_by("pk"))
    created = 0
    for case in overdue:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, rectification_overdue_on__isnull=True).update(
                    rectification_overdue_on=as_of):
                continue  # a concurrent sweep got there first
            audit_record(action="case.rectification_overdue", obj=case,
                         comment=_("rectification %(number)s was due %(date)s")
                         % {"number": case.notice_number, "date": case.rectification_due.isoformat()},
                         data={"due": case.rectification_due, "flagged_on": as_of})
            summary = (_("Rectification notice %(number)s of case %(case)s was due %(date)s and is not done: "
                         "escalation to tier 3 (FJ23 Art.23(1)).")
                       % {"number": case.notice_number, "case": case.reference,
                          "date": case.rectification_due.isoformat()})
            case_open(institution=case.institution, filing=case.filing, region=case.region,
                      origin=Case.Origin.DETECTION, summary=summary, proposed=True, proposed_tier=Tier.TIER3,
                      detection=Case.Detection.RECTIFICATION_OVERDUE, escalated_from=case,
                      detection_key=f"{Case.Detection.RECTIFICATION_OVERDUE}:{case.pk}")
            created += 1
    return created


def detect_batch_violations(as_of: dt.date) -> int:
    """An ASM-08 violation recorded on a batch (lax eligibility checks) without a case → a proposed tier-1
    case (FJ23 Art.21(8)); staff may decide a higher tier (Art.22(1), 23(3))."""
    from assessments.models import BatchViolation

    violations = list(BatchViolation.objects.filter(rule="ASM-08", cases__isnull=True, recorded_on__lte=as_of)
                      .select_related("batch", "batch__filing", "batch__institution", "batch__handling_region")
                      .order_by("pk"))
    if not violations:
        return 0
    keys = {v.pk: f"{Case.Detection.LAX_ELIGIBILITY}:{v.pk}" for v in violations}
    existing = _existing_keys(keys.values())
    created = 0
    for violation in violations:
        if keys[violation.pk] in existing:
            continue
        batch = violation.batch
        with transaction.atomic():
            if case_open(institution=batch.institution, filing=batch.filing, region=batch.handling_region,
                         origin=Case.Origin.VIOLATION, summary=f"{batch.plan_number}：{violation.detail}",
                         proposed=True, proposed_tier=Tier.TIER1, detection=Case.Detection.LAX_ELIGIBILITY,
                         detection_key=keys[violation.pk], batch=batch, batch_violation=violation):
                created += 1
    return created
