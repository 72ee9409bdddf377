"""The renewal form (FJ22 附件1) as PDF and .xlsx, the work summary (附件2) as PDF, and the new filing letter
(REN-08) as PDF — built from the application as stored."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import Count, Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from assessments.forms import LEVEL_SHORT
from certificates.batch_verify import escape_formula
from filing_portal.core.errors import DomainError
from institutions.documents import _office_name
from institutions.models import Institution

from .models import RenewalApplication
from .pdf import (
    FORM_TITLE,
    PLAN_HEADER,
    PLEDGE,
    FilingLetterData,
    RenewalFormData,
    WorkSummaryData,
    render_filing_letter,
    render_renewal_form,
    render_work_summary,
)

KIND_ZH = {Institution.Kind.EMPLOYER: "用人单位", Institution.Kind.SOCIAL: "社会培训评价组织"}


def _plans(application: RenewalApplication) -> list[tuple[str, ...]]:
    return [(p.plan_number, p.occupation, p.work_type, p.level, str(p.assessed), str(p.passed),
             "是" if p.uploaded else "否", str(p.year)) for p in application.plans.all()]


def _region_name(application: RenewalApplication) -> str:
    region = application.filing.handling_region
    province = region.province_region
    return region.name if province.pk == region.pk else f"{province.name}{region.name}"


def renewal_form_data(application: RenewalApplication) -> RenewalFormData:
    filing = application.filing
    return RenewalFormData(
        institution_name=application.institution_name, address=application.address,
        filing_number=filing.number, expires_on=application.expires_on, head=application.head, head_phone="",
        contact_name=application.contact_name, contact_phone=application.contact_phone,
        contact_email=application.contact_email, filing_region=_region_name(application), plans=_plans(application),
        pledge_accepted=application.pledge_accepted, signed_on=application.submitted_on,
        reference=application.reference)


def renewal_form_pdf(application: RenewalApplication) -> bytes:
    return render_renewal_form(renewal_form_data(application))


def _overview(application: RenewalApplication, start) -> str:
    filing = application.filing
    totals = filing.batches.filter(state__in=("results_reported", "certificates_issued"),
                                   exam_start__gte=start, exam_start__lte=application.expires_on).aggregate(
        batches=Count("pk", distinct=True),
        assessed=Count("candidates", filter=~Q(candidates__result="pending"), distinct=True),
        passed=Count("candidates", filter=Q(candidates__result="pass"), distinct=True))
    added = list(filing.scope.filter(added_on__gt=start).select_related("occupation")
                 .order_by("added_on", "occupation__code", "level"))
    text = (f"备案有效期内共组织认定{totals['batches']}批次（以评价计划为准），认定{totals['assessed']}人次，"
            f"合格{totals['passed']}人次。")
    if added:
        text += "有效期内新增备案职业（工种）：" + "、".join(
            f"{row.occupation.name}{f'（{row.work_type}）' if row.work_type else ''}"
            f"{LEVEL_SHORT.get(row.level, row.level)}（{row.added_on.isoformat()}）" for row in added) + "。"
    return text


def work_summary_pdf(application: RenewalApplication) -> bytes:
    from .eligibility import period_start

    filing = application.filing
    start = period_start(filing, application.expires_on)
    return render_work_summary(WorkSummaryData(
        institution_name=application.institution_name, institution_kind=KIND_ZH.get(filing.institution.kind, ""),
        filing_number=filing.number, valid_from=start, valid_to=application.expires_on,
        overview=_overview(application, start), basic=application.summary_basic,
        problems=application.summary_problems, next_period=application.summary_next_period,
        signed_on=application.submitted_on))


def filing_letter_pdf(application: RenewalApplication) -> bytes:
    """REN-08: issued once the renewal is approved."""
    if application.state != RenewalApplication.State.APPROVED or not application.new_expires_on:
        raise DomainError("The new filing letter exists once the renewal is approved.", rule="REN-08",
                          code="no_letter")
    import datetime as dt

    from certificates.models import LEVEL_LABELS

    filing = application.filing
    rows = [(f"{s.occupation.name}（{s.work_type}）" if s.work_type else s.occupation.name, str(LEVEL_LABELS[s.level]))
            for s in filing.scope.filter(active=True).select_related("occupation")]
    return render_filing_letter(FilingLetterData(
        document_number=f"备续字〔{application.decided_on.year}〕{application.pk:05d}号",
        institution_name=filing.institution.name, filing_number=filing.number,
        valid_from=application.expires_on + dt.timedelta(days=1), valid_to=application.new_expires_on,
        issuing_office=_office_name(filing.handling_region), issue_date=application.decided_on, occupations=rows))


# == the form as a spreadsheet, laid out like the source table (9 columns) ==============================
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def renewal_form_xlsx(application: RenewalApplication, out: BinaryIO) -> None:
    """FJ22 附件1 as one sheet: the same rows, merged cells and labels as the printed form."""
    data = renewal_form_data(application)
    wb = Workbook()
    ws = wb.active
    ws.title = "续期申请表"
    for col, width in enumerate((6, 16, 14, 14, 8, 10, 10, 10, 10), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    row = 1

    def put(r, c1, c2, value, *, align=_CENTRE, bold=False):
        if c2 > c1:
            ws.merge_cells(start_row=r, start_column=c1, end_row=r, end_column=c2)
        # openpyxl stores any text starting with "=" as a live formula: an address like "=HYPERLINK(…)" would run
        # (formula injection, OWASP "CSV Injection"); escape_formula makes it text, as every other export does.
        cell = ws.cell(row=r, column=c1, value=escape_formula(value))
        cell.alignment, cell.font = align, Font(bold=bold, size=11)
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = _BOX

    ws.merge_cells("A1:I1")
    ws["A1"] = FORM_TITLE
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=16), _CENTRE
    ws.row_dimensions[1].height = 30
    row = 2
    put(row, 1, 9, "一、机构基本信息", align=_LEFT, bold=True)
    row += 1
    put(row, 1, 2, "机构名称")
    put(row, 3, 9, f"{data.institution_name}（加盖单位公章）", align=_LEFT)
    row += 1
    put(row, 1, 2, "备案地址")
    put(row, 3, 9, data.address, align=_LEFT)
    for left, lvalue, right, rvalue in (
            ("机构备案号", data.filing_number, "备案到期时间", data.expires_on.isoformat()),
            ("评价业务负责人", data.head, "手机号码", data.head_phone),
            ("评价业务联系人", data.contact_name, "手机号码", data.contact_phone),
            ("电子邮箱", data.contact_email, "备案所属地", data.filing_region)):
        row += 1
        put(row, 1, 2, left)
        put(row, 3, 5, lvalue)
        put(row, 6, 7, right)
        put(row, 8, 9, rvalue)
    row += 1
    put(row, 1, 9, "二、备案有效期内开展的评价计划（选填6个计划）", align=_LEFT, bold=True)
    row += 1
    for col, title in enumerate(PLAN_HEADER, 1):
        put(row, col, col, title, bold=True)
    plans = list(data.plans)
    for i in range(6):
        row += 1
        values = (i + 1, *plans[i]) if i < len(plans) else (i + 1, *("",) * 8)
        for col, value in enumerate(values, 1):
            put(row, col, col, int(value) if col in (6, 7, 9) and value != "" else value)
    row += 1
    put(row, 1, 9, "三、诚信承诺", align=_LEFT, bold=True)
    row += 1
    put(row, 1, 9, PLEDGE, align=_LEFT)
    ws.row_dimensions[row].height = 45
    row += 1
    put(row, 1, 9, "授权代表人（签字）：", align=Alignment(horizontal="right"))
    row += 1
    put(row, 1, 9, f"单位名称（公章）：{data.institution_name if data.pledge_accepted else ''}",
        align=Alignment(horizontal="right"))
    row += 1
    day = data.signed_on
    put(row, 1, 9, f"{day.year}年{day.month}月{day.day}日" if day and data.pledge_accepted else "年    月    日",
        align=Alignment(horizontal="right"))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.horizontalCentered = True
    wb.save(out)
