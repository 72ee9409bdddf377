"""Reads of the assessments app, scoped to what the user may see (JUR-03/04) and free of N+1 queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from filing_portal.core import clock
from filing_portal.regions.selectors import regions_visible_to

from .models import AssessmentBatch, BatchItem, BatchViolation, Candidate, ResultObjection, waiting_first

OFFICE_ROLES = ("city_staff", "province_staff")


def _with_relations(qs: QuerySet[AssessmentBatch]) -> QuerySet[AssessmentBatch]:
    return (qs.select_related("filing", "institution", "institution__region", "handling_region")
            .prefetch_related(Prefetch("items", queryset=BatchItem.objects.select_related("occupation")
                                       .order_by("occupation__code", "work_type", "level"))))


def batches_visible_to(user) -> QuerySet[AssessmentBatch]:
    """Institutions: their own batches. City staff: plans filed with their city. Province staff: every plan of
    their province, which includes the plans copied to it (JUR-04). Admins: all. Staff do not see plans that
    were never submitted (an institution's unfinished drafts are its own)."""
    qs = _with_relations(AssessmentBatch.objects.all())
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role == "institution" and getattr(user, "institution_id", None):
        return qs.filter(institution_id=user.institution_id)
    if role in OFFICE_ROLES and getattr(user, "region_id", None):
        return qs.filter(handling_region__in=regions_visible_to(user)).exclude(submitted_on__isnull=True)
    return qs.none()


def _per_batch_count(qs) -> Coalesce:
    rows = qs.filter(batch=OuterRef("pk")).order_by().values("batch").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_counts(qs: QuerySet[AssessmentBatch]) -> QuerySet[AssessmentBatch]:
    """Candidates, passers, candidates with a result and open result objections per batch, in the same query
    (the ASM-05/07 guards read them, so `available_transitions` costs no query per batch in a list).

    Correlated subqueries rather than joins with GROUP BY: PostgreSQL evaluates them only for the rows of
    the page, after ORDER BY and LIMIT, where a GROUP BY counted the candidates of every batch of the
    province first (a staff page of 50 took seconds with 1,000,000 candidates, docs/PERFORMANCE.md)."""
    return qs.annotate(
        candidate_count=_per_batch_count(Candidate.objects.all()),
        passed_count=_per_batch_count(Candidate.objects.filter(result="pass")),
        resulted_count=_per_batch_count(Candidate.objects.filter(result__in=("pass", "fail"))),
        open_objection_count=_per_batch_count(ResultObjection.objects.filter(status="open")),
    )


def batch_queue(user, state: str | None = None) -> QuerySet[AssessmentBatch]:
    """The staff queue: plans waiting for approval first, then the rest, by exam date."""
    qs = batches_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    return with_counts(qs).annotate(waiting=waiting_first()).order_by("waiting", "exam_start", "pk")


def batch_candidates(batch: AssessmentBatch) -> QuerySet[Candidate]:
    return batch.candidates.select_related("occupation", "certificate").order_by("pk")


def batches_for_export(user, *, date_from: dt.date | None = None, date_to: dt.date | None = None, region=None,
                       institution_name: str = "", occupation_code: str = "",
                       level: int | None = None) -> QuerySet[AssessmentBatch]:
    """The staff export page's filter: exam period, region, institution, occupation and level."""
    qs = batches_visible_to(user)
    if date_from:
        qs = qs.filter(exam_start__gte=date_from)
    if date_to:
        qs = qs.filter(exam_start__lte=date_to)
    if region is not None:
        qs = qs.filter(Q(handling_region=region) | Q(handling_region__province=region))
    if institution_name.strip():
        qs = qs.filter(institution__name__contains=institution_name.strip())
    if occupation_code.strip() or level:
        items = BatchItem.objects.all()
        if occupation_code.strip():
            items = items.filter(occupation__code=occupation_code.strip())
        if level:
            items = items.filter(level=level)
        qs = qs.filter(pk__in=items.values("batch_id"))
    return qs.order_by("exam_start", "pk")


def published_batch(plan_number: str) -> AssessmentBatch | None:
    """The batch whose results are public today (ASM-05), or None."""
    today = clock.today()
    return (AssessmentBatch.objects.select_related("institution", "filing")
            .filter(plan_number=plan_number, state=AssessmentBatch.State.RESULTS_PUBLISHED,
                    publish_from__lte=today, publish_until__gte=today).first())


def venue_key(address: str) -> str:
    """Whitespace- and punctuation-insensitive address (as `Venue.address_key`)."""
    return "".join(ch for ch in address if ch.isalnum())


def filed_venues(filing) -> list[str]:
    """The venues the filing was filed with (ELIG-10): those of its source application and of its approved
    scope changes, in filing order, each address once."""
    from institutions.models import FilingApplication, Venue

    applications = FilingApplication.objects.filter(
        Q(pk=filing.source_application_id)
        | Q(filing=filing, kind=FilingApplication.Kind.SCOPE_CHANGE, state=FilingApplication.State.APPROVED))
    addresses = Venue.objects.filter(application__in=applications.values("pk")).order_by("application_id", "pk")
    return list(dict.fromkeys(addresses.values_list("address", flat=True)))


def batch_violations(*, rule: str | None = None, institution=None, batch=None) -> QuerySet[BatchViolation]:
    """Violations recorded on batches (ASM-08 lax eligibility checking, …), newest first: what the supervision
    app reads to open cases."""
    qs = BatchViolation.objects.select_related("batch", "batch__institution", "batch__filing")
    if rule:
        qs = qs.filter(rule=rule)
    if institution is not None:
        qs = qs.filter(batch__institution=institution)
    if batch is not None:
        qs = qs.filter(batch=batch)
    return qs.order_by("-recorded_on", "-pk")
