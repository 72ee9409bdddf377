"""The Kai (楷体) face every printed document uses.

AH20 附件6 asks for 华文楷体, which is a licensed font; Debian's free
`fonts-arphic-ukai` ("AR PL UKai") is the Kai face we can ship. It is a
TrueType collection: face 0 is the mainland (GB) variant.
"""

import threading
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

KAI_FONT_NAME = "Kai"
DEFAULT_KAI_FONT_PATH = "/usr/share/fonts/truetype/arphic/ukai.ttc"
DEBIAN_PACKAGE = "fonts-arphic-ukai"
SETTING = "CERTIFICATE_KAI_FONT_PATH"

# Every fixed character our documents print (labels, level names, notices):
# a font without them would print boxes, so registration refuses such a font.
REQUIRED_GLYPHS = (
    "职业技能等级证书姓名证件类型号码职业名称工种所在单位编号发证日期评价机构"
    "一二三四五级高技师中初工——　：（）/已作废照片查询网址本由颁表明持通过组织的认定具备该相应水平"
    "办理结果告知书申请你报来设立备案材料收悉经审查符合条件并公布于上因原根据规定终止盖章年月日"
    "信息公开选项主动有效期自至及如下纸质邮寄或送达号，。、；"
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:/.-_?=&%#"
)


class KaiFontMissing(ImproperlyConfigured):
    """The Kai font file is absent or lacks glyphs we print."""


_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def kai_font_path() -> str:
    """The configured font file: settings.CERTIFICATE_KAI_FONT_PATH, else the Debian path."""
    from django.conf import settings

    try:
        return str(getattr(settings, SETTING, None) or DEFAULT_KAI_FONT_PATH)
    except ImproperlyConfigured:  # used outside a configured Django process (scripts)
        return DEFAULT_KAI_FONT_PATH


def register_fonts() -> TTFont:
    """Register the Kai face with reportlab under KAI_FONT_NAME, once per process and path.

    Thread-safe: the first caller loads the file under a lock, later callers
    get the cached font without locking.
    """
    path = kai_font_path()
    font = _registered.get(path)
    if font is not None:
        return font
    with _lock:
        font = _registered.get(path)
        if font is not None:
            return font
        if not Path(path).is_file():
            raise KaiFontMissing(
                f"Kai font not found at {path}. Install the Debian package {DEBIAN_PACKAGE} "
                f"(apt-get install {DEBIAN_PACKAGE}) or point settings.{SETTING} at a Kai TrueType file."
            )
        try:
            font = TTFont(KAI_FONT_NAME, path, subfontIndex=0)
        except Exception as exc:  # reportlab raises TTFError and friends for unreadable files
            raise KaiFontMissing(f"Kai font at {path} cannot be read: {exc}") from exc
        missing = sorted({c for c in REQUIRED_GLYPHS if ord(c) not in font.face.charToGlyph})
        if missing:
            raise KaiFontMissing(
                f"Kai font at {path} lacks glyphs {''.join(missing)!r}; use the {DEBIAN_PACKAGE} font."
            )
        pdfmetrics.registerFont(font)
        _registered[path] = font
        return font


def missing_glyphs(text: str) -> set[str]:
    """Characters of text the registered Kai face cannot draw (they would print as boxes)."""
    cmap = register_fonts().face.charToGlyph
    return {c for c in text if not c.isspace() and ord(c) not in cmap}
