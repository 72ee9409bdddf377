"""The assessments app's deadline sweeps (registered with the kernel's registry)."""

from filing_portal.core.deadlines import register_sweep

from .services import batches_flag_report_overdue


@register_sweep("assessments.report_overdue", order=60)
def report_overdue(as_of) -> int:
    """ASM-05: results not reported within 10 WD after the publication are flagged overdue."""
    return batches_flag_report_overdue(as_of)
