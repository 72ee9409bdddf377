"""The renewals app's deadline sweeps (registered with the kernel's registry).

Order: the expiry (institutions, 30) before the lapse (40) before the reminders (50), so one sweep moves a
filing and sends the reminder of its new state; then the evaluation overdue flags (60).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import DateField, ExpressionWrapper, F

from filing_portal.audit.services import audit_record_many
from filing_portal.core.deadlines import register_sweep
from filing_portal.workdays.calendar import register_recompute
from institutions.services.filings import filings_lapse_due, sweep_chunk_size

from .models import RenewalApplication
from .reminders import reminders_send_due
from .services import renewal_evaluation_due_recompute

# REN-07: provisional evaluation due dates are recomputed when the year's official schedule is entered.
register_recompute(renewal_evaluation_due_recompute)


@register_sweep("renewals.filing_lapse", order=40)
def filing_lapse(as_of: dt.date) -> int:
    """REN-03: after the grace period without a pending renewal application the filing lapses (published)."""
    pending = RenewalApplication.objects.filter(state__in=RenewalApplication.PENDING_STATES).values("filing_id")
    return filings_lapse_due(as_of, held=pending)


@register_sweep("renewals.reminders", order=50)
def reminders(as_of: dt.date) -> int:
    """REN-01/02/03: reminders at 90, 30, 7 days before expiry, on expiry and 7 days before the grace ends."""
    return reminders_send_due(as_of)


@register_sweep("renewals.evaluation_overdue", order=60)
def evaluation_overdue(as_of: dt.date) -> int:
    """REN-07: an evaluation not decided by its due date (+30 WD) is flagged once, from the first day late."""
    return renewals_flag_overdue(as_of)


def renewals_flag_overdue(as_of: dt.date, *, chunk_size: int | None = None) -> int:
    """Set `evaluation_overdue_on` (the day after the due date, however late the sweep runs) once; batched."""
    size = chunk_size or sweep_chunk_size()
    due = RenewalApplication.objects.filter(state=RenewalApplication.State.UNDER_EVALUATION,
                                            evaluation_due__lt=as_of, evaluation_overdue_on__isnull=True)
    changed = 0
    while True:
        with transaction.atomic():
            queryset = due.order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                queryset = queryset.select_for_update(skip_locked=True, of=("self",))
            rows = list(queryset.values_list("pk", "reference", "evaluation_due")[:size])
            if not rows:
                return changed
            RenewalApplication.objects.filter(pk__in=[r[0] for r in rows]).update(evaluation_overdue_on=ExpressionWrapper(
                F("evaluation_due") + dt.timedelta(days=1), output_field=DateField()))
            audit_record_many(entries=[
                {"action": "renewalapplication.evaluation_overdue", "object_type": "renewals.renewalapplication",
                 "object_id": pk, "object_repr": reference, "comment": "REN-07",
                 "data": {"evaluation_due": due_on, "overdue_on": due_on + dt.timedelta(days=1)}}
                for pk, reference, due_on in rows])
        changed += len(rows)
