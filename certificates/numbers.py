"""Number formats (AH20 附件3): building and parsing filing and certificate numbers.

Pure functions, no database: the allocation services in `services.py` use them,
and so do forms, imports and the public lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError

# GB/T 2260 province-level codes: a filing number's positions 6–7 must be one of them.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
FILING_RE = re.compile(r"^(?P<kind>[YS])(?P<institution>\d{4})(?P<province>\d{2})(?P<city>\d{2})(?P<serial>\d{4})$")
CERTIFICATE_RE = re.compile(
    r"^(?P<filing>[YS]\d{12})(?P<year>\d{2})(?P<level>[1-5])(?P<serial>\d{6})$"
)
FILING_SERIAL_MAX = 9999  # NUM-01: 0001–9999
CERTIFICATE_SERIAL_MAX = 999999  # NUM-05: 000001–999999


class NumberFormatError(DomainError):
    """A string that is not a well-formed number (400 in forms and the API)."""

    status = 400

    def __init__(self, message: str, *, rule: str):
        super().__init__(message, rule=rule, code="malformed_number")


@dataclass(frozen=True)
class FilingNumberParts:
    kind: str
    institution_code: str
    province_code: str
    city_code: str
    serial: int

    @property
    def number(self) -> str:
        return build_filing_number(self.kind, self.institution_code, self.province_code, self.city_code, self.serial)


@dataclass(frozen=True)
class CertificateNumberParts:
    filing: FilingNumberParts
    year: int  # two digits, 0–99
    level: int
    serial: int

    @property
    def filing_number(self) -> str:
        return self.filing.number

    @property
    def number(self) -> str:
        return build_certificate_number(self.filing.number, self.year, self.level, self.serial)


def build_filing_number(kind: str, institution_code: str, province_code: str, city_code: str, serial: int) -> str:
    """NUM-01: kind letter + institution code + province code + city code + 4-digit serial."""
    if kind not in ("Y", "S"):
        raise NumberFormatError(_("The institution kind must be Y or S, not %(kind)r.") % {"kind": kind}, rule="NUM-01")
    if not re.fullmatch(r"\d{4}", institution_code or ""):
        raise NumberFormatError(_("The institution code must be four digits."), rule="NUM-01")
    if province_code not in PROVINCE_CODES:
        raise NumberFormatError(_("%(code)r is not a province code.") % {"code": province_code}, rule="NUM-01")
    if not re.fullmatch(r"\d{2}", city_code or ""):
        raise NumberFormatError(_("The city code must be two digits."), rule="NUM-08")
    if not 1 <= serial <= FILING_SERIAL_MAX:
        raise NumberFormatError(_("The filing serial must be 0001–9999."), rule="NUM-01")
    return f"{kind}{institution_code}{province_code}{city_code}{serial:04d}"


def parse_filing_number(value: str) -> FilingNumberParts:
    """Split a 13-character filing number into its parts; reject anything malformed (NUM-01)."""
    text = (value or "").strip().upper()
    match = FILING_RE.fullmatch(text)
    if not match:
        raise NumberFormatError(
            _("%(value)r is not a filing number: 13 characters, Y or S followed by 12 digits "
              "(e.g. S000034010001).") % {"value": value}, rule="NUM-01",
        )
    parts = FilingNumberParts(
        kind=match["kind"], institution_code=match["institution"], province_code=match["province"],
        city_code=match["city"], serial=int(match["serial"]),
    )
    if parts.province_code not in PROVINCE_CODES:
        raise NumberFormatError(_("%(code)r is not a province code.") % {"code": parts.province_code}, rule="NUM-01")
    if parts.serial == 0:
        raise NumberFormatError(_("The filing serial 0000 is never given."), rule="NUM-01")
    return parts


def build_certificate_number(filing_number: str, year: int, level: int, serial: int) -> str:
    """NUM-05: filing number + 2-digit issue year + level code (NUM-06) + 6-digit serial."""
    parse_filing_number(filing_number)
    if not 0 <= year <= 99:
        raise NumberFormatError(_("The issue year is two digits."), rule="NUM-05")
    if level not in (1, 2, 3, 4, 5):
        raise NumberFormatError(_("The level code must be 1–5."), rule="NUM-06")
    if not 1 <= serial <= CERTIFICATE_SERIAL_MAX:
        raise NumberFormatError(_("The certificate serial must be 000001–999999."), rule="NUM-05")
    return f"{filing_number}{year:02d}{level}{serial:06d}"


def parse_certificate_number(value: str) -> CertificateNumberParts:
    """Split a 22-character certificate number into its parts; reject anything malformed (NUM-05)."""
    text = (value or "").strip().upper()
    match = CERTIFICATE_RE.fullmatch(text)
    if not match:
        raise NumberFormatError(
            _("%(value)r is not a certificate number: 22 characters, a filing number, the 2-digit year, "
              "the level 1–5 and a 6-digit serial.") % {"value": value}, rule="NUM-05",
        )
    filing = parse_filing_number(match["filing"])
    serial = int(match["serial"])
    if serial == 0:
        raise NumberFormatError(_("The certificate serial 000000 is never given."), rule="NUM-05")
    return CertificateNumberParts(filing=filing, year=int(match["year"]), level=int(match["level"]), serial=serial)
