"""The institution's own pages: its applications and filings, the multi-step application form, the status page."""

from .institution_details import institution_details_view
from .pages import (
    application_detail,
    application_new,
    application_receipt,
    application_termination_notice,
    application_withdraw_view,
    attachment_download,
    my_applications,
)
from .steps import application_edit, application_edit_start
from .termination import filing_termination_view

__all__ = [
    "application_detail", "application_edit", "application_edit_start", "application_new", "application_receipt",
    "application_termination_notice", "application_withdraw_view", "attachment_download", "filing_termination_view",
    "institution_details_view", "my_applications",
]
