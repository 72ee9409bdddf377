"""The supervision app's deadline sweeps (registered with the kernel's registry)."""

from filing_portal.core.deadlines import register_sweep  # noqa: F401


# -- complaints (SUP-02): an open complaint past its response due date is flagged once ----------------------
@register_sweep("supervision.complaints_overdue", order=60)
def _complaints_overdue(as_of):
    from .complaints import complaints_flag_overdue

    return complaints_flag_overdue(as_of)


# -- cases (SUP-03…06): what the sweep detects is proposed for staff to confirm or dismiss ------------------
@register_sweep("supervision.cases_rectification_overdue", order=70)
def _cases_rectification_overdue(as_of):
    from .detections import detect_rectification_overdue

    return detect_rectification_overdue(as_of)


@register_sweep("supervision.cases_inactive_filings", order=72)
def _cases_inactive_filings(as_of):
    from .detections import detect_inactive_filings

    return detect_inactive_filings(as_of)


@register_sweep("supervision.cases_batch_violations", order=74)
def _cases_batch_violations(as_of):
    from .detections import detect_batch_violations

    return detect_batch_violations(as_of)
