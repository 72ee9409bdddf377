"""The staff page of the calendar: the next working days, holidays and 调休 marked."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.dates import WEEKDAYS

from filing_portal.accounts.models import Role

from . import calendar
from .forms import UpcomingForm

CALENDAR_PAGE_ROLES = frozenset({Role.CITY_STAFF, Role.PROVINCE_STAFF, Role.ADMIN})
UPCOMING_WORKING_DAYS = 10


def _row(info: calendar.DayInfo, ordinal: int | None) -> dict:
    classes = []
    if not info.is_working:
        classes.append("is-off")
    if info.kind == calendar.HOLIDAY:
        classes.append("is-holiday")
    if info.kind == calendar.ADJUSTED_WORKDAY:
        classes.append("is-adjusted")
    return {"info": info, "weekday": WEEKDAYS[info.date.weekday()], "ordinal": ordinal, "classes": " ".join(classes)}


@login_required
def upcoming(request):
    """Start date and every day up to the 10th working day after it (today unless `?from=`)."""
    if request.user.role not in CALENDAR_PAGE_ROLES:
        raise PermissionDenied
    form = UpcomingForm(request.GET or None)
    start = calendar.today()
    status = 200
    if form.is_bound:
        if form.is_valid():
            start = form.cleaned_data["from"] or start
        else:
            # The page still shows today's days under the error, so it stays useful.
            status = 400
    rows = []
    ordinal = 0
    for i, info in enumerate(calendar.upcoming_days(start, UPCOMING_WORKING_DAYS)):
        if i and info.is_working:
            ordinal += 1
        rows.append(_row(info, ordinal if i and info.is_working else None))
    context = {
        "form": form,
        "start": start,
        "rows": rows,
        "working_days": UPCOMING_WORKING_DAYS,
        "fallback_years": sorted({r["info"].date.year for r in rows if r["info"].source == calendar.SOURCE_FALLBACK}),
    }
    return render(request, "workdays/upcoming.html", context, status=status)
