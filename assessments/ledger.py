"""工作台账: the institution's work ledger of its evaluation activity (REC-03; SC21 §5(2), FJ23 Art.11).

One row per assessment batch the institution planned, under any of its filings, with what happened to it:
candidates, results, certificates, the office's spot checks and violations. The page and the download read
the same selector. The download has a second sheet with one row per certificate issued in those batches;
ID numbers in it are masked (PUB-04): the ledger is a record, not the national upload file (附件5 is that).

Counts are correlated subqueries, not joined COUNT(DISTINCT …): joining candidates, certificates, spot checks
and violations at once would multiply the rows of a big batch before grouping.

The workbook is written like `exports.write_table_xlsx` (xlsxwriter in constant-memory mode, certificates from
a chunked iterator, every text cell through `escape_formula`), but with two sheets and a totals row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import translation

from certificates.batch_verify import escape_formula
from certificates.models import Certificate
from filing_portal.audit.services import audit_record
from filing_portal.personal_data import mask_id_number

from .exports import FETCH_CHUNK, LEVEL_NAMES
from .forms import LEVEL_SHORT
from .models import AssessmentBatch, BatchViolation, Candidate, SpotCheck
from .selectors import batches_visible_to

BATCH_SHEET = "评价批次台账"
CERTIFICATE_SHEET = "证书台账"
BATCH_HEADER = ("计划编号", "备案编号", "认定开始日期", "认定结束日期", "认定地点", "职业（工种）及等级", "计划人数",
                "报名人数", "实际认定人数", "合格人数", "合格率", "结果公示日期", "结果上报日期", "发证日期",
                "发放证书数", "已上传证书数", "状态", "督导抽查次数", "违规记录数")
BATCH_WIDTHS = (16, 15, 12, 12, 30, 36, 9, 9, 11, 9, 9, 12, 12, 12, 10, 11, 12, 11, 10)
BATCH_TEXT_COLUMNS = (0, 1, 2, 3, 11, 12, 13)
PASS_RATE_COLUMN = BATCH_HEADER.index("合格率")
OCCUPATION_COLUMN = BATCH_HEADER.index("职业（工种）及等级")
TOTAL_LABEL = "合计"
CERTIFICATE_HEADER = ("证书编号", "计划编号", "姓名", "证件号码", "职业名称", "工种名称", "职业技能等级", "发证日期",
                      "状态", "已上传全国联网查询")
CERTIFICATE_WIDTHS = (26, 16, 12, 22, 20, 20, 16, 12, 8, 16)
CERTIFICATE_TEXT_COLUMNS = (0, 1, 3, 7)
CERTIFICATE_STATUS = {"valid": "有效", "voided": "作废"}


# -- reads ----------------------------------------------------------------------------------------------------
def _count(qs: QuerySet) -> Coalesce:
    """COUNT(*) of `qs` (already filtered on `batch=OuterRef("pk")`) as a correlated subquery, 0 when none."""
    grouped = qs.order_by().values("batch").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(grouped, output_field=IntegerField()), Value(0))


def ledger_batches(user, institution, *, year: int | None = None, state: str = "") -> QuerySet[AssessmentBatch]:
    """REC-03: the institution's batches as `user` sees them (JUR-03: the office sees the plans filed with it,
    not the institution's unsent drafts), newest exam first, with the ledger's counts annotated.

    Two queries whatever the number of rows: the batches with their counts, and their occupations and levels.
    """
    here = OuterRef("pk")
    candidates = Candidate.objects.filter(batch=here)
    certificates = Certificate.objects.filter(batch=here)
    qs = batches_visible_to(user).filter(institution_id=institution.pk)
    if year:
        qs = qs.filter(exam_start__year=year)
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(
        candidate_count=_count(candidates),
        assessed_count=_count(candidates.filter(result__in=(Candidate.Result.PASS, Candidate.Result.FAIL))),
        passed_count=_count(candidates.filter(result=Candidate.Result.PASS)),
        certificate_count=_count(certificates),
        uploaded_count=_count(certificates.filter(national_upload__isnull=False)),
        spot_check_count=_count(SpotCheck.objects.filter(batch=here)),
        violation_count=_count(BatchViolation.objects.filter(batch=here)),
    ).order_by("-exam_start", "-pk")


def ledger_years(user, institution) -> list[int]:
    """The exam years the institution's ledger holds, newest first (the page's year filter)."""
    days = batches_visible_to(user).filter(institution_id=institution.pk).dates("exam_start", "year", order="DESC")
    return [day.year for day in days]


def ledger_certificates(batches: QuerySet[AssessmentBatch]) -> QuerySet[Certificate]:
    """The certificates issued in `batches` (valid and voided), batch by batch as in the ledger, then by number."""
    return (Certificate.objects.filter(batch__in=batches.order_by().values("pk"))
            .order_by("-batch__exam_start", "-batch_id", "number"))


def pass_rate(passed: int, assessed: int) -> float | None:
    """Passers over candidates assessed (pass or fail); None when nobody was assessed."""
    return passed / assessed if assessed else None


def occupation_lines(batch: AssessmentBatch) -> list[str]:
    """汽车维修工（汽车机械维修工）三级、四级: one line per occupation (work type), from the prefetched items."""
    groups: dict[tuple[str, str], list[int]] = {}
    for item in batch.items.all():
        groups.setdefault((item.occupation.name, item.work_type), []).append(item.level)
    return [f"{name}{f'（{work}）' if work else ''}{'、'.join(LEVEL_SHORT[lv] for lv in sorted(levels))}"
            for (name, work), levels in groups.items()]


@dataclass
class LedgerTotals:
    """The totals row: sums over the batches listed."""

    batches: int = 0
    planned: int = 0
    candidates: int = 0
    assessed: int = 0
    passed: int = 0
    certificates: int = 0
    uploaded: int = 0
    spot_checks: int = 0
    violations: int = 0

    def add(self, batch: AssessmentBatch) -> None:
        self.batches += 1
        self.planned += batch.planned_count
        self.candidates += batch.candidate_count
        self.assessed += batch.assessed_count
        self.passed += batch.passed_count
        self.certificates += batch.certificate_count
        self.uploaded += batch.uploaded_count
        self.spot_checks += batch.spot_check_count
        self.violations += batch.violation_count

    @property
    def pass_rate(self) -> float | None:
        return pass_rate(self.passed, self.assessed)


def ledger_totals(batches: Iterable[AssessmentBatch]) -> LedgerTotals:
    totals = LedgerTotals()
    for batch in batches:
        totals.add(batch)
    return totals


# -- the workbook ---------------------------------------------------------------------------------------------
class _Sheet:
    """One constant-memory worksheet: header in row 1, rows appended in order (xlsxwriter's constraint)."""

    def __init__(self, workbook, name: str, header: Sequence[str], *, widths: Sequence[float],
                 text_columns: Iterable[int], formats: dict[int, Any] | None = None):
        self.sheet = workbook.add_worksheet(name)
        self.formats = formats or {}
        self.bold = workbook.add_format({"bold": True})
        text = workbook.add_format({"num_format": "@"})
        text_columns = set(text_columns)
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width, text if column in text_columns else None)
        self.sheet.freeze_panes(1, 0)
        for column, title in enumerate(header):
            self.sheet.write_string(0, column, escape_formula(title), self.bold)
        self.row = 0

    def append(self, values: Sequence[Any], *, styles: dict | None = None, default=None) -> None:
        """The next row; `styles` maps columns to cell formats (else the sheet's), `default` for the rest."""
        self.row += 1
        sheet, row, styles = self.sheet, self.row, self.formats if styles is None else styles
        for column, value in enumerate(values):
            style = styles.get(column, default)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(row, column, escape_formula(value), style)
            elif isinstance(value, bool):
                sheet.write_string(row, column, "是" if value else "否", style)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(row, column, float(value), style)
            elif isinstance(value, dt.date):
                sheet.write_string(row, column, value.isoformat()[:10], style)
            else:
                sheet.write_string(row, column, escape_formula(str(value)), style)


def _batch_row(batch: AssessmentBatch) -> tuple:
    return (batch.plan_number, batch.filing.number, batch.exam_start, batch.exam_end, batch.venue_address,
            "\n".join(occupation_lines(batch)), batch.planned_count, batch.candidate_count, batch.assessed_count,
            batch.passed_count, pass_rate(batch.passed_count, batch.assessed_count), batch.publish_from,
            batch.reported_on, batch.certificates_issued_on, batch.certificate_count, batch.uploaded_count,
            str(batch.get_state_display()), batch.spot_check_count, batch.violation_count)


def _totals_row(totals: LedgerTotals) -> tuple:
    return (TOTAL_LABEL, None, None, None, None, None, totals.planned, totals.candidates, totals.assessed,
            totals.passed, totals.pass_rate, None, None, None, totals.certificates, totals.uploaded, None,
            totals.spot_checks, totals.violations)


def _certificate_rows(certificates: QuerySet[Certificate]):
    fields = ("number", "batch__plan_number", "holder_name", "id_number", "occupation_name", "work_type", "level",
              "issue_date", "status", "national_upload__uploaded_at")
    for (number, plan_number, name, id_number, occupation, work_type, level, issued, status,
         uploaded) in certificates.values_list(*fields).iterator(chunk_size=FETCH_CHUNK):
        # PUB-04: the ledger never carries the full ID number.
        yield (number, plan_number, name, mask_id_number(id_number), occupation, work_type,
               LEVEL_NAMES.get(level, str(level)), issued, CERTIFICATE_STATUS.get(status, status),
               uploaded is not None)


def ledger_xlsx(batches: QuerySet[AssessmentBatch], out) -> tuple[int, int]:
    """The ledger workbook written to `out` (a path or binary file); returns (batch rows, certificate rows).

    Sheet 1 评价批次台账: one row per batch of `batches` (`ledger_batches`), then the 合计 row. Sheet 2 证书台账:
    one row per certificate issued in them, ID numbers masked. Dates are YYYY-MM-DD text, the pass rate a
    number shown as a percentage, state names in Chinese.
    """
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    try:
        percent = workbook.add_format({"num_format": "0.0%"})
        bold_percent = workbook.add_format({"num_format": "0.0%", "bold": True})
        wrap = workbook.add_format({"text_wrap": True})
        with translation.override("zh-hans"):
            sheet = _Sheet(workbook, BATCH_SHEET, BATCH_HEADER, widths=BATCH_WIDTHS,
                           text_columns=BATCH_TEXT_COLUMNS,
                           formats={PASS_RATE_COLUMN: percent, OCCUPATION_COLUMN: wrap})
            totals = LedgerTotals()
            for batch in batches.iterator(chunk_size=FETCH_CHUNK):  # the items prefetch runs per chunk
                totals.add(batch)
                sheet.append(_batch_row(batch))
            sheet.append(_totals_row(totals), styles={PASS_RATE_COLUMN: bold_percent}, default=sheet.bold)
        certificates = _Sheet(workbook, CERTIFICATE_SHEET, CERTIFICATE_HEADER, widths=CERTIFICATE_WIDTHS,
                              text_columns=CERTIFICATE_TEXT_COLUMNS)
        for row in _certificate_rows(ledger_certificates(batches)):
            certificates.append(row)
    finally:
        workbook.close()
    return totals.batches, certificates.row


# -- the download ---------------------------------------------------------------------------------------------
@transaction.atomic
def ledger_export(*, institution, out, acting_user, year: int | None = None, state: str = "",
                  ip: str | None = None) -> tuple[int, int]:
    """REC-03: the ledger workbook of `institution` as `acting_user` sees it, written to `out`.

    It holds personal data (holders' names, masked ID numbers), so the download is audited (REC-01): one event
    on the institution with the filters and the row counts, never the rows themselves.
    """
    batches = ledger_batches(acting_user, institution, year=year, state=state)
    batch_rows, certificate_rows = ledger_xlsx(batches, out)
    audit_record(actor=acting_user, action="assessments.ledger_export", obj=institution, ip=ip,
                 data={"year": year, "state": state, "batches": batch_rows, "certificates": certificate_rows})
    return batch_rows, certificate_rows
