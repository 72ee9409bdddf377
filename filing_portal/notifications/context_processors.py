"""The unread count for the navigation bar (wired into TEMPLATES by the lead)."""

from .services import notifications_unread_count


def unread(request):
    """`notifications_unread`: the signed-in user's unread notifications (0 for visitors)."""
    user = getattr(request, "user", None)
    return {"notifications_unread": notifications_unread_count(user) if user is not None else 0}
