"""The staff workbench (issue "Filing", item 9): the review queue, the review page, the filing records."""

from .application import staff_application_action, staff_application_view, staff_objection_action
from .filings import (
    staff_change_override,
    staff_filing_action,
    staff_filing_view,
    staff_filings_view,
    staff_termination_confirm,
)
from .queue import staff_queue_view
from .stop_orders import staff_stop_orders_view

__all__ = [
    "staff_application_action", "staff_application_view", "staff_change_override", "staff_filing_action",
    "staff_filing_view", "staff_filings_view", "staff_objection_action", "staff_queue_view",
    "staff_stop_orders_view", "staff_termination_confirm",
]
