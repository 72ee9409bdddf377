"""Drawing helpers shared by the certificate and the notices: text, QR code, photo."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Sequence

import zxingcpp
from PIL import Image, ImageOps
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfutils
from reportlab.pdfgen.canvas import Canvas

from ..fonts import KAI_FONT_NAME, register_fonts

logger = logging.getLogger(__name__)

EXIF_ORIENTATION = 0x0112

# 避头尾 (kinsoku): punctuation that may not start a line, and openers that may not end one.
_NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】…—%,.;:?!)]")
_NO_LINE_END = frozenset("（《「『“‘〔【([")


def text_width(text: str, size: float) -> float:
    return register_fonts().stringWidth(text, size)


# A run of printable ASCII (a number, a code, a URL up to and including each "/", where a URL
# may break) or one other character.
_TOKEN = re.compile(r"[!-.0-~]*/+|[!-~]+|[^!-~]")


def wrap(text: str, size: float, width: float, first_indent: float = 0.0) -> list[str]:
    """Break text into lines no wider than width (the first line narrower by first_indent).

    Chinese breaks between any two characters; a run of ASCII (a number, a code,
    a URL between slashes) moves whole to the next line unless it is longer than a line.
    Kinsoku: a closing mark never starts a line, an opening mark never ends one.
    """
    font = register_fonts()
    widths = font.face.charWidths
    default = font.face.defaultWidth
    scale = size / 1000.0

    def measure(s: str) -> float:
        return sum(widths.get(ord(ch), default) for ch in s) * scale

    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens: list[str] = []
        for tok in _TOKEN.findall(paragraph):
            tokens.extend(tok if len(tok) > 1 and measure(tok) > width else [tok])
        line: list[str] = []
        used = 0.0
        limit = width - first_indent if not lines else width
        for tok in tokens:
            w = measure(tok)
            if line and used + w > limit:
                carry: list[str] = []
                if tok[0] in _NO_LINE_START and len(line) > 1:
                    carry.append(line.pop())  # take the previous character down with it
                while len(line) > 1 and line[-1][-1] in _NO_LINE_END:
                    carry.insert(0, line.pop())
                if carry and measure("".join(carry)) + w > width:  # too narrow for the rule: keep the break
                    line.extend(carry)
                    carry = []
                lines.append("".join(line).rstrip())
                line = carry
                used = measure("".join(carry))
                limit = width
                if not line and tok == " ":
                    continue
            line.append(tok)
            used += w
        lines.append("".join(line))
    return lines


def fit(text: str, size: float, width: float, max_lines: int, min_size: float = 9.0) -> tuple[float, list[str]]:
    """The largest size ≤ size (down to min_size) at which text fits in max_lines lines of width.

    At min_size the text may still take more lines: nothing is ever cut off.
    """
    while True:
        lines = wrap(text, size, width)
        if len(lines) <= max_lines or size <= min_size:
            return size, lines
        size = max(min_size, size - 0.5)


def draw_line(c: Canvas, line: str, x: float, y: float, size: float, justify: float | None = None) -> None:
    """One line at baseline y; with justify (a width) spread to it, as Chinese text is set,
    but never by more than half a character a gap (a short line stays as it is)."""
    space = 0.0
    if justify is not None and len(line) > 1:
        gap = (justify - register_fonts().stringWidth(line, size)) / (len(line) - 1)
        if 0 < gap <= size / 2:
            space = gap
    c.setFont(KAI_FONT_NAME, size)
    c.drawString(x, y, line, charSpace=space)


def draw_lines(c: Canvas, lines: Sequence[str], x: float, y: float, size: float, leading: float,
               first_indent: float = 0.0, justify: float | None = None) -> float:
    """Draw lines from baseline y downwards, every line but the last justified to justify if given;
    return the baseline after the last line."""
    for i, line in enumerate(lines):
        indent = first_indent if i == 0 else 0.0
        width = justify - indent if justify is not None and i < len(lines) - 1 else None
        draw_line(c, line, x + indent, y, size, width)
        y -= leading
    return y


# --- QR code -----------------------------------------------------------------

_DARK_RUN = re.compile(rb"\x01+")


# A module of zxing-cpp's one-pixel-per-module image: 0 is dark, 255 light; as 1 and 0.
_DARK_PIXEL = bytes(1 if i == 0 else 0 for i in range(256))


def qr_matrix(content: str) -> tuple[bytearray, ...]:
    """The QR code matrix (no quiet zone) of content: a full QR code (never Micro QR), level M exactly.

    Encoded by zxing-cpp's writer (C++): like segno it picks the segment modes, the smallest version and the
    mask of least penalty, but in about 0.5 ms instead of segno's 4-10 ms in pure Python, which was a third
    of a batch PDF's time (issue 8).
    """
    barcode = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
    rows, width = image.shape
    modules = image.tobytes().translate(_DARK_PIXEL)
    return tuple(bytearray(modules[y * width:(y + 1) * width]) for y in range(rows))


def qr_runs(matrix: Sequence[bytes | bytearray]) -> list[tuple[int, int, int]]:
    """Dark modules as horizontal runs (row, first column, length), rows from the top."""
    runs = []
    for y, row in enumerate(matrix):
        for m in _DARK_RUN.finditer(bytes(row)):
            runs.append((y, m.start(), m.end() - m.start()))
    return runs


def draw_qr(c: Canvas, content: str, x: float, y: float, size: float) -> None:
    """The QR code of content as one filled path, its symbol filling the size × size square at (x, y).

    One path of merged row runs is ~5× faster than reportlab's QrCodeWidget and
    gives a smaller page stream. The quiet zone is not drawn: the caller keeps
    4 modules around the square free of ink.
    """
    matrix = qr_matrix(content)
    module = size / len(matrix)
    c.saveState()
    # In module units with y going down, every run is "col row length 1 re" in integers:
    # written straight into the path, as reportlab's pure-Python number formatting
    # would otherwise be half the cost of a certificate page.
    c.transform(module, 0, 0, -module, x, y + size)
    path = c.beginPath()
    path._code.extend(f"{col} {row} {length} 1 re" for row, col, length in qr_runs(matrix))
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


# --- photo -------------------------------------------------------------------

def _upright_jpeg(data: bytes) -> bytes:
    """The JPEG itself, or re-encoded upright when its EXIF says it is rotated (photos from phones)."""
    try:
        with Image.open(io.BytesIO(data)) as im:  # reads the header only
            if im.getexif().get(EXIF_ORIENTATION, 1) == 1:
                return data
            upright = ImageOps.exif_transpose(im)
            out = io.BytesIO()
            upright.convert("RGB").save(out, "JPEG", quality=92)
            return out.getvalue()
    except Exception:  # Pillow raises many types for a broken file: let the header check decide
        return data


def _register_jpeg(c: Canvas, data: bytes) -> tuple[str, int, int] | None:
    """Embed a JPEG as is (DCTDecode, no re-encoding); None if it cannot be read."""
    data = _upright_jpeg(data)
    doc = c._doc
    name = "jpeg" + hashlib.md5(data, usedforsecurity=False).hexdigest()
    reg_name = doc.getXObjectName(name)
    img = doc.idToObject.get(reg_name)
    if img is None:
        img = pdfdoc.PDFImageXObject(name)
        # not loadImageFromJPEG's ASCII85 wrapping (rl_config.useA85): it adds 25 % to every photo
        try:
            info = pdfutils.readJPEGInfo(io.BytesIO(data))
        except Exception:  # reportlab raises PDFError and friends for a broken header
            return None
        img.width, img.height = info[0], info[1]
        img.bitsPerComponent = 8
        img.colorSpace = {1: "DeviceGray", 3: "DeviceRGB"}.get(info[2], "DeviceCMYK")
        img._dotrans = int(info[2] == 4)  # Adobe CMYK JPEGs are stored inverted
        img.streamContent = data
        img._filters = ("DCTDecode",)
        img.mask = None
        doc.Reference(img, reg_name)
    return name, img.width, img.height


def draw_photo(c: Canvas, photo: bytes | None, x: float, y: float, w: float, h: float,
               *, label: str = "照片") -> bool:
    """The holder's photo fitted (aspect kept, centred) in the w × h frame; a labelled empty frame without one.

    Returns whether a photo was drawn. A photo that cannot be decoded is logged
    (without personal data) and replaced by the empty frame.
    """
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, w, h, stroke=0, fill=1)
    drawn = False
    if photo:
        if photo[:2] == b"\xff\xd8":
            jpeg = _register_jpeg(c, photo)
            if jpeg is not None:
                name, iw, ih = jpeg
                scale = min(w / iw, h / ih)
                dw, dh = iw * scale, ih * scale
                c.saveState()
                c.translate(x + (w - dw) / 2, y + (h - dh) / 2)
                c.scale(dw, dh)
                c._code.append(f"/{c._doc.getXObjectName(name)} Do")
                c.restoreState()
                c._formsinuse.append(name)
                c._currentPageHasImages = 1
                drawn = True
        else:
            try:  # PNG and whatever else Pillow reads: decoded and re-compressed by reportlab
                c.drawImage(ImageReader(io.BytesIO(photo)), x, y, w, h, preserveAspectRatio=True, anchor="c",
                            mask="auto")
                drawn = True
            except Exception:  # Pillow raises many types for a broken file
                drawn = False
        if not drawn:
            logger.warning("certificate photo could not be decoded (%d bytes); printing the empty frame",
                           len(photo))
    c.setStrokeColorRGB(0.55, 0.55, 0.55)
    c.setLineWidth(0.5)
    c.rect(x, y, w, h, stroke=1, fill=0)
    if not drawn:
        c.setFillColorRGB(0.55, 0.55, 0.55)
        c.setFont(KAI_FONT_NAME, 16)
        c.drawCentredString(x + w / 2, y + h / 2 - 6, label)
    c.restoreState()
    return drawn


__all__ = [
    "draw_line", "draw_lines", "draw_photo", "draw_qr", "fit", "mm", "qr_matrix", "qr_runs", "text_width", "wrap",
]
