"""办理结果告知书: the filing result notices of SC21 附件3.

样式（一） tells the applicant it is filed and where the result is published
(FIL-08; here also with the filing number, validity and the occupations
filed, which the filing record carries); 样式（二） tells it the application is
terminated, with the reason and the clause (FIL-04). Both end with the issuing
office, its seal and the date, and the source's 信息公开选项.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from ..fonts import KAI_FONT_NAME, register_fonts
from .drawing import draw_line, fit, text_width, wrap
from .stream import StreamingCanvas

PAGE = A4
# GB/T 9704 (公文格式) page: top 37 mm, left 28 mm, text block 156 × 225 mm.
LEFT, RIGHT = 28 * mm, PAGE[0] - 26 * mm
TOP, BOTTOM = PAGE[1] - 37 * mm, 30 * mm
TITLE_SIZE, TEXT_SIZE, TABLE_SIZE = 22, 16, 14  # 二号 title, 三号 text, 四号 table
LEADING = 28  # 公文: 22 lines of 三号 per page, ≈ 28 pt apart
DISCLOSURE = "信息公开选项：主动公开"  # SC21 附件3, under the two styles


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class FilingNoticeData:
    """What the two result notices print (SC21 附件3); plain data, no models."""

    document_number: str  # 文号
    applicant: str  # the addressee: 申请单位
    institution_name: str
    issuing_office: str  # （人力资源社会保障部门）
    issue_date: date
    occupations: Sequence[tuple[str, str]] = field(default=())  # (职业（工种）, level label) rows
    filing_number: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    publication_place: str = ""  # （网站目录或地址）where the result is published
    termination_reason: str = ""  # style 2: （原因）
    termination_clause: str = ""  # style 2: （本办法第X条规定）
    institution_kind: str = "职业技能等级认定机构"

    def __post_init__(self):
        object.__setattr__(self, "occupations", tuple(tuple(row) for row in self.occupations))

    @property
    def title(self) -> str:
        return f"{self.institution_kind}设立备案办理结果告知书"


class _Flow:
    """A cursor going down A4 pages: paragraphs, a table, the signature; a new page when one is full."""

    def __init__(self, c: StreamingCanvas):
        self.c = c
        self.y = TOP

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.c.showPage()
            self.y = TOP

    def centred(self, text: str, size: float, gap_after: float) -> None:
        size, lines = fit(text, size, RIGHT - LEFT, 1, min_size=size - 4)  # one line if a smaller size allows
        self.c.setFont(KAI_FONT_NAME, size)
        for line in lines:
            self.need(size * 1.5)
            self.y -= size
            self.c.drawCentredString((LEFT + RIGHT) / 2, self.y, line)
            self.y -= size * 0.5
        self.y -= gap_after

    def paragraph(self, text: str, *, indent: bool = True) -> None:
        first = 2 * TEXT_SIZE if indent else 0.0
        lines = wrap(text, TEXT_SIZE, RIGHT - LEFT, first_indent=first)
        for i, line in enumerate(lines):
            self.need(LEADING)
            self.y -= LEADING
            # line by line (a page may end between two), justified but for the last
            indent = first if i == 0 else 0.0
            draw_line(self.c, line, LEFT + indent, self.y + (LEADING - TEXT_SIZE) / 2, TEXT_SIZE,
                      RIGHT - LEFT - indent if i < len(lines) - 1 else None)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        """A ruled table; the header repeats on every page it runs onto."""
        pad, lead = 2 * mm, TABLE_SIZE * 1.3
        self.y -= 4 * mm

        def cells(values):
            wrapped = [wrap(v, TABLE_SIZE, w - 2 * pad) for v, w in zip(values, widths, strict=True)]
            return wrapped, max(len(x) for x in wrapped) * lead + 2 * pad

        head = cells(header)
        self.need(head[1] + cells(rows[0])[1] if rows else head[1])
        self._row(*head, widths, pad, lead)
        for row in rows:
            body = cells(row)
            if self.y - body[1] < BOTTOM:
                self.c.showPage()
                self.y = TOP
                self._row(*head, widths, pad, lead)
            self._row(*body, widths, pad, lead)

    def _row(self, wrapped, height, widths, pad, lead):
        c = self.c
        c.setLineWidth(0.75)
        x = LEFT
        c.setFont(KAI_FONT_NAME, TABLE_SIZE)
        for lines, w in zip(wrapped, widths, strict=True):
            c.rect(x, self.y - height, w, height, stroke=1, fill=0)
            ty = self.y - pad - TABLE_SIZE
            for line in lines:
                c.drawString(x + pad, ty, line)
                ty -= lead
            x += w
        self.y -= height

    def signature(self, office: str, day: date) -> None:
        """The issuing office with its seal, and the date, right-aligned four characters in (公文 落款)."""
        right = RIGHT - 2 * TEXT_SIZE
        seal = "（盖章）"
        size, lines = fit(office, TEXT_SIZE, (RIGHT - LEFT) / 2, 2)
        self.need(LEADING * (len(lines) + 3))
        self.y -= LEADING * 2
        for i, line in enumerate(lines):
            self.c.setFont(KAI_FONT_NAME, size)
            last = i == len(lines) - 1
            x = right - (text_width(seal, TEXT_SIZE) if last else 0)
            self.c.drawRightString(x, self.y, line)
            if last:
                self.c.setFont(KAI_FONT_NAME, TEXT_SIZE)
                self.c.drawRightString(right, self.y, seal)
            self.y -= LEADING
        self.c.setFont(KAI_FONT_NAME, TEXT_SIZE)
        self.c.drawRightString(right, self.y, chinese_date(day))

    def footer(self, text: str) -> None:
        self.c.setFont(KAI_FONT_NAME, TABLE_SIZE)
        self.c.drawString(LEFT, BOTTOM - 8 * mm, text)


def _render(data: FilingNoticeData, body) -> bytes:
    register_fonts()
    buf = BytesIO()
    c = StreamingCanvas(buf, pagesize=PAGE, font_name=KAI_FONT_NAME, title=data.title)
    flow = _Flow(c)
    flow.centred(data.title, TITLE_SIZE, 2 * mm)
    if data.document_number:
        flow.centred(data.document_number, TEXT_SIZE, 6 * mm)
    else:
        flow.y -= 6 * mm
    flow.paragraph(f"{data.applicant}：", indent=False)
    body(flow)
    flow.signature(data.issuing_office, data.issue_date)
    flow.footer(DISCLOSURE)
    c.showPage()
    c.save()
    return buf.getvalue()


def render_filing_receipt(data: FilingNoticeData) -> bytes:
    """样式（一）: filed, with the filing number and where the result is published (FIL-08)."""
    missing = [name for name in ("filing_number", "publication_place") if not getattr(data, name)]
    if missing:
        raise ValueError(f"a filing receipt needs {', '.join(missing)} (FIL-08)")
    kind = data.institution_kind

    def body(flow: _Flow) -> None:
        flow.paragraph(
            f"你单位报来的{kind}设立备案材料收悉。经审查，你单位符合{kind}备案设立条件并已备案。"
            f"备案结果公布于{data.publication_place}上。"
        )
        details = f"机构名称：{data.institution_name}；备案号：{data.filing_number}"
        if data.valid_from and data.valid_to:
            details += f"；备案有效期：{chinese_date(data.valid_from)}至{chinese_date(data.valid_to)}"
        flow.paragraph(details + "。" + ("备案的职业（工种）及等级如下：" if data.occupations else ""))
        if data.occupations:
            width = RIGHT - LEFT
            flow.table(("序号", "职业（工种）", "等级"),
                       [(str(i), occ, level) for i, (occ, level) in enumerate(data.occupations, 1)],
                       (width * 0.12, width * 0.58, width * 0.30))
        # SC21 附件2 (flow chart), last step: the paper materials follow by post or by hand
        flow.paragraph(f"请将备案纸质材料邮寄或送达{data.issuing_office}。")

    return _render(data, body)


def render_termination_notice(data: FilingNoticeData) -> bytes:
    """样式（二）: the application is terminated, naming the reason and the clause (FIL-04)."""
    missing = [name for name in ("termination_reason", "termination_clause") if not getattr(data, name)]
    if missing:
        raise ValueError(f"a termination notice needs {', '.join(missing)} (FIL-04)")
    kind = data.institution_kind

    def body(flow: _Flow) -> None:
        flow.paragraph(
            f"你单位报来的{kind}设立备案材料收悉。因{data.termination_reason}，"
            f"根据{data.termination_clause}，终止办理。"
        )

    return _render(data, body)
