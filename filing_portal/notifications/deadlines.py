"""The notifications' sweep: e-mails whose task never ran are queued again (DESIGN.md "Time": stored, not
only queued)."""

from filing_portal.core.deadlines import register_sweep

from .services import notifications_email_pending


@register_sweep("notifications.email_retry", order=900)
def email_retry(as_of) -> int:
    return notifications_email_pending()
