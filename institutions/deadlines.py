"""The institutions app's deadline sweeps (registered with the kernel's registry)."""

from filing_portal.core.deadlines import register_sweep

from .services.applications import applications_complete_notices, applications_expire_supplements
from .services.filings import filings_expire_due


@register_sweep("institutions.supplement_expiry", order=10)
def supplement_expiry(as_of) -> int:
    """FIL-04: supplements not completed in 5 WD terminate the application."""
    return applications_expire_supplements(as_of)


@register_sweep("institutions.notice_completion", order=20)
def notice_completion(as_of) -> int:
    """FIL-07/08: notices over with no open objection complete the filing."""
    return applications_complete_notices(as_of)


@register_sweep("institutions.filing_expiry", order=30)
def filing_expiry(as_of) -> int:
    """REN-02: filings past their validity expire."""
    return filings_expire_due(as_of)
