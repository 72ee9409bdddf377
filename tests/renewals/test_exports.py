# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""The renewal form (FJ22 附件1) as PDF and .xlsx, the work summary (附件2) and the new filing letter (REN-08)."""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from filing_portal.core.errors import DomainError
from renewals.exports import filing_letter_pdf, renewal_form_pdf, renewal_form_xlsx, work_summary_pdf
from renewals.models import RenewalApplication
from tests.renewals.fixtures_app import (  # noqa: F401
    approved,
    filing,
    filing_with_batches,
    occupations,
    people,
    regions,
    submitted,
)


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_form_pdf_prints_the_institution_the_plans_and_the_pledge__REN_06(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    text = text_of(renewal_form_pdf(application))
    assert "职业技能等级评价机构备案续期申请表" in text
    assert people["inst"].name in text and filing_with_batches.number in text and "2026-05-31" in text
    assert "李所长" in text and "合肥市" in text
    for plan in application.plans.all():
        assert plan.plan_number in text
    assert "诚信承诺" in text and "2026年4月1日" in text


def test_the_form_xlsx_is_laid_out_like_the_source_table__REN_06(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    out = io.BytesIO()
    renewal_form_xlsx(application, out)
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    assert ws["A1"].value == "职业技能等级评价机构备案续期申请表"
    cells = {ws.cell(row=r, column=c).value for r in range(1, ws.max_row + 1) for c in range(1, 10)}
    for label in ("机构名称", "备案地址", "机构备案号", "备案到期时间", "评价业务负责人", "评价业务联系人", "电子邮箱",
                  "备案所属地", "评价计划号", "是否上网", "评价年份", "三、诚信承诺"):
        assert label in cells
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=2).value == "评价计划号")
    first = application.plans.first()
    row = [ws.cell(row=header + 1, column=c).value for c in range(1, 10)]
    assert row == [1, first.plan_number, "汽车维修工", "汽车机械维修工", "三级", 3, 2, "是", first.year]
    assert ws.cell(row=header + 6, column=1).value == 6  # always six rows, as the form
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}


def test_the_work_summary_has_its_three_sections_and_the_figures__REN_06(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    text = text_of(work_summary_pdf(application))
    for heading in ("一、开展职业技能等级认定的基本情况", "二、存在问题", "三、下阶段工作"):
        assert heading in text
    assert "共组织认定6批次" in text and "认定18人次" in text and "合格12人次" in text
    assert "社会培训评价组织" in text and filing_with_batches.number in text
    assert "无整改通知" in text and "完善制度规范" in text


def test_the_new_filing_letter_keeps_the_number_and_names_the_new_validity__REN_08_REN_09(filing_with_batches,
                                                                                          people):
    application = approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    text = text_of(filing_letter_pdf(application))
    assert filing_with_batches.number in text and "2029年5月31日" in text and "2026年6月1日" in text
    assert "汽车维修工（汽车机械维修工）" in text and people["inst"].name in text


def test_no_filing_letter_before_approval__REN_08(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    with pytest.raises(DomainError) as err:
        filing_letter_pdf(RenewalApplication.objects.get(pk=application.pk))
    assert err.value.rule == "REN-08"
