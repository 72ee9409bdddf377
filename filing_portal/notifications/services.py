"""Sending in-app notifications (each also e-mailed when the user has an address) and marking them read.

Sending is idempotent: a Notification is unique per (user, key), so the same key reaches a user once. The
e-mails go out after commit through a Celery task (`acks_late`), so a rolled-back send mails nobody.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from filing_portal.audit.services import rows_insert

from .models import Notification

logger = logging.getLogger("filing_portal.notifications")


@dataclass(frozen=True)
class Message:
    """One notification to be sent: to `user_id`, idempotent by `key`."""

    user_id: int
    key: str
    title: str
    body: str
    url: str = ""


def _queue_emails(ids: list[int]) -> None:
    if not ids:
        return
    from .tasks import notifications_email_task

    # robust: a broker that is down must not fail the committed send; the e-mails stay unsent (emailed_at
    # empty) and `notifications_email_pending` picks them up again. ignore_result: with Redis as result
    # store a send subscribes to the result first, which holds the request ~20 s when Redis is down.
    transaction.on_commit(lambda: notifications_email_task.apply_async(args=[ids], ignore_result=True), robust=True)


@transaction.atomic
def notifications_send(*, messages: Iterable[Message], new_keys: bool = False) -> list[int]:
    """Create the notifications not sent yet (per user and key) in one insert and queue their e-mails.

    Runs inside the caller's transaction when there is one (the reminder sweep inserts its FilingReminder
    rows in the same transaction). `new_keys`: the caller guarantees no message was sent before (its own
    once-only row); the check is skipped, and a duplicate would still fail on the unique constraint and roll
    the caller's transaction back. Returns the ids of the notifications created now.
    """
    messages = list({(m.user_id, m.key): m for m in messages}.values())
    if messages and not new_keys:
        existing = set(Notification.objects.filter(key__in={m.key for m in messages})
                       .values_list("user_id", "key"))
        messages = [m for m in messages if (m.user_id, m.key) not in existing]
    if not messages:
        return []
    now = timezone.now()
    ids = rows_insert(Notification, [{"user_id": m.user_id, "key": m.key, "title": m.title[:200], "body": m.body,
                                      "url": m.url, "created_at": now} for m in messages], return_ids=True)
    _queue_emails(ids)
    return ids


def notification_send(*, user, key: str, title: str, body: str, url: str = "") -> Notification | None:
    """Send one notification (None when this key reached the user already)."""
    ids = notifications_send(messages=[Message(user_id=user.pk, key=key, title=title, body=body, url=url)])
    return Notification.objects.get(pk=ids[0]) if ids else None


def notifications_email(*, notification_ids: Iterable[int]) -> int:
    """E-mail the notifications not e-mailed yet to users with an address; returns how many were sent.

    Idempotent: a notification is marked `emailed_at` as soon as its mail is handed to the backend, so a
    task run twice (acks_late redelivery) does not mail it again.
    """
    pending = (Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True,
                                           user__is_active=True)
               .exclude(user__email="").select_related("user").order_by("pk"))
    sent = 0
    with get_connection() as connection:
        for notification in pending:
            body = notification.body
            if notification.url:
                body += "\n\n" + settings.PORTAL_BASE_URL.rstrip("/") + notification.url
            try:
                EmailMessage(notification.title, body, None, [notification.user.email],
                             connection=connection).send()
            except Exception:  # one refused address must not hold back the others; retried by the sweep
                logger.exception("e-mail of notification %s failed", notification.pk)
                continue
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def notifications_email_pending(*, older_than_minutes: int = 10, within_days: int = 3) -> int:
    """Queue again the e-mails of notifications whose task never ran or failed (a broker or mail server down);
    after `within_days` an unsent e-mail is given up (the notification stays in the portal)."""
    now = timezone.now()
    cutoff, oldest = now - dt.timedelta(minutes=older_than_minutes), now - dt.timedelta(days=within_days)
    ids = list(Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff, created_at__gte=oldest,
                                           user__is_active=True)
               .exclude(user__email="").values_list("pk", flat=True)[:5000])
    _queue_emails(ids)
    return len(ids)


def notifications_for(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notifications_unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic(durable=True)
def notification_mark_read(*, notification_id: int, acting_user) -> int:
    """Mark one of the acting user's notifications read (another user's is not found: 0)."""
    return Notification.objects.filter(pk=notification_id, user=acting_user, read_at__isnull=True).update(
        read_at=timezone.now())


@transaction.atomic(durable=True)
def notifications_mark_all_read(*, acting_user) -> int:
    return Notification.objects.filter(user=acting_user, read_at__isnull=True).update(read_at=timezone.now())
