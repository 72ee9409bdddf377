"""The renewal documents as PDF, drawn like the filing receipt (certificates/pdf/notices.py, GB/T 9704 page):

- the renewal form, FJ22 附件1 职业技能等级评价机构备案续期申请表 (institution information, up to 6 evaluation
  plans, the integrity pledge);
- the work summary, FJ22 附件2 职业技能等级认定工作总结 (its three sections);
- the new filing letter (新的备案函, FJ22 §4(3), REN-08): number kept, the scope, the new validity.

Rendered from plain data (the dataclasses below), no database access here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from reportlab.lib.units import mm

from certificates.fonts import KAI_FONT_NAME, register_fonts
from certificates.pdf.drawing import wrap
from certificates.pdf.notices import (
    LEFT,
    PAGE,
    RIGHT,
    TEXT_SIZE,
    TITLE_SIZE,
    TOP,
    _Flow,
    chinese_date,
)
from certificates.pdf.stream import StreamingCanvas

FORM_TITLE = "职业技能等级评价机构备案续期申请表"
SUMMARY_TITLE = "职业技能等级认定工作总结"
LETTER_TITLE = "职业技能等级评价机构备案续期函"
PLAN_HEADER = ("序号", "评价计划号", "职业名称", "工种名称", "级别", "认定人数", "合格人数", "是否上网", "评价年份")
PLEDGE = ("本单位自愿申请续期评价机构备案资质，且确定未发生文件中不予受理的情形，承诺所提交的材料真实有效，"
          "如有虚假，将承担相应责任。")
CELL_SIZE = 10.5  # 五号: the form's table


@dataclass(frozen=True)
class RenewalFormData:
    """What FJ22 附件1 prints."""

    institution_name: str
    address: str
    filing_number: str
    expires_on: date
    head: str
    head_phone: str
    contact_name: str
    contact_phone: str
    contact_email: str
    filing_region: str  # 备案所属地
    plans: Sequence[Sequence[str]] = field(default=())  # rows of PLAN_HEADER[1:]
    pledge_accepted: bool = False
    signed_on: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class WorkSummaryData:
    """What FJ22 附件2 asks for: the basic situation (with the figures), the problems, the next period."""

    institution_name: str
    institution_kind: str
    filing_number: str
    valid_from: date
    valid_to: date
    overview: str  # 在备案有效期内开展评价的总体情况 (computed figures)
    basic: str
    problems: str
    next_period: str
    signed_on: date | None = None


@dataclass(frozen=True)
class FilingLetterData:
    """The new filing letter (REN-08): the number is kept (REN-09), the validity extended."""

    document_number: str
    institution_name: str
    filing_number: str
    valid_from: date
    valid_to: date
    issuing_office: str
    issue_date: date
    occupations: Sequence[tuple[str, str]] = field(default=())


class _FormFlow(_Flow):
    """The notices' flow with the form's ruled table: cells in 五号, spans across columns, fixed row heights."""

    def grid_row(self, cells: Sequence[tuple[str, float]], *, min_height: float = 9 * mm,
                 bold: bool = False) -> None:
        pad, lead = 1.6 * mm, CELL_SIZE * 1.35
        wrapped = [wrap(text, CELL_SIZE, width - 2 * pad) for text, width in cells]
        height = max(min_height, max(len(lines) for lines in wrapped) * lead + 2 * pad)
        self.need(height)
        c, x = self.c, LEFT
        c.setLineWidth(0.75)
        c.setFont(KAI_FONT_NAME, CELL_SIZE)
        for lines, (_, width) in zip(wrapped, cells, strict=True):
            c.rect(x, self.y - height, width, height, stroke=1, fill=0)
            ty = self.y - (height - len(lines) * lead) / 2 - CELL_SIZE
            for line in lines:
                c.drawCentredString(x + width / 2, ty, line)
                ty -= lead
            x += width
        self.y -= height

    def band(self, text: str, *, height: float = 9 * mm) -> None:
        """A full-width row with a left-aligned heading (一、机构基本信息)."""
        self.need(height)
        self.c.setLineWidth(0.75)
        self.c.rect(LEFT, self.y - height, RIGHT - LEFT, height, stroke=1, fill=0)
        self.c.setFont(KAI_FONT_NAME, TEXT_SIZE - 2)
        self.c.drawString(LEFT + 2 * mm, self.y - height / 2 - 4.5, text)
        self.y -= height

    def boxed_text(self, lines_before: Sequence[str], right_lines: Sequence[str]) -> None:
        """The pledge box: the text, then the signature lines right-aligned, all in one ruled cell."""
        pad, lead, size = 3 * mm, 20, 12
        body = [line for text in lines_before for line in wrap(text, size, RIGHT - LEFT - 2 * pad,
                                                               first_indent=2 * size)]
        height = (len(body) + len(right_lines) + 1) * lead + 2 * pad
        self.need(height)
        top = self.y
        self.c.setLineWidth(0.75)
        self.c.rect(LEFT, top - height, RIGHT - LEFT, height, stroke=1, fill=0)
        self.c.setFont(KAI_FONT_NAME, size)
        y = top - pad - size
        for i, line in enumerate(body):
            self.c.drawString(LEFT + pad + (2 * size if i == 0 else 0), y, line)
            y -= lead
        y -= lead
        for line in right_lines:
            self.c.drawRightString(RIGHT - pad - 2 * size, y, line)
            y -= lead
        self.y = top - height


def _canvas(buf: BytesIO, title: str) -> StreamingCanvas:
    register_fonts()
    return StreamingCanvas(buf, pagesize=PAGE, font_name=KAI_FONT_NAME, title=title)


def render_renewal_form(data: RenewalFormData) -> bytes:
    """FJ22 附件1, field by field as the source table."""
    buf = BytesIO()
    c = _canvas(buf, FORM_TITLE)
    flow = _FormFlow(c)
    flow.centred(FORM_TITLE, TITLE_SIZE - 2, 4 * mm)
    if data.reference:
        c.setFont(KAI_FONT_NAME, 9)
        c.drawRightString(RIGHT, flow.y + 1 * mm, data.reference)
    w = RIGHT - LEFT
    label, value = w * 0.20, w * 0.30
    flow.band("一、机构基本信息")
    flow.grid_row([("机构名称", label), (f"{data.institution_name}（加盖单位公章）", w - label)])
    flow.grid_row([("备案地址", label), (data.address, w - label)])
    flow.grid_row([("机构备案号", label), (data.filing_number, value), ("备案到期时间", label),
                   (data.expires_on.isoformat(), w - 2 * label - value)])
    flow.grid_row([("评价业务负责人", label), (data.head, value), ("手机号码", label),
                   (data.head_phone, w - 2 * label - value)])
    flow.grid_row([("评价业务联系人", label), (data.contact_name, value), ("手机号码", label),
                   (data.contact_phone, w - 2 * label - value)])
    flow.grid_row([("电子邮箱", label), (data.contact_email, value), ("备案所属地", label),
                   (data.filing_region, w - 2 * label - value)])
    flow.band("二、备案有效期内开展的评价计划（选填6个计划）")
    widths = [w * f for f in (0.07, 0.17, 0.15, 0.15, 0.10, 0.09, 0.09, 0.09, 0.09)]
    flow.grid_row(list(zip(PLAN_HEADER, widths, strict=True)), min_height=12 * mm)
    rows = list(data.plans) + [("",) * 8] * max(0, 6 - len(data.plans))
    for i, row in enumerate(rows[:6], 1):
        flow.grid_row(list(zip((str(i), *row), widths, strict=True)))
    flow.band("三、诚信承诺")
    day = chinese_date(data.signed_on) if data.signed_on and data.pledge_accepted else "年    月    日"
    # the authorised representative signs by hand; the portal prints the name of the unit and the date
    flow.boxed_text([PLEDGE], ["授权代表人（签字）：" + " " * 16,
                               f"单位名称（公章）：{data.institution_name if data.pledge_accepted else ''}", day])
    c.showPage()
    c.save()
    return buf.getvalue()


def render_work_summary(data: WorkSummaryData) -> bytes:
    """FJ22 附件2: the three sections; the first opens with the institution's facts and the period's figures."""
    buf = BytesIO()
    c = _canvas(buf, SUMMARY_TITLE)
    flow = _Flow(c)
    flow.centred(SUMMARY_TITLE, TITLE_SIZE, 8 * mm)
    flow.paragraph("一、开展职业技能等级认定的基本情况", indent=True)
    flow.paragraph(f"机构名称：{data.institution_name}；机构性质：{data.institution_kind}；机构备案号：{data.filing_number}；"
                   f"备案有效期：{chinese_date(data.valid_from)}至{chinese_date(data.valid_to)}。")
    flow.paragraph(data.overview)
    for text in filter(None, data.basic.split("\n")):
        flow.paragraph(text.strip())
    flow.paragraph("二、存在问题", indent=True)
    for text in filter(None, data.problems.split("\n")):
        flow.paragraph(text.strip())
    flow.paragraph("三、下阶段工作", indent=True)
    for text in filter(None, data.next_period.split("\n")):
        flow.paragraph(text.strip())
    if data.signed_on:
        flow.signature(data.institution_name, data.signed_on)
    c.showPage()
    c.save()
    return buf.getvalue()


def render_filing_letter(data: FilingLetterData) -> bytes:
    """The new filing letter of a renewed filing (REN-08, REN-09)."""
    buf = BytesIO()
    c = _canvas(buf, LETTER_TITLE)
    flow = _Flow(c)
    flow.y = TOP
    flow.centred(LETTER_TITLE, TITLE_SIZE, 2 * mm)
    flow.centred(data.document_number, TEXT_SIZE, 6 * mm)
    flow.paragraph(f"{data.institution_name}：", indent=False)
    flow.paragraph(f"你单位报来的职业技能等级评价机构备案续期申请材料收悉。经评估，你单位符合备案续期条件，准予续期。"
                   f"机构备案号{data.filing_number}保持不变，备案有效期：{chinese_date(data.valid_from)}至"
                   f"{chinese_date(data.valid_to)}。" + ("备案的职业（工种）及等级如下：" if data.occupations else ""))
    if data.occupations:
        width = RIGHT - LEFT
        flow.table(("序号", "职业（工种）", "等级"),
                   [(str(i), occ, level) for i, (occ, level) in enumerate(data.occupations, 1)],
                   (width * 0.12, width * 0.58, width * 0.30))
    flow.paragraph("备案有效期内新增的职业（工种）随本次续期一并延续。")
    flow.signature(data.issuing_office, data.issue_date)
    c.showPage()
    c.save()
    return buf.getvalue()
