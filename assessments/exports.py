"""认定结果上报: the result summary (AH20 附件4, CERT-03) and the certificate info table (AH20 附件5, CERT-01).

Both are reported within 10 WD of the end of the publication (ASM-05); the certificate info table is also
the file uploaded to the national lookup (ASM-06), so it is exactly the source's 12 columns, header in row 1,
no title and no notes rows (附件5 备注 5: the uploaded file carries no notes).

The certificate table is streamed: xlsxwriter in constant_memory mode writes each row to a temporary file as
it comes, and the rows come from a chunked database iterator, so 100,000 certificates never sit in memory.
xlsxwriter rather than openpyxl's write-only mode: measured on 100,000 × 12 text cells it writes in 5.2 s
where openpyxl with lxml takes 7.0 s (bench/bench_certificate_export.py). The summary is a small, formatted
form (merged cells, borders), written with openpyxl.

Every text cell passes through `certificates.batch_verify.escape_formula` (= + - @ tab CR → leading ');
numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import Count, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from certificates.batch_verify import escape_formula
from certificates.models import Certificate
from certificates.services import certificates_mark_uploaded
from filing_portal.core import clock

from .models import AssessmentBatch, Candidate

# NUM-06 / AH20 附件3: the level as printed on certificates and in the 附件5 table.
LEVEL_NAMES = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}

# CERT-01: AH20 附件5, in this order.
CERTIFICATE_INFO_HEADER = ("姓名", "证件类型", "证件号码", "所在单位", "职业名称", "工种名称", "职业技能等级",
                           "证书编号", "发证日期", "评价机构", "发证机构", "考生所在地市")
CERTIFICATE_INFO_WIDTHS = (12, 10, 22, 30, 20, 20, 16, 26, 12, 30, 30, 14)
CERTIFICATE_INFO_TEXT_COLUMNS = (1, 2, 7, 8)  # codes, ID and certificate numbers, dates: Excel must keep them text

# CERT-03: AH20 附件4 columns, level code per column (初级 = 五级 … 高级技师 = 一级).
SUMMARY_LEVELS = (("初级", 5), ("中级", 4), ("高级", 3), ("技师", 2), ("高级技师", 1))
SUMMARY_TITLE = "职业技能等级认定结果汇总表"
SUMMARY_NOTE = "备注：本表一式三份，评价机构、市人力资源社会保障部门、省职业技能鉴定中心分别留存。"
SIGNATURE_BLOCKS = ("受理备案的人社部门所属职业技能鉴定（指导）中心意见", "受理备案的人力资源社会保障行政部门意见")
SIGNATURE_LINE = "负责人：            年      月      日"

FETCH_CHUNK = 2000


# -- streamed tables ------------------------------------------------------------------------------------------
def write_table_xlsx(out, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Sheet1",
                     text_columns: Iterable[int] = (), widths: Sequence[float] = ()) -> int:
    """One sheet, header in row 1, `rows` streamed below it; returns the number of data rows written.

    `out` is a path or a binary file object. Text goes through `escape_formula`; int, float and Decimal
    stay numbers; dates become `YYYY-MM-DD` text; None is an empty cell. `text_columns` (0-based) get the
    text number format, so a number typed there later stays text.
    """
    workbook = xlsxwriter.Workbook(out, {
        "constant_memory": True,
        # write_string/write_number are called directly; these only matter if someone uses write().
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    try:
        sheet = workbook.add_worksheet(sheet_name)
        bold = workbook.add_format({"bold": True})
        text = workbook.add_format({"num_format": "@"})
        text_columns = set(text_columns)
        for column in range(len(header)):
            width = widths[column] if column < len(widths) else 14
            sheet.set_column(column, column, width, text if column in text_columns else None)
        sheet.freeze_panes(1, 0)
        for column, title in enumerate(header):
            sheet.write_string(0, column, escape_formula(str(title)), bold)
        write_string, write_number, escape = sheet.write_string, sheet.write_number, escape_formula
        count = 0
        for count, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if type(value) is str:  # the common case first: one type check per cell
                    if value:
                        write_string(count, column, escape(value))
                elif isinstance(value, bool):
                    write_string(count, column, "是" if value else "否")
                elif isinstance(value, int | float | Decimal):
                    write_number(count, column, float(value) if isinstance(value, Decimal) else value)
                elif isinstance(value, dt.date):
                    write_string(count, column, value.isoformat()[:10])
                else:
                    write_string(count, column, escape(str(value)))
    finally:
        workbook.close()
    return count


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def certificate_info_rows(certificates: QuerySet[Certificate], exported: list[int] | None = None):
    """CERT-01 rows of `certificates`, fetched in chunks; the pk of each row is appended to `exported`.

    `values_list` instead of model instances (the same LEFT JOIN as `select_related("candidate")`, without
    building 100,000 objects); the ID number is decrypted per row by its field.
    """
    fields = ("pk", "holder_name", "id_type", "id_number", "employer", "occupation_name", "work_type", "level",
              "number", "issue_date", "institution_name", "candidate__city")
    for (pk, name, id_type, id_number, employer, occupation, work_type, level, number, issued, institution,
         city) in certificates.values_list(*fields).iterator(chunk_size=FETCH_CHUNK):
        if exported is not None:
            exported.append(pk)
        # 发证机构: the evaluation organisation issues the certificate (AH20 §5(4): 评价组织…制作颁发).
        yield (name, id_type, id_number, employer, occupation, work_type, LEVEL_NAMES.get(level, str(level)),
               number, issued.isoformat(), institution, institution, city or "")


def certificate_info_xlsx(certificates: QuerySet[Certificate], out, *, mark_uploaded: bool = False,
                          acting_user=None) -> int:
    """附件5 职业技能等级认定合格人员证书信息表 (CERT-01, ASM-06) written to `out`; returns the row count.

    Full ID numbers: this is the official upload file. The caller scopes `certificates` (e.g. one batch,
    valid ones only) and orders them. With `mark_uploaded`, once the file is complete the exported
    certificates are marked uploaded to the national lookup, with one audit event carrying the count.
    """
    exported: list[int] | None = [] if mark_uploaded else None
    count = write_table_xlsx(out, CERTIFICATE_INFO_HEADER, certificate_info_rows(certificates, exported),
                             sheet_name="证书信息", text_columns=CERTIFICATE_INFO_TEXT_COLUMNS,
                             widths=CERTIFICATE_INFO_WIDTHS)
    if mark_uploaded and exported:
        certificates_mark_uploaded(ids=exported, acting_user=acting_user)
    return count


# -- 附件4 -----------------------------------------------------------------------------------------------------
def _batch_queryset(batches) -> QuerySet[AssessmentBatch]:
    if isinstance(batches, AssessmentBatch):
        return AssessmentBatch.objects.filter(pk=batches.pk)
    if isinstance(batches, QuerySet):
        return batches
    return AssessmentBatch.objects.filter(pk__in=[b.pk for b in batches])


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _work_type_label(occupation: str, work_type: str) -> str:
    return f"{occupation}（{work_type}）" if work_type else occupation


#: Batches that were assessed: plans not yet held, and cancelled ones, count for nothing in 附件4.
SUMMARY_STATES = (AssessmentBatch.State.CONDUCTED, AssessmentBatch.State.RESULTS_PUBLISHED,
                  AssessmentBatch.State.RESULTS_REPORTED, AssessmentBatch.State.CERTIFICATES_ISSUED)


def summary_figures(batches, *, occupation_code: str = "", level: int | None = None) -> dict:
    """The numbers of 附件4 for one batch or many: header block, passers per work type and level, totals.

    Only assessed batches count (SUMMARY_STATES), for the filed count too. `occupation_code` and `level` (the
    staff page's filters) narrow the candidates counted, not only the batches chosen.
    Two queries: the batches, and one GROUP BY over their candidates (occupation, work type, level, result).
    """
    qs = _batch_queryset(batches).filter(state__in=SUMMARY_STATES)
    heads = list(qs.order_by().values("exam_start", "exam_end", "planned_count", "candidate_source",
                                      "institution__name"))
    candidates = Candidate.objects.filter(batch__in=qs.order_by().values("pk"))
    if occupation_code.strip():
        candidates = candidates.filter(occupation__code=occupation_code.strip())
    if level:
        candidates = candidates.filter(level=level)
    grouped = (candidates
               .values("occupation__code", "occupation__name", "work_type", "level", "result")
               .annotate(n=Count("pk")).order_by())  # order_by(): Meta.ordering would join the GROUP BY
    table: dict[tuple[str, str, str], dict[int, int]] = {}
    assessed = passed = 0
    for row in grouped:
        key = (row["occupation__code"], row["occupation__name"], row["work_type"])
        per_level = table.setdefault(key, {level: 0 for _label, level in SUMMARY_LEVELS})
        if row["result"] in (Candidate.Result.PASS, Candidate.Result.FAIL):
            assessed += row["n"]
        if row["result"] == Candidate.Result.PASS:
            passed += row["n"]
            per_level[row["level"]] += row["n"]
    rows = [(_work_type_label(key[1], key[2]), [table[key][level] for _label, level in SUMMARY_LEVELS])
            for key in sorted(table)]
    totals = [sum(counts[i] for _label, counts in rows) for i in range(len(SUMMARY_LEVELS))]
    start = min((h["exam_start"] for h in heads), default=None)
    end = max((h["exam_end"] for h in heads), default=None)
    return {
        "institutions": list(dict.fromkeys(h["institution__name"] for h in heads)),
        "start": start, "end": end,
        "planned": sum(h["planned_count"] for h in heads),
        "sources": list(dict.fromkeys(h["candidate_source"] for h in heads if h["candidate_source"])),
        "assessed": assessed, "passed": passed,
        "rows": [(label, counts, sum(counts)) for label, counts in rows],
        "totals": (totals, sum(totals)),
    }


def result_summary_xlsx(batches, out, *, filled_on: dt.date | None = None, occupation_code: str = "",
                        level: int | None = None) -> None:
    """附件4 职业技能等级认定结果汇总表 (CERT-03, ASM-05) for a batch or aggregated over a queryset of batches.

    认定时间 is the exam date (or the range over the batches); counts are summed; one row per work type
    (occupation and work type) with passers per level, its 小计, and the 合计 row; then the two signature
    blocks and the 备注 line of the source.
    """
    figures = summary_figures(batches, occupation_code=occupation_code, level=level)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "结果汇总"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = "G"

    def put(ref: str, value, *, merge: str | None = None, align=center, border=True, font=None):
        cell = sheet[ref]
        cell.value = escape_formula(value)
        cell.alignment = align
        if font:
            cell.font = font
        if merge:
            sheet.merge_cells(f"{ref}:{merge}")
        if border:
            for row in sheet[f"{ref}:{merge or ref}"]:
                for c in row:
                    c.border = box

    sheet.column_dimensions["A"].width = 34
    for column in "BCDEFG":
        sheet.column_dimensions[column].width = 11
    put("A1", SUMMARY_TITLE, merge=f"{last}1", border=False, font=Font(size=16, bold=True))
    filled = _date_zh(filled_on or clock.today())
    put("A2", f"填报单位（章）：{'、'.join(figures['institutions'])}        填报日期：{filled}", merge=f"{last}2",
        border=False, align=Alignment(horizontal="left", vertical="center"))
    start, end = figures["start"], figures["end"]
    period = "" if start is None else _date_zh(start) if start == end else f"{_date_zh(start)}至{_date_zh(end)}"
    put("A3", "认定时间")
    put("B3", period, merge="D3")
    put("E3", "备案人数")
    put("F3", figures["planned"], merge="G3")
    put("A4", "考生来源")
    put("B4", "、".join(figures["sources"]), merge="G4")
    put("A5", "认定人数")
    put("B5", figures["assessed"], merge="D5")
    put("E5", "合格人数")
    put("F5", figures["passed"], merge="G5")
    put("A6", "认定工种", merge="A7")
    put("B6", "等级及合格人数", merge="G6")
    for column, (label, _level) in zip("BCDEF", SUMMARY_LEVELS, strict=True):
        put(f"{column}7", label)
    put("G7", "小计")
    row = 8
    for label, counts, subtotal in figures["rows"]:
        put(f"A{row}", label)
        for column, value in zip("BCDEFG", [*counts, subtotal], strict=True):
            put(f"{column}{row}", value)
        row += 1
    totals, grand = figures["totals"]
    put(f"A{row}", "合计")
    for column, value in zip("BCDEFG", [*totals, grand], strict=True):
        put(f"{column}{row}", value)
    for title in SIGNATURE_BLOCKS:
        row += 1
        put(f"A{row}", title)
        put(f"B{row}", SIGNATURE_LINE, merge=f"{last}{row}",
            align=Alignment(horizontal="right", vertical="bottom", wrap_text=True))
        sheet.row_dimensions[row].height = 72
    row += 1
    put(f"A{row}", SUMMARY_NOTE, merge=f"{last}{row}", border=False,
        align=Alignment(horizontal="left", vertical="center", wrap_text=True))
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(out)
