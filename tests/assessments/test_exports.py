"""The result summary (AH20 附件4) and the certificate info table (AH20 附件5), opened as a user would open them
(CERT-01, CERT-02, CERT-03, ASM-05, ASM-06)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from assessments.exports import (
    CERTIFICATE_INFO_HEADER,
    certificate_info_xlsx,
    result_summary_xlsx,
    write_table_xlsx,
)
from assessments.imports import errors_report_xlsx
from assessments.models import AssessmentBatch
from assessments.services import (
    CandidateData,
    PlanItem,
    ScoreData,
    batch_approve,
    batch_conduct,
    batch_create,
    batch_issue_certificates,
    batch_publish_results,
    batch_report_results,
    batch_submit,
    candidates_add,
    results_record,
)
from certificates.models import Certificate
from certificates.services import HolderData, certificates_issue
from filing_portal.audit.models import AuditEvent
from institutions.models import FilingScope
from tests.assessments.conftest import STAFF
from tests.assessments.test_batches import conduct_with_results, scheduled  # noqa: F401  (scheduled: a fixture)
from tests.assessments.test_imports import ident
from tests.institutions.conftest import on

D = dt.date.fromisoformat
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _export(queryset, **kwargs) -> tuple[int, list[tuple]]:
    out = io.BytesIO()
    count = certificate_info_xlsx(queryset, out, **kwargs)
    return count, list(_sheet(out.getvalue()).iter_rows(values_only=True))


@pytest.fixture
def issued(scheduled, people):  # noqa: F811
    batch = conduct_with_results(scheduled, people, n=6)
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def test_certificate_info_has_exactly_the_12_columns_in_order__CERT_01(issued, django_assert_max_num_queries):
    assert CERTIFICATE_INFO_HEADER == ("姓名", "证件类型", "证件号码", "所在单位", "职业名称", "工种名称", "职业技能等级",
                                       "证书编号", "发证日期", "评价机构", "发证机构", "考生所在地市")
    with django_assert_max_num_queries(2):
        count, rows = _export(Certificate.objects.filter(batch=issued).order_by("number"))
    assert count == 5 and len(rows) == 6  # the header in row 1, no title, no notes rows
    assert rows[0] == CERTIFICATE_INFO_HEADER
    cert = Certificate.objects.filter(batch=issued).order_by("number").first()
    assert rows[1] == (cert.holder_name, "201", cert.id_number, "合肥某汽修厂", "汽车维修工", "汽车机械维修工",
                       "三级/高级工", cert.number, "2026-04-28", "合肥新华职业技能评价中心", "合肥新华职业技能评价中心",
                       "合肥市")
    assert len(cert.id_number) == 18 and "*" not in rows[1][2]  # the full number: the official upload file
    assert [r[6] for r in rows[1:]] == ["三级/高级工"] * 3 + ["四级/中级工"] * 2


def test_id_type_code_date_text_and_a_certificate_without_candidate__CERT_01_CERT_02(issued, people):
    certificates_issue(filing_number=issued.filing.number, institution_name="合肥新华职业技能评价中心",
                       issue_date=D("2026-05-06"), acting_user=people["inst_user"],
                       holders=[HolderData(holder_name="Anna Schmidt", id_type="208", id_number="C01X00T47",
                                           level=5, occupation_code="4-12-01-01", occupation_name="汽车维修工",
                                           employer="=HYPERLINK(\"http://x\")")])
    out = io.BytesIO()
    certificate_info_xlsx(Certificate.objects.filter(holder_name="Anna Schmidt"), out)
    sheet = _sheet(out.getvalue())
    cells = {CERTIFICATE_INFO_HEADER[c.column - 1]: c for c in sheet[2]}
    assert cells["证件类型"].value == "208" and cells["证件类型"].data_type == "s"  # the CERT-02 code, as text
    assert cells["发证日期"].value == "2026-05-06" and cells["发证日期"].data_type == "s"  # text, not a date cell
    assert cells["职业技能等级"].value == "五级/初级工"
    assert cells["所在单位"].value == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert cells["工种名称"].value is None and cells["考生所在地市"].value is None


def test_mark_uploaded_sets_flag_time_and_one_audit_event__ASM_06(issued, people):
    other = Certificate.objects.exclude(batch=issued)
    assert not other.exists()
    with on("2026-05-06"):
        count, _rows = _export(Certificate.objects.filter(batch=issued, level=3), mark_uploaded=True,
                               acting_user=people["inst_user"])
    assert count == 3
    marked = Certificate.objects.filter(batch=issued, national_upload__isnull=False)
    assert marked.count() == 3 and all(c.uploaded_at is not None for c in marked)
    assert not Certificate.objects.filter(batch=issued, level=4, national_upload__isnull=False).exists()
    event = AuditEvent.objects.get(action="certificates.export_national")
    assert event.data == {"count": 3, "first_upload": 3} and event.actor == people["inst_user"]


def test_without_mark_uploaded_nothing_changes__ASM_06(issued):
    _export(Certificate.objects.filter(batch=issued))
    assert not Certificate.objects.filter(national_upload__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="certificates.export_national").exists()


# -- 附件4 -----------------------------------------------------------------------------------------------------
CAR, LATHE = ("4-12-01-01", "汽车机械维修工"), ("6-18-01-01", "")


def assessed_batch(filing, people, occupations, *, exam: str, planned: int, outcomes, first: int):
    """A batch whose candidates have the given (occupation, level, passed) outcomes, results recorded."""
    items = sorted({(code, work_type, level) for (code, work_type), level, _passed in outcomes})
    with on("2026-04-01"):
        batch = batch_create(filing=filing, acting_user=people["inst_user"], exam_start=D(exam), exam_end=D(exam),
                             venue_address="合肥市蜀山区实训楼1号", candidate_source="社会人员", planned_count=planned,
                             items=[PlanItem(occupations[c].pk, lvl, wt) for c, wt, lvl in items], staff=STAFF)
        batch_submit(batch=batch, acting_user=people["inst_user"])
        batch_approve(batch=batch, acting_user=people["city_hefei"])
    rows = [CandidateData(name=f"考生{first + i}", gender="M", id_type="201", id_number=ident(first + i),
                          occupation_code=code, level=level, work_type=work_type, city="合肥市")
            for i, ((code, work_type), level, _passed) in enumerate(outcomes)]
    candidates_add(batch=batch, rows=rows, acting_user=people["inst_user"])
    with on(exam):
        batch_conduct(batch=batch, acting_user=people["inst_user"])
        batch = AssessmentBatch.objects.get(pk=batch.pk)
        by_name = {c.name: c.pk for c in batch.candidates.all()}
        results_record(batch=batch, acting_user=people["inst_user"], scores=[
            ScoreData(by_name[f"考生{first + i}"], theory=Decimal(80), practical=Decimal(80 if passed else 50))
            for i, (_occupation, _level, passed) in enumerate(outcomes)])
    return AssessmentBatch.objects.get(pk=batch.pk)


@pytest.fixture
def two_batches(filing, people, occupations):
    FilingScope.objects.create(filing=filing, occupation=occupations["6-18-01-01"], work_type="", level=4,
                               added_on=D("2026-03-10"), added_by=filing.source_application)
    first = assessed_batch(filing, people, occupations, exam="2026-04-20", planned=40, first=0, outcomes=[
        (CAR, 3, True), (CAR, 3, True), (CAR, 3, True), (CAR, 3, False), (CAR, 4, True), (CAR, 4, True),
        (CAR, 5, True), (CAR, 5, False), (LATHE, 4, True), (LATHE, 4, True), (LATHE, 4, False)])
    second = assessed_batch(filing, people, occupations, exam="2026-04-22", planned=20, first=100, outcomes=[
        (CAR, 3, True), (CAR, 3, True), (LATHE, 4, True), (LATHE, 4, False)])
    return first, second


def _summary(batches) -> list[tuple]:
    out = io.BytesIO()
    result_summary_xlsx(batches, out, filled_on=D("2026-05-06"))
    return list(_sheet(out.getvalue()).iter_rows(values_only=True))


def test_result_summary_counts_passers_per_work_type_and_level__CERT_03_ASM_05(two_batches,
                                                                              django_assert_max_num_queries):
    first, _second = two_batches
    with django_assert_max_num_queries(3):
        rows = _summary(first)
    assert rows[0][0] == "职业技能等级认定结果汇总表"
    assert "填报单位（章）：合肥新华职业技能评价中心" in rows[1][0] and "填报日期：2026年05月06日" in rows[1][0]
    assert (rows[2][0], rows[2][1], rows[2][4], rows[2][5]) == ("认定时间", "2026年04月20日", "备案人数", 40)
    assert (rows[3][0], rows[3][1]) == ("考生来源", "社会人员")
    assert (rows[4][0], rows[4][1], rows[4][4], rows[4][5]) == ("认定人数", 11, "合格人数", 8)
    assert (rows[5][0], rows[5][1]) == ("认定工种", "等级及合格人数")
    assert rows[6][1:] == ("初级", "中级", "高级", "技师", "高级技师", "小计")
    assert rows[7] == ("汽车维修工（汽车机械维修工）", 1, 2, 3, 0, 0, 6)
    assert rows[8] == ("车工", 0, 2, 0, 0, 0, 2)
    assert rows[9] == ("合计", 1, 4, 3, 0, 0, 8)
    assert all(type(v) is int for v in rows[9][1:])  # numbers stay numbers
    assert rows[10][0] == "受理备案的人社部门所属职业技能鉴定（指导）中心意见" and "负责人" in rows[10][1]
    assert rows[11][0] == "受理备案的人力资源社会保障行政部门意见" and "年" in rows[11][1]
    assert rows[12][0].startswith("备注：本表一式三份")


def test_result_summary_aggregates_over_batches__CERT_03(two_batches):
    rows = _summary(AssessmentBatch.objects.filter(pk__in=[b.pk for b in two_batches]))
    assert rows[2][1] == "2026年04月20日至2026年04月22日" and rows[2][5] == 60
    assert (rows[4][1], rows[4][5]) == (15, 11)
    assert rows[7] == ("汽车维修工（汽车机械维修工）", 1, 2, 5, 0, 0, 8)
    assert rows[8] == ("车工", 0, 3, 0, 0, 0, 3)
    assert rows[9] == ("合计", 1, 5, 5, 0, 0, 11)
    assert rows == _summary(list(two_batches))  # a list of batches works the same


# -- formula neutralisation -----------------------------------------------------------------------------------
def _written_text_cells(values: list[str], writer: str) -> list[str]:
    if writer == "xlsxwriter":
        out = io.BytesIO()
        write_table_xlsx(out, ["列"], [[v] for v in values])
        content = out.getvalue()
    else:  # openpyxl, write-only (the errors report)
        content = errors_report_xlsx({i + 1: {"列": v} for i, v in enumerate(values)})
    sheet = _sheet(content)
    column = 1 if writer == "xlsxwriter" else 3
    return [c.value for c in next(sheet.iter_cols(min_col=column, max_col=column, min_row=2))]


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.text(max_size=20), min_size=1, max_size=6))
def test_no_text_cell_starts_a_formula__CERT_01(writer, values):
    for cell in _written_text_cells(values, writer):
        if isinstance(cell, str):
            assert not cell.startswith(TRIGGERS) or cell.startswith("'"), cell


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_formula_like_text_is_kept_behind_a_quote__CERT_01(writer):
    values = ["=1+1", "+86 139", "-5", "@SUM(A1)", "\tx", "_x003D_1+1", "普通文本", "'已转义"]
    assert _written_text_cells(values, writer)[:5] == ["'=1+1", "'+86 139", "'-5", "'@SUM(A1)", "'\tx"]
    assert _written_text_cells(values, writer)[6:] == ["普通文本", "'已转义"]
    if writer == "xlsxwriter":
        # Excel decodes _xHHHH_ escapes in strings ("_x003D_" would show as "="); xlsxwriter escapes the
        # underscore, so Excel shows the literal text. openpyxl reads the escape back undecoded.
        assert _written_text_cells(values, writer)[5] == "_x005F_x003D_1+1"
