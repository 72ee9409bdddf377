from filing_portal.core.deadlines import register_sweep
from filing_portal.core.workflow import transition_run

from .models import Ticket


@register_sweep("workflow_app.ticket_expiry")
def expire_overdue_tickets(as_of) -> int:
    """FIL-04-style: a submitted ticket past its due date is terminated by the system."""
    changed = 0
    for ticket in Ticket.objects.filter(state="submitted", due_on__lt=as_of):
        transition_run(instance=ticket, name="expire", acting_user=None, comment=f"due {ticket.due_on}")
        changed += 1
    return changed
