"""Expiry reminders (REN-01/02/03): 90, 30 and 7 days before expiry, on expiry and 7 days before the grace
period ends, to every active user of the institution, in-app and by e-mail — each exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from filing_portal.notifications.models import Notification
from institutions.filing_dates import grace_ends
from institutions.models import Filing
from institutions.services.filings import filing_renew
from renewals.models import FilingReminder
from renewals.reminders import reminders_send_due
from tests.factories import InstitutionFactory, UserFactory
from tests.renewals import fixtures_timers
from tests.renewals.fixtures_timers import EXPIRES, D, make_filing, sweep

filed = fixtures_timers.filed  # fixtures
eager_celery = fixtures_timers.eager_celery
DAY = dt.timedelta(days=1)


@pytest.fixture
def run(django_capture_on_commit_callbacks, eager_celery):
    """The sweep with its after-commit e-mail tasks run (as a worker would)."""

    def sweep_and_mail(day):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(day)

    return sweep_and_mail


def kinds(filing) -> list[str]:
    return list(FilingReminder.objects.filter(filing=filing).order_by("sent_on", "pk").values_list("kind", flat=True))


def test_each_reminder_is_sent_once_to_every_active_user__REN_01(filed, run):
    filing = filed["filing"]
    run(EXPIRES - 91 * DAY)
    assert kinds(filing) == []
    assert "renewals.reminders: 1 changed" in run(EXPIRES - 90 * DAY)
    for day in (EXPIRES - 90 * DAY, EXPIRES - 89 * DAY, EXPIRES - 31 * DAY):  # the same and later dates
        assert "renewals.reminders: 0 changed" in run(day)
    assert kinds(filing) == ["d90"]
    notes = Notification.objects.filter(key__endswith=":d90")
    assert sorted(n.user.username for n in notes) == ["inst_a", "inst_b"]  # not the inactive user
    assert all(filing.number in n.title and "2029-03-09" in n.title for n in notes)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.cn", "b@example.cn"]
    assert filing.number in mail.outbox[0].subject and "REN-01" in mail.outbox[0].body
    assert all(n.emailed_at is not None for n in Notification.objects.all())
    reminder = FilingReminder.objects.get(filing=filing)
    assert (reminder.sent_on, reminder.recipients, reminder.expires_on) == (EXPIRES - 90 * DAY, 2, EXPIRES)


def test_the_whole_series_once_each_across_repeated_sweeps__REN_01_REN_02_REN_03(filed, run):
    filing = filed["filing"]
    end = grace_ends(filing)
    days = [EXPIRES - 90 * DAY, EXPIRES - 30 * DAY, EXPIRES - 7 * DAY, EXPIRES, EXPIRES + DAY, end - 7 * DAY, end,
            end + DAY]
    for day in days:
        run(day)
        run(day)  # twice: nothing more
    assert kinds(filing) == ["d90", "d30", "d7", "expired", "grace7"]
    sent = {r.kind: r.sent_on for r in FilingReminder.objects.filter(filing=filing)}
    assert sent == {"d90": D("2028-12-09"), "d30": D("2029-02-07"), "d7": D("2029-03-02"),
                    "expired": D("2029-03-10"), "grace7": D("2029-05-01")}
    assert Notification.objects.count() == 10 and len(mail.outbox) == 10  # 5 reminders × 2 users
    assert Filing.objects.get(pk=filing.pk).state == "lapsed"


def test_a_late_sweep_sends_only_the_most_recent_due_reminder__REN_01(filed, hefei, run):
    filing = filed["filing"]
    run(EXPIRES - 90 * DAY)
    run(EXPIRES - 29 * DAY)  # the sweep of day −30 did not run: the 30-day reminder still goes, once
    run(EXPIRES - 28 * DAY)
    assert kinds(filing) == ["d90", "d30"]
    # A filing the sweep first sees inside 30 days gets no 90-day reminder.
    late = make_filing(InstitutionFactory(region=hefei), expires_on=EXPIRES + 3 * DAY)
    run(EXPIRES - 25 * DAY)
    assert kinds(late) == ["d30"]
    # Missed everything until 3 days before the grace ends: only the grace warning.
    missed = make_filing(InstitutionFactory(region=hefei), expires_on=D("2029-01-10"), state="expired")
    run(grace_ends(missed) - 3 * DAY)
    assert kinds(missed) == ["grace7"]


def test_a_renewed_filing_gets_a_new_series__REN_08(filed, users, run):
    filing = filed["filing"]
    run(EXPIRES - 90 * DAY)
    filing_renew(filing=Filing.objects.get(pk=filing.pk), acting_user=users["city_hefei"])
    renewed = Filing.objects.get(pk=filing.pk)
    assert renewed.expires_on == D("2032-03-09")
    run(EXPIRES - 30 * DAY)  # nothing about the old expiry any more
    assert kinds(filing) == ["d90"]
    run(D("2032-03-09") - 90 * DAY)
    assert list(FilingReminder.objects.filter(filing=filing).values_list("expires_on", "kind")) == [
        (EXPIRES, "d90"), (D("2032-03-09"), "d90")]
    assert Notification.objects.filter(user=filed["users"][0]).count() == 2


def test_no_grace_warning_while_a_renewal_is_pending__REN_03(filed, run):
    from renewals.models import RenewalApplication

    filing = filed["filing"]
    application = RenewalApplication.objects.create(reference="XQ-1", filing=filing, expires_on=EXPIRES,
                                                    institution_name="x", uscc="x", created_by=filed["users"][0])
    RenewalApplication.objects.filter(pk=application.pk).update(state="submitted")
    run(EXPIRES + DAY)
    run(grace_ends(filing) - 7 * DAY)
    assert kinds(filing) == ["expired"]  # expired tells that reporting stopped; nothing will lapse


def test_a_user_added_later_is_not_sent_old_reminders(filed, run):
    run(EXPIRES - 90 * DAY)
    newcomer = UserFactory(username="inst_new", role="institution", institution=filed["institution"])
    run(EXPIRES - 80 * DAY)
    assert not Notification.objects.filter(user=newcomer).exists()


def _queries(day) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reminders_send_due(day)
    return len(ctx.captured_queries)


def test_the_reminder_sweep_is_batched__REN_01(hefei):
    for _i in range(2):
        inst = InstitutionFactory(region=hefei)
        UserFactory(role="institution", institution=inst)
        make_filing(inst, expires_on=D("2029-03-01"))
    for _i in range(10):
        inst = InstitutionFactory(region=hefei)
        UserFactory(role="institution", institution=inst)
        UserFactory(role="institution", institution=inst)
        make_filing(inst, expires_on=D("2029-06-01"))
    small = _queries(D("2029-03-01") - 90 * DAY)
    large = _queries(D("2029-06-01") - 90 * DAY)
    assert FilingReminder.objects.count() == 12 and Notification.objects.count() == 22
    assert small == large
