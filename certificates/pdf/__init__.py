"""PDFs of the documents the portal issues, rendered from plain data (no models, no database).

- the certificate (职业技能等级证书, AH20 附件6, CERT-04): render_certificate, render_certificates;
- the filing result notices (SC21 附件3): render_filing_receipt (样式一, FIL-08),
  render_termination_notice (样式二, FIL-04).

All text is set in the Kai face (certificates.fonts); output is invariant:
the same input gives the same bytes.
"""

from .certificate import (
    LEFT_PAGE_BODY,
    LEVEL_LABELS,
    NO_WORK_TYPE,
    CertificateData,
    render_certificate,
    render_certificates,
)
from .drawing import qr_matrix, qr_runs
from .notices import FilingNoticeData, chinese_date, render_filing_receipt, render_termination_notice

__all__ = [
    "LEFT_PAGE_BODY",
    "LEVEL_LABELS",
    "NO_WORK_TYPE",
    "CertificateData",
    "FilingNoticeData",
    "chinese_date",
    "qr_matrix",
    "qr_runs",
    "render_certificate",
    "render_certificates",
    "render_filing_receipt",
    "render_termination_notice",
]
