"""The filing receipt (result notice style 1, FIL-08) and the termination notice (style 2, FIL-04)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from certificates.models import LEVEL_LABELS
from certificates.pdf import FilingNoticeData, render_filing_receipt, render_termination_notice
from filing_portal.core.errors import DomainError

from .models import Filing, FilingApplication


def _office_name(region) -> str:
    return f"{region.name}人力资源和社会保障局" if region.level == "city" else f"{region.name}人力资源和社会保障厅"


def _document_number(application: FilingApplication) -> str:
    return f"备字〔{application.decided_on.year if application.decided_on else ''}〕{application.pk:05d}号"


def _occupation_rows(application: FilingApplication) -> list[tuple[str, str]]:
    rows = []
    for row in application.occupations.select_related("occupation"):
        name = f"{row.occupation.name}（{row.work_type}）" if row.work_type else row.occupation.name
        rows.extend((name, str(LEVEL_LABELS[int(level)])) for level in sorted(row.levels))
    return rows


def filing_receipt_pdf(application: FilingApplication) -> bytes:
    """FIL-08: the receipt names the number, the validity and where the result is published."""
    if application.state != FilingApplication.State.APPROVED or application.kind == "info_change":
        raise DomainError("The receipt exists once the filing is complete.", rule="FIL-08", code="no_receipt")
    filing = (Filing.objects.filter(source_application=application).first()
              or application.filing)
    directory = settings.PORTAL_BASE_URL.rstrip("/") + reverse("institutions:directory")
    return render_filing_receipt(FilingNoticeData(
        document_number=_document_number(application), applicant=application.institution.name,
        institution_name=application.institution.name, issuing_office=_office_name(application.handling_region),
        issue_date=application.decided_on, occupations=_occupation_rows(application),
        filing_number=filing.number, valid_from=filing.valid_from, valid_to=filing.expires_on,
        publication_place=directory,
    ))


def termination_notice_pdf(application: FilingApplication) -> bytes:
    """FIL-04: notice style 2 with the reason and the clause."""
    if application.state != FilingApplication.State.TERMINATED:
        raise DomainError("Only a terminated application has a termination notice.", rule="FIL-04",
                          code="no_notice")
    return render_termination_notice(FilingNoticeData(
        document_number=_document_number(application), applicant=application.institution.name,
        institution_name=application.institution.name, issuing_office=_office_name(application.handling_region),
        issue_date=application.decided_on, termination_reason=application.termination_reason,
        termination_clause=application.termination_clause,
    ))
