"""Reads of the institutions app, scoped to what the user may see (JUR-03) and free of N+1 queries."""

from __future__ import annotations

from django.db.models import Case, DateField, F, Prefetch, Q, QuerySet, When

from filing_portal.core import clock
from filing_portal.regions.models import Region
from filing_portal.regions.selectors import regions_visible_to

from .models import Announcement, Filing, FilingApplication, FilingScope, Institution, Occupation

OPEN_STATES = ["submitted", "supplement_requested", "initial_review", "technical_evaluation",
               "comprehensive_review", "public_notice"]


def applications_visible_to(user) -> QuerySet[FilingApplication]:
    """Institutions see their own; staff what their office handles (province staff: the whole province)."""
    qs = FilingApplication.objects.select_related("institution", "institution__region", "handling_region")
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role == "institution":
        return qs.filter(institution_id=user.institution_id)
    if role in ("city_staff", "province_staff"):
        return qs.filter(handling_region__in=regions_visible_to(user)).exclude(state="draft")
    if role == "expert":
        return qs.filter(state__in=["initial_review", "technical_evaluation"])
    return qs.none()


def staff_queue(user, *, state: str | None = None) -> QuerySet[FilingApplication]:
    """The workbench: open applications with their current due date, most urgent first (FIL-02/04/05/07)."""
    qs = applications_visible_to(user).filter(state__in=OPEN_STATES)
    if state:
        qs = qs.filter(state=state)
    due = Case(
        When(state="submitted", then=F("acceptance_due")),
        When(state="supplement_requested", then=F("supplement_due")),
        When(state__in=["technical_evaluation", "comprehensive_review"], then=F("completion_due")),
        When(state="public_notice", then=F("notice_ends_on")),
        default=None, output_field=DateField(),
    )
    return qs.annotate(due=due).order_by(F("due").asc(nulls_last=True), "submitted_at", "pk")


def filings_visible_to(user) -> QuerySet[Filing]:
    qs = Filing.objects.select_related("institution", "institution__region", "handling_region")
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role == "institution":
        return qs.filter(institution_id=user.institution_id)
    if role in ("city_staff", "province_staff", "inspector"):
        if role == "inspector":
            return qs
        return qs.filter(handling_region__in=regions_visible_to(user))
    return qs.none()


def institutions_visible_to(user) -> QuerySet[Institution]:
    qs = Institution.objects.select_related("region")
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role == "institution":
        return qs.filter(pk=user.institution_id)
    if role in ("city_staff", "province_staff"):
        return qs.filter(region__in=regions_visible_to(user))
    return qs.none()


# The columns a page of the directory shows (the API's PublicFilingSerializer, the page's directory_html rows).
# A page read 58 columns of filing, institution and two regions for 11; converting and building them was a
# large part of the search's Python time (docs/PERFORMANCE.md).
LISTING_COLUMNS = ("number", "state", "valid_from", "expires_on", "institution__name", "institution__kind",
                   "institution__address", "institution__head", "institution__region__code",
                   "institution__region__name")
LISTING_SCOPE_COLUMNS = ("filing", "work_type", "level", "occupation__code", "occupation__name")
# Up to this many filings matched by occupation are passed to the search as literals (see public_directory).
FEW_FILINGS = 4000


def public_directory(*, q: str = "", number: str = "", region_code: str = "", occupation: str = "",
                     level: int | None = None, include_ended: bool = False, listing: bool = False) -> QuerySet[Filing]:
    """PUB-01: filed institutions with number, address, head, occupations and levels, status and validity.

    `listing=True`: only the columns a page of the directory shows (LISTING_COLUMNS); reading any other field
    of these rows would cost a query each, so the list's query-count tests hold it to them."""
    states = ["active", "suspended", "expired"] + (["lapsed", "revoked", "terminated"] if include_ended else [])
    qs = Filing.objects.filter(state__in=states)
    if q:
        qs = qs.filter(institution__name__contains=q.strip())
    if number:
        qs = qs.filter(number=number.strip().upper())
    if region_code:
        # The region ids first, as literals: an OR across two joined region rows leaves PostgreSQL guessing
        # 2 regions where a province has 17, and it then probes every institution's scope one by one.
        regions = list(Region.objects.filter(Q(code=region_code) | Q(province__code=region_code))
                       .values_list("id", flat=True))
        qs = qs.filter(institution__region_id__in=regions)
    if occupation or level:
        scope = FilingScope.objects.filter(active=True)
        if occupation:
            # The matching occupations first (the catalogue is small): with their ids as literals PostgreSQL
            # starts from the scope rows of those occupations instead of probing every filing's scope.
            term = occupation.strip()
            occupation_ids = list(Occupation.objects.filter(Q(code=term) | Q(name__contains=term))
                                  .values_list("id", flat=True))
            scope = scope.filter(occupation_id__in=occupation_ids)
        if level:
            scope = scope.filter(level=level)
        matched = None
        if occupation:
            # And the filings of those occupations, as literals too, when they are few. Given the subquery,
            # PostgreSQL walks the institutions in name order probing each one's scope, which is quick for a
            # broad search and slow for a narrow one's later pages: 7,761 probes, 65 ms, for page 5 of
            # 1,704 matches; with the ids it sorts just those (docs/PERFORMANCE.md).
            # (order_by(): FilingScope's default order joins the occupations and would sort, and DISTINCT
            # would then be over (filing, occupation code, ...) rather than over the filing.)
            matched = list(scope.order_by().values_list("filing_id", flat=True).distinct()[:FEW_FILINGS + 1])
        if matched is not None and len(matched) <= FEW_FILINGS:
            qs = qs.filter(pk__in=matched)
        else:
            qs = qs.filter(pk__in=scope.values("filing_id"))
    scope_rows = FilingScope.objects.filter(active=True).select_related("occupation").order_by("occupation__code",
                                                                                                "level")
    if listing:
        qs = qs.select_related("institution", "institution__region").only(*LISTING_COLUMNS)
        scope_rows = scope_rows.only(*LISTING_SCOPE_COLUMNS)
    else:
        qs = qs.select_related("institution", "institution__region", "handling_region")
    return (qs.prefetch_related(Prefetch("scope", queryset=scope_rows), "institution__fee_standards")
            .order_by("institution__name", "number"))


def notices_in_progress() -> QuerySet[FilingApplication]:
    """PUB-02: applications in public notice now, with what they applied for."""
    return (FilingApplication.objects.filter(state="public_notice", notice_ends_on__gte=clock.today())
            .select_related("institution", "institution__region", "handling_region")
            .prefetch_related("occupations__occupation")
            .order_by("notice_ends_on", "pk"))


def announcements(kind: str | None = None) -> QuerySet[Announcement]:
    qs = Announcement.objects.select_related("institution", "filing")
    return qs.filter(kind=kind) if kind else qs
