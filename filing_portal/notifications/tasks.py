"""Celery tasks of the notifications: they only call services and are idempotent (acks_late)."""

from celery import shared_task

from .services import notifications_email


@shared_task(acks_late=True, name="filing_portal.notifications.tasks.notifications_email_task")
def notifications_email_task(notification_ids: list[int]) -> int:
    """E-mail the given notifications (those not e-mailed yet); queued after the sending transaction commits."""
    return notifications_email(notification_ids=notification_ids)
