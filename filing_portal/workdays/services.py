"""Writes of the working-day calendar: publishing and withdrawing a year's official schedule."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError, PermissionDeniedError

from . import calendar
from .models import FIRST_YEAR, LAST_YEAR, CalendarDay, CalendarYear


def can_manage_calendar(user) -> bool:
    """Administrators keep reference data (DESIGN.md "Its users"), the calendar among it."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.role == "admin"))


def _year_summary(year: int) -> dict:
    counts = CalendarDay.objects.filter(date__year=year).aggregate(
        days_entered=Count("pk"),
        holidays=Count("pk", filter=Q(is_working=False)),
        working_days=Count("pk", filter=Q(is_working=True)),
    )
    return {"year": year, **counts}


# Not durable=True (STYLE.md's default): the admin saves inside its own atomic block.
@transaction.atomic
def calendar_year_publish(*, year: int, acting_user, note: str = "") -> CalendarYear:
    """Record that `year`'s official schedule is entered in full, then recompute provisional due dates.

    Staff enter the year's `CalendarDay` rows first. Publishing an already
    published year updates its note and recomputes again (after corrections).
    The recompute functions run after commit, so they read the committed rows.
    """
    if not can_manage_calendar(acting_user):
        raise PermissionDeniedError("Only administrators may publish a year's holiday schedule.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(f"A calendar year lies between {FIRST_YEAR} and {LAST_YEAR}.", code="invalid_year")
    calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"note": note, "entered_by": acting_user}
    )
    if not created:
        calendar_year.note = note
        calendar_year.entered_by = acting_user
        calendar_year.save(update_fields=["note", "entered_by"])
    audit_record(
        actor=acting_user,
        action="calendar_year.publish" if created else "calendar_year.republish",
        obj=calendar_year,
        from_state="" if created else calendar.SOURCE_OVERRIDE,
        to_state=calendar.SOURCE_OVERRIDE,
        comment=note,
        data=_year_summary(year),
    )
    transaction.on_commit(lambda: calendar.recompute_due_dates(year))
    return calendar_year


@transaction.atomic
def calendar_year_withdraw(*, calendar_year: CalendarYear, acting_user, reason: str = "") -> None:
    """Delete a year's "entered in full" mark; outside the package's range the year falls back to Mon–Fri.

    The year's `CalendarDay` rows stay (they still win day by day); due dates are
    recomputed after commit so the ones reaching into the year become provisional.
    """
    if not can_manage_calendar(acting_user):
        raise PermissionDeniedError("Only administrators may withdraw a year's holiday schedule.")
    year = calendar_year.year
    audit_record(
        actor=acting_user,
        action="calendar_year.withdraw",
        obj=calendar_year,
        from_state=calendar.SOURCE_OVERRIDE,
        to_state=calendar.SOURCE_PACKAGE if calendar.package_covers(year) else calendar.SOURCE_FALLBACK,
        comment=reason,
        data=_year_summary(year),
    )
    calendar_year.delete()
    transaction.on_commit(lambda: calendar.recompute_due_dates(year))
