"""Reliability of the timers (DESIGN.md "Time"; issue 7 "done when"): time travel with `run_deadlines --as-of`
through a filing's whole life, a sweep killed halfway and run again, a re-run for a past date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError

from filing_portal.audit.models import AuditEvent
from filing_portal.audit.services import audit_verify_chain
from institutions.filing_dates import grace_ends, renewal_window_opens
from institutions.models import Announcement, Filing
from institutions.services import filings as filing_services
from renewals.models import FilingReminder
from tests.factories import InstitutionFactory
from tests.renewals import fixtures_timers
from tests.renewals.fixtures_timers import EXPIRES, make_filing, sweep

filed = fixtures_timers.filed  # fixtures
eager_celery = fixtures_timers.eager_celery
DAY = dt.timedelta(days=1)


def state(filing) -> str:
    return Filing.objects.get(pk=filing.pk).state


def test_window_expiry_grace_lapse_by_time_travel__REN_01_REN_02_REN_03(filed, eager_celery,
                                                                       django_capture_on_commit_callbacks):
    filing = filed["filing"]
    window, end = renewal_window_opens(filing), grace_ends(filing)

    def travel(day):
        with django_capture_on_commit_callbacks(execute=True):
            sweep(day)
            sweep(day)  # every date twice: the same end state

    travel(window)  # the window opens: the 90-day reminder
    assert state(filing) == "active"
    assert list(FilingReminder.objects.values_list("kind", flat=True)) == ["d90"]
    travel(EXPIRES)  # the last valid day (the 7-day reminder was due since day −7)
    assert state(filing) == "active"
    travel(EXPIRES + DAY)  # expiry: expired and told so
    assert state(filing) == "expired"
    assert FilingReminder.objects.filter(kind="expired", sent_on=EXPIRES + DAY).exists()
    travel(end - 7 * DAY)  # grace: 7 days before it ends
    assert state(filing) == "expired" and FilingReminder.objects.filter(kind="grace7").exists()
    travel(end)
    assert state(filing) == "expired"
    travel(end + DAY)  # lapse, published
    assert state(filing) == "lapsed"
    assert Announcement.objects.filter(kind="lapsed", filing=filing).count() == 1
    assert sorted(FilingReminder.objects.values_list("kind", flat=True)) == ["d7", "d90", "expired", "grace7"]
    assert Filing.objects.get(pk=filing.pk).reminders.count() == 4
    assert len(mail.outbox) == 8  # 4 reminders × 2 active users, each once
    assert [e.action for e in AuditEvent.objects.filter(object_type="institutions.filing", object_id=str(filing.pk))
            ] == ["filing.expire", "filing.lapse"]
    assert audit_verify_chain().ok


def test_a_sweep_killed_halfway_completes_on_the_rerun_with_no_row_done_twice__REN_02(hefei, settings,
                                                                                      monkeypatch):
    settings.DEADLINE_SWEEP_CHUNK_SIZE = 3
    filings = [make_filing(InstitutionFactory(region=hefei)) for _ in range(8)]
    real = filing_services.audit_record_many
    calls = []

    def crash_after_the_first_chunk(**kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(filing_services, "audit_record_many", crash_after_the_first_chunk)
    with pytest.raises(CommandError):
        sweep(EXPIRES + DAY)
    # The first chunk is done, the second rolled back whole (no state change without its audit event).
    assert Filing.objects.filter(state="expired").count() == 3
    assert AuditEvent.objects.filter(action="filing.expire").count() == 3
    monkeypatch.setattr(filing_services, "audit_record_many", real)
    assert "institutions.filing_expiry: 5 changed" in sweep(EXPIRES + DAY)
    assert "institutions.filing_expiry: 0 changed" in sweep(EXPIRES + DAY)
    assert Filing.objects.filter(state="expired").count() == 8
    for filing in filings:
        assert AuditEvent.objects.filter(action="filing.expire", object_id=str(filing.pk)).count() == 1
    assert audit_verify_chain().ok


def test_a_lapse_killed_halfway_completes_on_the_rerun__REN_03(hefei, settings, monkeypatch):
    settings.DEADLINE_SWEEP_CHUNK_SIZE = 2
    filings = [make_filing(InstitutionFactory(region=hefei), state="expired") for _ in range(5)]
    day = grace_ends(filings[0]) + DAY
    real = filing_services.audit_record_many
    calls = []

    def crash(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(filing_services, "audit_record_many", crash)
    with pytest.raises(CommandError):
        sweep(day)
    assert Filing.objects.filter(state="lapsed").count() == 2
    monkeypatch.setattr(filing_services, "audit_record_many", real)
    sweep(day)
    sweep(day)
    assert Filing.objects.filter(state="lapsed").count() == 5
    assert Announcement.objects.filter(kind="lapsed").count() == 5
    assert AuditEvent.objects.filter(action="filing.lapse").count() == 5
    assert AuditEvent.objects.filter(action="filingnumber.retire").count() == 5
    assert audit_verify_chain().ok


def test_a_rerun_for_a_past_date_catches_up_and_changes_nothing_twice(filed, hefei):
    # The machine was off for months: the sweep run for a past date applies what was due then.
    other = make_filing(InstitutionFactory(region=hefei), expires_on=EXPIRES + 10 * DAY)
    sweep(EXPIRES + 5 * DAY)
    assert (state(filed["filing"]), state(other)) == ("expired", "active")
    assert list(FilingReminder.objects.filter(filing=other).values_list("kind", flat=True)) == ["d7"]
    assert list(FilingReminder.objects.filter(filing=filed["filing"]).values_list("kind", flat=True)) == ["expired"]
    before = (AuditEvent.objects.count(), FilingReminder.objects.count())
    sweep(EXPIRES + 5 * DAY)
    sweep(EXPIRES + 2 * DAY)  # an earlier date after a later one: nothing goes back, nothing is repeated
    assert (AuditEvent.objects.count(), FilingReminder.objects.count()) == before


def test_beat_queues_the_sweep_at_least_daily_and_the_tasks_ack_late(settings):
    from celery.schedules import crontab

    from filing_portal.core.tasks import run_deadlines_task
    from filing_portal.notifications.tasks import notifications_email_task

    entry = settings.CELERY_BEAT_SCHEDULE["run-deadlines"]
    assert entry["task"] == run_deadlines_task.name == "filing_portal.core.tasks.run_deadlines_task"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab) and 0 in schedule.hour  # hourly at :05, so also just after midnight
    assert run_deadlines_task.acks_late and notifications_email_task.acks_late and settings.CELERY_TASK_ACKS_LATE
