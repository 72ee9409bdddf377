"""Each batch transition routed to its service, for the pages and the API alike.

The services add what the bare FSM transition does not (JUR-04 copy flag, publication dates, certificates,
the SUP-07 record of a refusal), so nothing calls `transition_run` on a batch directly.
"""

from __future__ import annotations

from collections.abc import Callable

from . import services
from .models import AssessmentBatch

#: Transitions that need a reason (the services refuse an empty one).
REASON_TRANSITIONS = ("return_for_changes", "cancel")


class UnknownTransition(LookupError):
    pass


def batch_transition_run(batch: AssessmentBatch, name: str, user, *, ip=None, reason: str = ""):
    """Run transition `name` through its service; returns what the service returns."""
    calls: dict[str, Callable[[], object]] = {
        "submit": lambda: services.batch_submit(batch=batch, acting_user=user, ip=ip),
        "approve": lambda: services.batch_approve(batch=batch, acting_user=user, ip=ip),
        "return_for_changes": lambda: services.batch_return(batch=batch, reason=reason, acting_user=user, ip=ip),
        "conduct": lambda: services.batch_conduct(batch=batch, acting_user=user, ip=ip),
        "publish_results": lambda: services.batch_publish_results(batch=batch, acting_user=user, ip=ip),
        "report_results": lambda: services.batch_report_results(batch=batch, acting_user=user, ip=ip),
        "issue_certificates": lambda: services.batch_issue_certificates(batch=batch, acting_user=user, ip=ip),
        "cancel": lambda: services.batch_cancel(batch=batch, reason=reason, acting_user=user, ip=ip),
    }
    if name not in calls:
        raise UnknownTransition(name)
    return calls[name]()
