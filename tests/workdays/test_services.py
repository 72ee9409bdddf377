"""Publishing a year's official schedule and recomputing the provisional due dates (DESIGN.md "Time")."""

import logging
from datetime import date

import pytest

from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.workdays import calendar
from filing_portal.workdays.calendar import DueDate, due_date, register_recompute, year_source
from filing_portal.workdays.models import CalendarDay, CalendarYear
from filing_portal.workdays.services import calendar_year_publish, calendar_year_withdraw

pytestmark = pytest.mark.django_db


def test_publishing_2027_turns_provisional_due_dates_final_and_recomputes_them(
    portal_admin, recompute_calls, caplog, django_capture_on_commit_callbacks
):
    """Fallback → override: 2027 counted Mon–Fri until New Year's Day 2027 is entered and the year published."""
    caplog.set_level(logging.WARNING, logger="filing_portal.workdays")
    before = due_date(date(2026, 12, 30), 3)
    assert before == DueDate(date(2027, 1, 4), provisional=True)
    assert any("2027" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)

    CalendarDay.objects.create(date=date(2027, 1, 1), is_working=False, name="元旦")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published = calendar_year_publish(year=2027, acting_user=portal_admin, note="国务院办公厅通知（2027年部分节假日安排）")

    assert len(callbacks) == 1
    assert recompute_calls == [2027]
    assert due_date(date(2026, 12, 30), 3) == DueDate(date(2027, 1, 5), provisional=False)
    assert year_source(2027) == "override"
    assert published.entered_by == portal_admin
    event = AuditEvent.objects.get(action="calendar_year.publish")
    assert event.object_id == str(published.pk)
    assert event.actor == portal_admin
    assert event.data == {"year": 2027, "days_entered": 1, "holidays": 1, "working_days": 0}


def test_recompute_runs_only_after_commit(portal_admin, recompute_calls, django_capture_on_commit_callbacks):
    """The recompute functions read committed rows: nothing runs while the publishing transaction is open."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_year_publish(year=2027, acting_user=portal_admin)
    assert recompute_calls == []
    assert len(callbacks) == 1


def test_publishing_again_updates_the_note_and_recomputes_again(
    portal_admin, recompute_calls, django_capture_on_commit_callbacks
):
    """A corrected schedule is published again: same row, a republish event, the recompute runs again."""
    with django_capture_on_commit_callbacks(execute=True):
        first = calendar_year_publish(year=2027, acting_user=portal_admin, note="first")
    CalendarDay.objects.create(date=date(2027, 2, 20), is_working=True, name="调休上班")
    with django_capture_on_commit_callbacks(execute=True):
        again = calendar_year_publish(year=2027, acting_user=portal_admin, note="corrected")
    assert again.pk == first.pk
    assert CalendarYear.objects.get().note == "corrected"
    assert recompute_calls == [2027, 2027]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "calendar_year.publish", "calendar_year.republish",
    ]


def test_only_administrators_publish(city_hefei, recompute_calls, django_capture_on_commit_callbacks):
    """Reference data is the administrators' (DESIGN.md "Its users"): city staff are refused, nothing is written."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDeniedError):
        calendar_year_publish(year=2027, acting_user=city_hefei)
    assert not CalendarYear.objects.exists()
    assert not AuditEvent.objects.exists()
    assert recompute_calls == []


def test_a_year_outside_2000_to_2100_is_refused(portal_admin):
    with pytest.raises(DomainError):
        calendar_year_publish(year=1999, acting_user=portal_admin)
    assert not CalendarYear.objects.exists()


def test_withdrawing_a_year_makes_it_fallback_again(portal_admin, recompute_calls, django_capture_on_commit_callbacks):
    """Withdrawing 2027's schedule: audited, 2027 falls back to Mon–Fri, due dates are recomputed."""
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working=False, name="元旦")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year = calendar_year_publish(year=2027, acting_user=portal_admin)
        calendar_year_withdraw(calendar_year=calendar_year, acting_user=portal_admin, reason="entered too early")
    assert not CalendarYear.objects.exists()
    assert year_source(2027) == "fallback"
    assert due_date(date(2026, 12, 30), 3) == DueDate(date(2027, 1, 5), provisional=True)
    event = AuditEvent.objects.get(action="calendar_year.withdraw")
    assert (event.from_state, event.to_state, event.comment) == ("override", "fallback", "entered too early")
    assert recompute_calls == [2027, 2027]


def test_a_failing_recompute_does_not_stop_the_others(
    portal_admin, empty_recompute_registry, caplog, django_capture_on_commit_callbacks
):
    """One app's broken recompute is logged; the other apps' due dates are still recomputed."""
    seen = []

    @register_recompute
    def broken(year):
        raise RuntimeError("boom")

    @register_recompute
    def working(year):
        seen.append(year)
        return 2

    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_publish(year=2027, acting_user=portal_admin)
    assert seen == [2027]
    assert any(r.levelno == logging.ERROR and "broken" in r.getMessage() for r in caplog.records)
    assert calendar.recompute_due_dates(2027) == 2


def test_registering_the_same_function_twice_keeps_one(empty_recompute_registry):
    """register_recompute is idempotent, so a module imported twice does not recompute twice."""

    def recompute_tickets(year):
        return 0

    assert register_recompute(recompute_tickets) is recompute_tickets
    register_recompute(recompute_tickets)
    assert [name for name in calendar.registered_recomputes() if name.endswith("recompute_tickets")] == [
        f"{__name__}.test_registering_the_same_function_twice_keeps_one.<locals>.recompute_tickets"
    ]
