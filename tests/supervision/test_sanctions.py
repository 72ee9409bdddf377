"""The rectification notice (整改通知书) a tier-2 decision issues, and the record it leaves (SUP-04, FJ23 Art.22, 24)."""

import io
import re

import pytest
from pypdf import PdfReader

from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError
from supervision.cases import case_decide
from supervision.pdf import case_notice_pdf
from tests.supervision.fixtures import (  # noqa: F401
    draft,
    filing,
    investigating_case,
    occupations,
    on,
    people,
    regions,
)


def text(pdf: bytes) -> str:
    return re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_notice_names_the_article_the_due_date_and_the_bar__SUP_04(filing, people):  # noqa: F811
    case = investigating_case(filing, people["city_hefei"])
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier2", article="22.7", decision="在招生广告中宣传“包过”",
                           acting_user=people["city_hefei"])
    body = text(case_notice_pdf(case))
    assert "整改通知书" in body and case.notice_number in body and filing.number in body
    assert "第二十二条第（七）项" in body and "2026年6月2日" in body  # the item and the due date
    assert "第二十四条" in body and "2029年3月9日" in body  # no new occupations, levels or sites until
    assert filing.institution.name in body and "合肥市人力资源和社会保障局" in body
    bar = AuditEvent.objects.get(action="filing.expansion_bar")
    assert bar.actor_name and bar.data["case"] == case.reference


def test_only_a_tier2_decision_has_a_notice__SUP_04(filing, people):  # noqa: F811
    case = investigating_case(filing, people["city_hefei"])
    with on("2026-05-06"):
        case = case_decide(case=case, tier="none", decision="不构成违规", acting_user=people["city_hefei"])
    with pytest.raises(DomainError) as err:
        case_notice_pdf(case)
    assert err.value.rule == "SUP-04"
