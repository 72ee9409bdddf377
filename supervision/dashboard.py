"""The staff dashboard (监管看板): the numbers an office watches, scoped to its jurisdiction (JUR-03), each from one
aggregate query — filings by state, filings expiring in the next 90 days by month, batches and certificates per
month over the last 12 months, open cases by tier, complaint response times against their due dates."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from assessments.models import AssessmentBatch
from certificates.models import Certificate
from filing_portal.core import clock
from filing_portal.regions.jurisdiction import staff_scope
from filing_portal.regions.selectors import regions_visible_to
from institutions.models import Filing

from .charts import PALETTE, Chart
from .models import Case, Complaint, Tier

EXPIRY_HORIZON_DAYS = 90
OPEN_CASE_STATES = (Case.State.PROPOSED, Case.State.OPEN, Case.State.INVESTIGATING, Case.State.DECIDED,
                    Case.State.RECTIFICATION_SUBMITTED)
BATCH_COUNTED_STATES = [s for s in AssessmentBatch.State.values if s not in ("draft", "cancelled")]
STATE_COLORS = {"active": "#2e8540", "suspended": "#b35c00", "expired": "#5c6f82", "lapsed": "#8d6e63",
                "revoked": "#c0392b", "terminated": "#6639ba"}


def _scoped(qs, field: str, user):
    """Rows whose `field` region lies inside the user's jurisdiction (admins: all)."""
    kind, _region = staff_scope(user)
    if kind == "all":
        return qs
    return qs.filter(**{f"{field}__in": regions_visible_to(user)})


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, m = [], first.replace(day=1)
    while m <= last:
        months.append(m)
        m += relativedelta(months=1)
    return months


def _month_key(value) -> dt.date:
    return value.date().replace(day=1) if isinstance(value, dt.datetime) else value.replace(day=1)


def _by_month(qs, field: str, months: list[dt.date]) -> list[tuple[str, int]]:
    counts = {_month_key(row["m"]): row["n"] for row in
              qs.annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk")).order_by() if row["m"]}
    return [(f"{m:%Y-%m}", counts.get(m, 0)) for m in months]


def dashboard_charts(user, today: dt.date | None = None) -> list[Chart]:
    """The dashboard's charts for `user`'s jurisdiction (six aggregate queries, whatever the data size)."""
    today = today or clock.today()
    filings = _scoped(Filing.objects.all(), "handling_region", user)

    by_state = {row["state"]: row["n"] for row in filings.values("state").annotate(n=Count("pk")).order_by()}
    states = Filing.State.choices
    charts = [Chart("filings-by-state", _("Filings by state"),
                    _("Number of filing records in each state, in your jurisdiction."),
                    [(str(label), by_state.get(value, 0)) for value, label in states],
                    _("State"), _("Filings"), [STATE_COLORS.get(v, PALETTE[0]) for v, _l in states])]

    horizon = today + dt.timedelta(days=EXPIRY_HORIZON_DAYS)
    expiring = filings.filter(state=Filing.State.ACTIVE, expires_on__gte=today, expires_on__lte=horizon)
    charts.append(Chart("expiring", _("Filings expiring in the next 90 days"),
                        _("Active filings whose validity ends between %(a)s and %(b)s, by month of expiry.")
                        % {"a": today.isoformat(), "b": horizon.isoformat()},
                        _by_month(expiring, "expires_on", _months(today, horizon)), _("Month"), _("Filings"),
                        [PALETTE[2]] * 4))

    first = (today.replace(day=1) - relativedelta(months=11))
    months = _months(first, today)
    batches = _scoped(AssessmentBatch.objects.filter(state__in=BATCH_COUNTED_STATES, exam_start__gte=first,
                                                     exam_start__lte=today), "handling_region", user)
    charts.append(Chart("batches", _("Assessment batches per month"),
                        _("Batches (not drafts or cancelled) by month of the exam, over the last 12 months."),
                        _by_month(batches, "exam_start", months), _("Month"), _("Batches"), [PALETTE[0]] * 12))
    certificates = _scoped(Certificate.objects.filter(issue_date__gte=first, issue_date__lte=today),
                           "filing__handling_region", user)
    charts.append(Chart("certificates", _("Certificates issued per month"),
                        _("Certificates by month of issue, over the last 12 months."),
                        _by_month(certificates, "issue_date", months), _("Month"), _("Certificates"),
                        [PALETTE[1]] * 12))

    cases = _scoped(Case.objects.filter(state__in=OPEN_CASE_STATES), "region", user)
    by_tier: dict[str, int] = {}
    for row in cases.values("tier").annotate(n=Count("pk")).order_by():
        key = row["tier"] if row["tier"] in (Tier.TIER1, Tier.TIER2, Tier.TIER3) else ""
        by_tier[key] = by_tier.get(key, 0) + row["n"]
    charts.append(Chart("cases-by-tier", _("Open cases by tier"),
                        _("Cases not yet closed, escalated or dismissed, by the tier decided (or not yet decided)."),
                        [(_("Not yet decided"), by_tier.get("", 0)), (_("Tier 1 (FJ23 Art.21)"), by_tier.get(Tier.TIER1, 0)),
                         (_("Tier 2 (FJ23 Art.22, 24)"), by_tier.get(Tier.TIER2, 0)),
                         (_("Tier 3 (FJ23 Art.23)"), by_tier.get(Tier.TIER3, 0))],
                        _("Tier"), _("Cases"), [PALETTE[5], PALETTE[0], PALETTE[2], PALETTE[4]]))

    open_q = Q(status__in=(Complaint.Status.RECEIVED, Complaint.Status.HANDLING))
    answered_q = Q(status=Complaint.Status.ANSWERED)
    c = _scoped(Complaint.objects.all(), "region", user).aggregate(
        on_time=Count("pk", filter=answered_q & Q(answered_on__lte=F("response_due"))),
        late=Count("pk", filter=answered_q & Q(answered_on__gt=F("response_due"))),
        overdue=Count("pk", filter=open_q & Q(response_due__lt=today)),
        in_time=Count("pk", filter=open_q & Q(response_due__gte=today)))
    charts.append(Chart("complaints", _("Complaint responses against their due dates"),
                        _("Complaints answered by their due date or after it, and open complaints past or within "
                          "their due date (SUP-02)."),
                        [(_("Answered on time"), c["on_time"]), (_("Answered late"), c["late"]),
                         (_("Open, overdue"), c["overdue"]), (_("Open, within the due date"), c["in_time"])],
                        _("Response"), _("Complaints"), [PALETTE[1], PALETTE[2], PALETTE[4], PALETTE[0]]))
    return charts
