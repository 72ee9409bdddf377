"""职业技能等级证书: the certificate PDF, laid out per AH20 附件6 (CERT-04).

AH20 附件6 制作说明 (the spec table; the sample picture itself is not in the seed text):
  1 border: A4 landscape, thick solid line 188 mm × 269 mm, 2.25 pt
  2 left page — top: certificate name 30 pt 楷体; middle: body text 16 pt 楷体,
    single spacing; bottom: website 14 pt 楷体, single spacing
  3 right page — top: 2-inch colour photo (white background) and QR code
    30 mm × 30 mm; bottom: basic information 16 pt 楷体, single spacing
  notes: the institution's name and seal as filed (the seal itself is stamped
  on paper: we print the name where it goes); no work type → "——".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from ..fonts import KAI_FONT_NAME, missing_glyphs, register_fonts
from ..numbers import NumberFormatError, parse_certificate_number
from .drawing import draw_lines, draw_photo, draw_qr, fit, text_width, wrap
from .stream import StreamingCanvas

logger = logging.getLogger(__name__)

# NUM-06: level code → the label printed on the certificate.
LEVEL_LABELS = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}

NO_WORK_TYPE = "——"  # CERT-04, AH20 附件6 注3: 工种名称如无，请填写“——”

TITLE = "职业技能等级证书"
# The left-page body. The seed carries only 附件6's spec table (its sample is a
# picture), so this is the wording of the national reference sample
# (部职业技能鉴定中心 参考样式) the AH20 notice points to (§5(4)).
LEFT_PAGE_BODY = (
    "本证书由经人力资源社会保障部门备案的评价机构颁发，表明持证人通过本评价机构组织的职业技能等级认定，"
    "具备该职业（工种）相应技能水平。"
)
WEBSITE_LABEL = "证书查询网址："

PAGE = landscape(A4)  # 841.9 × 595.3 pt
BORDER_W, BORDER_H, BORDER_LINE = 269 * mm, 188 * mm, 2.25  # CERT-04
BORDER_X, BORDER_Y = (PAGE[0] - BORDER_W) / 2, (PAGE[1] - BORDER_H) / 2
MID_X = PAGE[0] / 2  # the fold between the left and the right page
# 二寸 photo: 35 × 49 mm, the size Chinese studios and GA/T photo specs call 二寸
# (大二寸 is 35 × 53 mm). Certificate photos are taken as standard 二寸.
PHOTO_W, PHOTO_H = 35 * mm, 49 * mm
QR_SIZE = 30 * mm  # CERT-04: the printed symbol is 30 × 30 mm; its quiet zone is blank paper around it
TITLE_SIZE, BODY_SIZE, WEBSITE_SIZE, INFO_SIZE = 30, 16, 14, 16
SINGLE = 1.25  # "单倍行距": one line of a Kai face in Word is ≈ 1.25 × its size
PAGE_PAD = 18 * mm  # inner margin of each half-page
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class CertificateData:
    """What a certificate prints (CERT-04); plain data, no models. The ID number prints in full."""

    number: str  # NUM-05: 22 characters
    holder_name: str
    id_type_label: str
    id_number: str
    employer: str  # 所在单位, may be empty
    occupation_code: str
    occupation_name: str
    work_type: str  # empty → "——"
    level: int  # NUM-06: 1–5
    issue_date: date
    institution_name: str
    filing_number: str
    verify_url: str  # the QR code content
    photo: bytes | None = None
    status_voided: bool = False

    def __post_init__(self):
        try:  # the parser, not a length check: only a well-formed NUM-05 number may be printed
            parts = parse_certificate_number(self.number)
        except NumberFormatError as exc:
            raise ValueError(f"not a certificate number ({exc.rule}): {exc.message}") from exc
        if parts.number != self.number:
            raise ValueError(f"certificate number must be written in its canonical form (NUM-05): {parts.number}")
        if self.filing_number != parts.filing_number:
            raise ValueError(f"the filing number {self.filing_number!r} is not the certificate number's own "
                             f"{parts.filing_number!r} (NUM-05)")
        if self.level not in LEVEL_LABELS:
            raise ValueError(f"level must be 1–5 (NUM-06), got {self.level!r}")
        if not self.verify_url:
            raise ValueError("verify_url is required: it is the QR code content")

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def work_type_display(self) -> str:
        return self.work_type or NO_WORK_TYPE

    def info_rows(self) -> list[tuple[str, str]]:
        """The basic information, in the order of AH20 附件5 (证书信息表); 所在单位 only when there is one."""
        rows = [
            ("姓名", self.holder_name),
            ("证件类型", str(self.id_type_label)),
            ("证件号码", self.id_number),
        ]
        if self.employer:
            rows.append(("所在单位", self.employer))
        rows += [
            ("职业名称", self.occupation_name),
            ("工种名称", self.work_type_display),
            ("职业技能等级", self.level_label),
            ("证书编号", self.number),
            # AH20 附件5 注3: 发证日期格式为YYYY-MM-DD (the only date format the sources give)
            ("发证日期", self.issue_date.isoformat()),
            ("评价机构", self.institution_name),
        ]
        return rows


def _draw_certificate(c: StreamingCanvas, data: CertificateData, site_url: str) -> None:
    # border
    c.setLineWidth(BORDER_LINE)
    c.rect(BORDER_X, BORDER_Y, BORDER_W, BORDER_H, stroke=1, fill=0)
    top = BORDER_Y + BORDER_H

    # left page
    left_x0, left_x1 = BORDER_X + PAGE_PAD, MID_X - PAGE_PAD
    left_w = left_x1 - left_x0
    centre = (BORDER_X + MID_X) / 2
    c.setFont(KAI_FONT_NAME, TITLE_SIZE)
    c.drawCentredString(centre, top - 48 * mm, TITLE, charSpace=4)
    lead = BODY_SIZE * SINGLE
    body = wrap(LEFT_PAGE_BODY, BODY_SIZE, left_w, first_indent=2 * BODY_SIZE)
    draw_lines(c, body, left_x0, top - 80 * mm, BODY_SIZE, lead, first_indent=2 * BODY_SIZE, justify=left_w)
    # where the institution's seal is stamped: its name as filed
    size, lines = fit(data.institution_name, BODY_SIZE, left_w, 2)
    c.setFont(KAI_FONT_NAME, size)
    y = BORDER_Y + 62 * mm
    for line in lines:
        c.drawRightString(left_x1, y, line)
        y -= size * SINGLE
    # the website on one line if it fits, else the address (broken after a "/") under its label
    website = WEBSITE_LABEL + site_url
    if text_width(website, WEBSITE_SIZE) <= left_w:
        size, lines = WEBSITE_SIZE, [website]
    else:
        size, lines = fit(site_url, WEBSITE_SIZE, left_w, 2, min_size=10)
        lines = [WEBSITE_LABEL, *lines]
    lead = WEBSITE_SIZE * SINGLE
    y = BORDER_Y + 12 * mm + (len(lines) - 1) * lead
    for line in lines:
        c.setFont(KAI_FONT_NAME, WEBSITE_SIZE if line == WEBSITE_LABEL else size)
        c.drawCentredString(centre, y, line)
        y -= lead

    # right page: photo and QR code on top, basic information below
    right_x0, right_x1 = MID_X + 14 * mm, BORDER_X + BORDER_W - 10 * mm
    photo_y = top - 18 * mm - PHOTO_H
    draw_photo(c, data.photo, right_x0, photo_y, PHOTO_W, PHOTO_H)
    draw_qr(c, data.verify_url, right_x1 - 8 * mm - QR_SIZE, photo_y + (PHOTO_H - QR_SIZE) / 2, QR_SIZE)
    label_w = text_width("职业技能等级：", INFO_SIZE)
    value_x = right_x0 + label_w + 1.5 * mm
    value_w = right_x1 - value_x
    rows = [(label, *fit(value, INFO_SIZE, value_w, 2)) for label, value in data.info_rows()]
    y = photo_y - 14 * mm
    # Single spacing; closer only if many long values would run past the border.
    n_lines = sum(len(lines) for _label, _size, lines in rows)
    lead = max(INFO_SIZE, min(INFO_SIZE * SINGLE, (y - BORDER_Y - 8 * mm) / max(1, n_lines - 1)))
    for label, size, lines in rows:
        c.setFont(KAI_FONT_NAME, INFO_SIZE)
        c.drawString(right_x0, y, label + "：")
        y = draw_lines(c, lines, value_x, y, size, lead)

    if data.status_voided:
        _draw_void_overlay(c)


def _draw_void_overlay(c: StreamingCanvas) -> None:
    """已作废 diagonally across each half-page, in translucent red over everything."""
    c.saveState()
    c.setFillColorRGB(0.8, 0.05, 0.05)
    c.setFillAlpha(0.45)
    c.setFont(KAI_FONT_NAME, 110)
    for cx in ((BORDER_X + MID_X) / 2, (MID_X + BORDER_X + BORDER_W) / 2):
        c.saveState()
        c.translate(cx, PAGE[1] / 2)
        c.rotate(30)
        c.drawCentredString(0, -38, "已作废")
        c.restoreState()
    c.restoreState()


def _warn_missing_glyphs(data: CertificateData) -> None:
    text = "".join(v for _label, v in data.info_rows())
    missing = missing_glyphs(text)
    if missing:  # the number only: the log must not carry personal data
        logger.warning("certificate %s: %d character(s) not in the Kai font print as boxes",
                       data.number, len(missing))


def render_certificates(items: Iterable[CertificateData], out: BinaryIO, *, site_url: str,
                        progress: Callable[[int], None] | None = None) -> int:
    """Write one PDF with a page per certificate to out; return the page count.

    One canvas, so the Kai subsets are embedded once; each page is written to
    out as soon as it is drawn (memory stays flat). progress(n) is called after
    every 50th page and once at the end.
    """
    register_fonts()
    c = StreamingCanvas(out, pagesize=PAGE, font_name=KAI_FONT_NAME, title=TITLE)
    n = 0
    for data in items:
        _warn_missing_glyphs(data)
        _draw_certificate(c, data, site_url)
        c.showPage()
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    if n == 0:
        raise ValueError("no certificates to render")  # nothing has been written to out yet
    c.save()
    if progress is not None and n % PROGRESS_EVERY:
        progress(n)
    return n


def render_certificate(data: CertificateData, *, site_url: str) -> bytes:
    """The one-page PDF of one certificate."""
    buf = BytesIO()
    render_certificates([data], buf, site_url=site_url)
    return buf.getvalue()
