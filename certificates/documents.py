"""From certificate rows to the PDF module's plain data (the PDF module knows no models)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext_lazy

from filing_portal.personal_data import IdType

from .models import Certificate
from .pdf import CertificateData, render_certificate, render_certificates
from .verification import verify_url

# What a user sees when the Kai font is missing on the server (fonts.KaiFontMissing): a 503 with
# this message, never a 500. The details (path, Debian package) go to the log for the operators.
PDF_UNAVAILABLE = gettext_lazy(
    "Certificate PDFs cannot be produced at the moment: the Kai font they are printed in is not installed "
    "on the server. The administrators have been notified; please try again later."
)


def _photo_bytes(cert: Certificate) -> bytes | None:
    if not cert.photo:
        return None
    try:
        with cert.photo.open("rb") as fh:
            return fh.read()
    except OSError:  # a missing file prints the placeholder frame rather than failing the whole batch
        return None


def certificate_pdf_data(cert: Certificate) -> CertificateData:
    return CertificateData(
        number=cert.number, holder_name=cert.holder_name, id_type_label=IdType(cert.id_type).label,
        id_number=cert.id_number, employer=cert.employer, occupation_code=cert.occupation_code,
        occupation_name=cert.occupation_name, work_type=cert.work_type, level=cert.level,
        issue_date=cert.issue_date, institution_name=cert.institution_name, filing_number=cert.filing_number,
        verify_url=verify_url(cert.number), photo=_photo_bytes(cert), status_voided=cert.status == "voided",
    )


def certificate_pdf_bytes(cert: Certificate) -> bytes:
    return render_certificate(certificate_pdf_data(cert), site_url=settings.PORTAL_BASE_URL)


def certificates_pdf_write(certs: Iterable[Certificate], out, *, progress=None) -> int:
    """One multi-page PDF (the font subset embedded once); returns the page count."""
    return render_certificates((certificate_pdf_data(c) for c in certs), out, site_url=settings.PORTAL_BASE_URL,
                               progress=progress)
