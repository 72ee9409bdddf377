"""整改通知书: the rectification notice of a tier-2 decision (SUP-04, FJ23 Art.22 and 24), as PDF.

Set like the filing result notices (certificates/pdf/notices.py, GB/T 9704 page, Kai face): the title and the
notice number, the addressee, the facts and the article item, the due date, the suspension and the bar on new
occupations, levels and sites (Art.24), what follows an overdue rectification (Art.23(1)), the office and date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from certificates.pdf.notices import _Flow, _render, chinese_date
from filing_portal.core.errors import DomainError

from .cases import ARTICLES
from .models import Case, Tier


@dataclass(frozen=True)
class RectificationNoticeData:
    """What the notice prints; plain data (the fields `_render` of the notices module reads, and the body's)."""

    document_number: str
    applicant: str
    issuing_office: str
    issue_date: dt.date
    filing_number: str
    case_reference: str
    facts: str
    article_label: str
    article_text: str
    due: dt.date
    barred_until: dt.date | None
    title: str = "整改通知书"


def _office_name(region) -> str:
    return f"{region.name}人力资源和社会保障局" if region.level == "city" else f"{region.name}人力资源和社会保障厅"


def render_rectification_notice(data: RectificationNoticeData) -> bytes:
    def body(flow: _Flow) -> None:
        flow.paragraph(f"经查，你单位（备案号：{data.filing_number}）存在以下问题：{data.facts.rstrip('。')}。"
                       f"上述行为属于{data.article_label}“{data.article_text}”所列情形。")
        flow.paragraph(f"根据该条规定，现责令你单位于{chinese_date(data.due)}前完成整改，整改期间暂停评价活动，"
                       "本通知列入监管档案并向社会公布。")
        if data.barred_until:
            flow.paragraph(f"依据该办法第二十四条，备案期内（至{chinese_date(data.barred_until)}）不得增设考点，"
                           "不受理新增评价职业（工种）及等级申请。")
        flow.paragraph("请于整改期限内通过备案门户报送整改报告，经核查合格后恢复评价活动。逾期未完成整改的，"
                       "依据该办法第二十三条第（一）项撤销备案回执，三年内不再受理备案申请。")
        flow.paragraph(f"案件编号：{data.case_reference}。", indent=False)

    return _render(data, body)


def case_notice_pdf(case: Case) -> bytes:
    """SUP-04: the notice of a tier-2 decision (refused, naming the rule, for any other case)."""
    if case.tier != Tier.TIER2 or not case.notice_number:
        raise DomainError(_("Only a tier-2 decision has a rectification notice."), rule="SUP-04", code="no_notice")
    article = ARTICLES[case.article]
    filing = case.filing
    return render_rectification_notice(RectificationNoticeData(
        document_number=case.notice_number, applicant=case.institution.name,
        issuing_office=_office_name(case.region), issue_date=case.decided_on,
        filing_number=filing.number if filing else "", case_reference=case.reference, facts=case.decision,
        article_label=article.source_label, article_text=article.source, due=case.rectification_due,
        barred_until=filing.expansion_barred_until if filing else None))
