"""In-app notifications: sent once per (user, key), e-mailed after commit by an acks_late task, listed at
/notifications/ with mark-as-read, and an unread count for the navigation bar."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import RequestFactory

from filing_portal.notifications import tasks
from filing_portal.notifications.context_processors import unread
from filing_portal.notifications.models import Notification
from filing_portal.notifications.services import (
    Message,
    notification_send,
    notifications_email,
    notifications_email_pending,
    notifications_send,
)
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.renewals import fixtures_timers

eager_celery = fixtures_timers.eager_celery  # a fixture


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", role="expert", email="alice@example.cn")


def test_the_same_key_reaches_a_user_once(alice):
    assert notification_send(user=alice, key="k1", title="标题", body="正文") is not None
    assert notification_send(user=alice, key="k1", title="标题", body="正文") is None
    created = notifications_send(messages=[Message(alice.pk, "k1", "t", "b"), Message(alice.pk, "k2", "t", "b"),
                                           Message(alice.pk, "k2", "t", "b")])
    assert [Notification.objects.get(pk=pk).key for pk in created] == ["k2"]
    assert Notification.objects.filter(user=alice).count() == 2


def test_email_goes_after_commit_through_an_acks_late_task(alice, eager_celery, django_capture_on_commit_callbacks):
    assert tasks.notifications_email_task.acks_late is True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(user=alice, key="k1", title="续期提醒", body="请及时申请", url="/")
    assert len(callbacks) == 1 and mail.outbox == []  # nothing is mailed before the commit
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["alice@example.cn"]] and mail.outbox[0].subject == "续期提醒"
    note = Notification.objects.get()
    assert note.emailed_at is not None
    assert notifications_email(notification_ids=[note.pk]) == 0  # a redelivered task mails nothing again
    assert len(mail.outbox) == 1


def test_unsent_emails_are_queued_again_by_the_sweep(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notification_send(user=alice, key="k1", title="t", body="b")  # the task never ran (broker down)
    import datetime as dt

    created = Notification.objects.get().created_at
    Notification.objects.update(created_at=created - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notifications_email_pending() == 1
    assert len(callbacks) == 1
    Notification.objects.update(created_at=created - dt.timedelta(days=4))  # given up after 3 days
    assert notifications_email_pending() == 0


def test_a_refused_address_does_not_hold_back_the_others(db, monkeypatch):
    from django.core.mail import EmailMessage

    bad = UserFactory(username="bad", role="expert", email="bad@example.cn")
    good = UserFactory(username="good", role="expert", email="good@example.cn")
    ids = [notification_send(user=u, key="k", title="t", body="b").pk for u in (bad, good)]
    real = EmailMessage.send

    def send(self, *args, **kwargs):
        if self.to == ["bad@example.cn"]:
            raise OSError("550 mailbox unavailable")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    assert notifications_email(notification_ids=ids) == 1
    assert [m.to for m in mail.outbox] == [["good@example.cn"]]
    assert Notification.objects.get(user=bad).emailed_at is None


def test_no_email_to_a_user_without_an_address(db):
    bob = UserFactory(username="bob", role="expert", email="")
    note = notification_send(user=bob, key="k", title="t", body="b")
    assert notifications_email(notification_ids=[note.pk]) == 0 and mail.outbox == []


def test_the_notifications_page_lists_and_marks_read(client, alice):
    other = UserFactory(username="other", role="expert")
    mine = notification_send(user=alice, key="a", title="备案S000034010001将于2029-03-09到期", body="请申请续期")
    theirs = notification_send(user=other, key="a", title="别人的通知", body="x")
    assert client.get("/notifications/").status_code == 302  # login required
    client.login(username="alice", password=PASSWORD)
    page = client.get("/notifications/").content.decode()
    assert "S000034010001" in page and "2029-03-09" in page and "别人的通知" not in page
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 302
    assert Notification.objects.get(pk=theirs.pk).read_at is None  # another user's stays unread
    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    notification_send(user=alice, key="b", title="t2", body="b")
    notification_send(user=alice, key="c", title="t3", body="b")
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405


def test_the_unread_count_for_the_nav(alice):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread(request) == {"notifications_unread": 0}
    notification_send(user=alice, key="a", title="t", body="b")
    notification_send(user=alice, key="b", title="t", body="b")
    request.user = alice
    assert unread(request) == {"notifications_unread": 2}
