"""批量核验: employers upload a sheet of people or certificate numbers and get it back with a result column.

CERT-05 (every certificate verifiable), CERT-02 (ID types and numbers), PUB-04 (no ID number is
written that the user did not upload), REC-01 (one audit event per batch). Pure service: no HTTP.

Two layouts, recognised from the header row (row 1, Chinese or English, any column order):

* identity — 姓名 / 证件类型 / 证件号码: every certificate of that person;
* number — 证书编号 / 姓名: that certificate, when the name matches.

Every row is validated before anything is looked up: one bad row and nothing is looked up, and
the error lists every bad row. Lookups are batched (a few queries for 5,000 rows), never per row.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.datavalidation import DataValidation

from filing_portal.audit.services import audit_record
from filing_portal.core.zipguard import MAX_RATIO, MAX_SHEET_ROWS, inflated_entry
from filing_portal.personal_data import IdType, id_number_index, normalize_id_number, validate_id_number

from .models import LEVEL_LABELS, Certificate
from .numbers import NumberFormatError, parse_certificate_number

MAX_ROWS = 5000
MAX_COLUMNS = 200  # a cell in column XFD would make every row 16,384 cells wide in memory
# Zip bombs (OWASP ASVS 5.0 V5.2.3), checked on the zip's central directory before openpyxl parses anything:
# real sheet XML deflates 15-25 times; 150 MB of blank rows packed into 150 KB took 138 s to read here.
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ENTRIES = 1000
LOOKUP_CHUNK = 2000  # stays under SQLite's bound-parameter limit; 3 queries for 5,000 rows
SEPARATOR = "；"  # between several certificates of one person, in every appended cell

IDENTITY, NUMBER = "identity", "number"

# Header spellings, compared after NFKC, trimming, lower-casing and dropping a trailing "*".
HEADER_ALIASES = {
    "name": {"姓名", "name", "holder name"},
    "id_type": {"证件类型", "id type", "id_type"},
    "id_number": {"证件号码", "id number", "id_number"},
    "number": {"证书编号", "certificate number", "certificate_number"},
}
LAYOUT_COLUMNS = {IDENTITY: ("name", "id_type", "id_number"), NUMBER: ("number", "name")}

# Cells from the database that start with one of these would run as a formula (or DDE) in a
# spreadsheet; tab and CR are on OWASP's list too, since Excel strips them before the sign.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class BatchVerifyResult:
    """The answered sheet: how many rows were checked, how many found a certificate, the xlsx."""

    rows: int
    found: int
    content: bytes
    filename: str
    layout: str = IDENTITY


@dataclass
class _Row:
    excel_row: int
    values: list[Any]
    key: tuple = ()  # (name, id_type, id_hash) or (name, number) once validated

    @property
    def is_data(self) -> bool:
        return any(not _is_empty(v) for v in self.values)


def escape_formula(value: Any) -> Any:
    """A value safe to write into a cell: text starting with = + - @ (tab, CR) gets a leading quote.

    Non-text values pass through; characters the xlsx format cannot hold are dropped.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = " ".join(text.split()).lower().rstrip("*").strip()
    return text


def _field_of(header: Any) -> str | None:
    key = _header_key(header)
    for field, aliases in HEADER_ALIASES.items():
        if key in aliases:
            return field
    return None


def _detect_layout(header: list[Any]) -> tuple[str, dict[str, int]]:
    """The layout and the column index of each key field (the first column with that header wins)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = _field_of(cell)
        if field and field not in columns:
            columns[field] = index
    # Identity wins when both are complete: it checks the ID as well, and a returned identity sheet
    # (which gains a certificate-number column) stays an identity sheet when uploaded again.
    for layout in (IDENTITY, NUMBER):
        if all(f in columns for f in LAYOUT_COLUMNS[layout]):
            return layout, {f: columns[f] for f in LAYOUT_COLUMNS[layout]}
    raise ValidationError(
        _("The first row must name the columns: either 姓名 (name), 证件类型 (ID type) and 证件号码 (ID number), "
          "or 证书编号 (certificate number) and 姓名 (name)."),
        code="header",
    )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(row: Iterable[Any]) -> list[Any]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def _refuse_zip_bomb(upload, unreadable: ValidationError) -> None:
    """Refuse a zip whose parts unpack too large, too many or too far beyond their packed size (V5.2.3)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise unreadable from exc
    finally:
        upload.seek(0)
    bomb = (len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED
            or inflated_entry(entries) is not None)
    if bomb:
        raise ValidationError(
            _("The file is refused as a zip bomb: it unpacks far beyond its size (at most %(mb)d MB, %(n)d parts, "
              "%(ratio)d times its packed size; OWASP ASVS 5.0 V5.2.3).")
            % {"mb": MAX_UNCOMPRESSED // 1024 // 1024, "n": MAX_ENTRIES, "ratio": MAX_RATIO}, code="zip_bomb")


def _read_sheet(upload) -> tuple[list[Any], list[_Row]]:
    """(header, data rows) of the first worksheet; refuses unreadable files and oversized sheets."""
    unreadable = ValidationError(
        _("The file could not be read as an Excel workbook (.xlsx). Save it as “Excel Workbook (*.xlsx)” "
          "and upload it again."), code="unreadable",
    )
    if isinstance(upload, bytes | bytearray):
        upload = io.BytesIO(upload)
    if hasattr(upload, "seek"):
        upload.seek(0)
        _refuse_zip_bomb(upload, unreadable)
    try:
        if hasattr(upload, "seek"):
            upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML, defusedxml and openpyxl errors: all mean "not a readable xlsx"
        raise unreadable from exc
    try:
        if not workbook.worksheets:
            raise ValidationError(_("The workbook has no worksheet."), code="empty")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong <dimension>; read what is really there
        header: list[Any] | None = None
        rows: list[_Row] = []
        pending_empty: list[_Row] = []  # empty rows are kept only if data follows (trailing ones are dropped)
        try:
            for excel_row, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
                if excel_row > MAX_SHEET_ROWS:
                    raise ValidationError(
                        _("The sheet has more than %(max)d rows, blank ones included (OWASP ASVS 5.0 V5.2.3). "
                          "Delete the empty rows below the data and save it again.") % {"max": MAX_SHEET_ROWS},
                        code="too_many_rows")
                values = _trim(raw)
                if len(values) > MAX_COLUMNS:
                    raise ValidationError(
                        _("Row %(row)d has data beyond column %(max)d; at most %(max)d columns are read.")
                        % {"row": excel_row, "max": MAX_COLUMNS}, code="too_wide",
                    )
                row = _Row(excel_row=excel_row, values=values)
                if header is None:
                    if not row.is_data:
                        break  # the first row is the header: an empty first row means an empty sheet
                    header = values
                    continue
                if not row.is_data:
                    if excel_row <= MAX_ROWS + 1:  # beyond, a blank row is trailing or the sheet is refused
                        pending_empty.append(row)
                    continue
                if excel_row - 1 > MAX_ROWS:
                    raise ValidationError(
                        _("The sheet has more than %(max)d data rows. Split it into several files of at most "
                          "%(max)d rows each.") % {"max": MAX_ROWS}, code="too_many_rows",
                    )
                rows.extend(pending_empty)
                pending_empty.clear()
                rows.append(row)
        except ValidationError:
            raise
        except Exception as exc:  # a corrupt sheet part fails only while its rows are parsed
            raise unreadable from exc
    finally:
        workbook.close()
    if header is None:
        raise ValidationError(_("The first worksheet is empty: row 1 must hold the column headers."), code="empty")
    return header, rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _id_types_by_text() -> dict[str, str]:
    known = {}
    for code, label in IdType.choices:
        known[code] = code
        known[normalize_id_number(label)] = code  # full-width brackets and spaces folded too
    return known


def _row_error(row: int, header: Any, message: str) -> str:
    return _("Row %(row)d, %(field)s: %(message)s") % {"row": row, "field": _cell_text(header), "message": message}


def _id_number_text(value: Any) -> str | None:
    """The ID number as text, or None when Excel stored it as a number and dropped its last digits."""
    if isinstance(value, float):
        # Excel keeps 15 significant digits: an 18-digit number typed into a General cell is lost.
        if not value.is_integer() or abs(value) >= 1e15:
            return None
        return str(int(value))
    return _cell_text(value)


def _validate(layout: str, columns: dict[str, int], header: list[Any], rows: list[_Row]) -> list[str]:
    """Give each data row its lookup key; return one message per bad field, in sheet order."""
    errors: list[str] = []
    id_types = _id_types_by_text()

    def cell(row: _Row, field: str) -> Any:
        index = columns[field]
        return row.values[index] if index < len(row.values) else None

    def fail(row: _Row, field: str, message: str) -> None:
        errors.append(_row_error(row.excel_row, header[columns[field]], message))

    for row in rows:
        if not row.is_data:
            continue
        name = "".join(_cell_text(cell(row, "name")).split())  # the selectors compare names without spaces
        ok = True
        if not name:
            fail(row, "name", _("the name is required."))
            ok = False
        if layout == NUMBER:
            text = _cell_text(cell(row, "number"))
            try:
                number = parse_certificate_number(text).number
            except NumberFormatError as exc:
                fail(row, "number", str(exc) if text else _("the certificate number is required."))
                ok = False
            else:
                row.key = (name, number) if ok else ()
            continue
        raw_type = _cell_text(cell(row, "id_type"))
        id_type = id_types.get(normalize_id_number(raw_type))
        if id_type is None:
            message = (_("CERT-02: unknown ID type “%(id_type)s”; use a code such as 201 or a name such as "
                         "居民身份证.") % {"id_type": raw_type}) if raw_type else _("CERT-02: the ID type is required.")
            fail(row, "id_type", message)
            continue  # the number cannot be checked without its type
        id_number = _id_number_text(cell(row, "id_number"))
        if id_number is None:
            fail(row, "id_number", _("CERT-02: Excel stored this ID number as a number and lost its last digits; "
                                     "format the column as Text and type the number again."))
            continue
        try:
            id_number = validate_id_number(id_type, id_number)
        except ValidationError as exc:
            fail(row, "id_number", " ".join(exc.messages))
            continue
        if ok:
            row.key = (name, id_type, id_number_index(id_number))
    return errors


_FIELDS = ("number", "holder_name", "id_type", "id_number_hash", "occupation_name", "work_type", "level",
           "issue_date", "institution_name", "status")


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _squash(name: str) -> str:
    return "".join((name or "").split())


def _lookup(layout: str, rows: list[_Row]) -> dict[tuple, list[dict]]:
    """Certificates per row key. `values()`: the encrypted ID number is never read or decrypted."""
    keys = {row.key for row in rows if row.key}
    found: dict[tuple, list[dict]] = defaultdict(list)
    if layout == NUMBER:
        numbers = sorted({number for _name, number in keys})
        for chunk in _chunks(numbers):
            for cert in Certificate.objects.filter(number__in=chunk).values(*_FIELDS):
                key = (_squash(cert["holder_name"]), cert["number"])
                if key in keys:  # a wrong name is "not found", exactly like a wrong number (CERT-05)
                    found[key].append(cert)
        return found
    hashes = sorted({id_hash for _name, _type, id_hash in keys})
    for chunk in _chunks(hashes):
        for cert in Certificate.objects.filter(id_number_hash__in=chunk).values(*_FIELDS):
            key = (_squash(cert["holder_name"]), cert["id_type"], cert["id_number_hash"])
            if key in keys:
                found[key].append(cert)
    for certs in found.values():  # newest first, as the single lookup answers (selectors)
        certs.sort(key=lambda c: c["number"])
        certs.sort(key=lambda c: c["issue_date"], reverse=True)
    return found


def _result_headers() -> list[str]:
    return [_("Verification result"), _("Certificate number"), _("Occupation (work type)"), _("Level"),
            _("Issue date"), _("Issuing institution")]


def _result_cells(certs: list[dict]) -> list[str]:
    if not certs:
        return [_("not found"), "", "", "", "", ""]

    def occupation(c: dict) -> str:
        if c["work_type"]:
            return _("%(occupation)s (%(work_type)s)") % {"occupation": c["occupation_name"],
                                                          "work_type": c["work_type"]}
        return c["occupation_name"]

    columns = [
        [_("valid") if c["status"] == "valid" else _("voided") for c in certs],
        [c["number"] for c in certs],
        [occupation(c) for c in certs],
        [str(LEVEL_LABELS.get(c["level"], c["level"])) for c in certs],
        [c["issue_date"].isoformat() for c in certs],
        [c["institution_name"] for c in certs],
    ]
    return [SEPARATOR.join(values) for values in columns]


def _user_cell(sheet, value: Any):
    """The uploaded value as read. Text stays text: openpyxl would turn "=…" into a live formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _write(header: list[Any], rows: list[_Row], found: dict[tuple, list[dict]]) -> bytes:
    width = max([len(header), *(len(row.values) for row in rows)])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Verification"))
    padding = [None] * width
    sheet.append([_user_cell(sheet, v) for v in (header + padding)[:width]]
                 + [escape_formula(h) for h in _result_headers()])
    next_row = 2
    for row in rows:
        for _blank in range(next_row, row.excel_row):  # keep the uploaded row numbers
            sheet.append([])
        original = [_user_cell(sheet, v) for v in (row.values + padding)[:width]]
        appended = [escape_formula(v) for v in _result_cells(found.get(row.key, []))] if row.is_data else []
        sheet.append(original + appended)
        next_row = row.excel_row + 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def result_filename(now=None) -> str:
    """核验结果-YYYYMMDD-HHMMSS.xlsx, Beijing time (the portal's files are named in Chinese)."""
    return "核验结果-" + timezone.localtime(now).strftime("%Y%m%d-%H%M%S") + ".xlsx"


def batch_verify_xlsx(*, upload, acting_user, ip: str | None = None) -> BatchVerifyResult:
    """Verify every row of an uploaded .xlsx (CERT-05) and return the sheet with result columns appended.

    Raises `ValidationError` — one message for an unreadable file or header, or one message per bad
    row and field ("Row 5, 证件号码: CERT-02: …") — and then looks nothing up and records nothing.
    """
    header, rows = _read_sheet(upload)
    layout, columns = _detect_layout(header)
    if not rows:
        raise ValidationError(_("The sheet has a header row but no data rows."), code="empty")
    errors = _validate(layout, columns, header, rows)
    if errors:
        raise ValidationError(errors, code="rows")
    found = _lookup(layout, rows)
    data_rows = [row for row in rows if row.is_data]
    found_rows = sum(1 for row in data_rows if found.get(row.key))
    content = _write(header, rows, found)
    # REC-01: who verified how many, never whom (no names or ID numbers in the trail).
    audit_record(actor=acting_user, action="certificates.batch_verify",
                 data={"rows": len(data_rows), "found": found_rows, "layout": layout}, ip=ip)
    return BatchVerifyResult(rows=len(data_rows), found=found_rows, content=content, filename=result_filename(),
                             layout=layout)


def batch_template_xlsx() -> bytes:
    """An empty identity sheet (ID numbers formatted as text) and a sheet explaining both layouts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Verification")
    sheet.append(["姓名", "证件类型", "证件号码"])
    # Text format, so Excel keeps all 18 characters of an ID number instead of rounding it.
    sheet.column_dimensions["C"].number_format = "@"
    for column, width in (("A", 14), ("B", 16), ("C", 24)):
        sheet.column_dimensions[column].width = width
    codes = DataValidation(type="list", formula1='"' + ",".join(IdType.values) + '"', allow_blank=True)
    codes.add(f"B2:B{MAX_ROWS + 1}")
    sheet.add_data_validation(codes)

    notes = workbook.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 80
    lines = [
        (_("Batch certificate verification"), ""),
        ("", _("Row 1 holds the column headers; data starts in row 2. Columns may come in any order; "
               "other columns are returned unchanged.")),
        ("", _("At most %(max)d data rows per file.") % {"max": MAX_ROWS}),
        (_("Layout 1: by name and ID"), "姓名 | 证件类型 | 证件号码"),
        ("", _("Every certificate of that person is listed. 证件类型 is the code (e.g. 201) or the name "
               "(e.g. 居民身份证) from the table below.")),
        (_("Layout 2: by certificate number"), "证书编号 | 姓名"),
        ("", _("The certificate with that number, when the name matches. A 22-character number such as "
               "S000034010001263000001.")),
        ("", _("English headers work too: name, ID type, ID number, certificate number.")),
        ("", ""),
        (_("ID type code"), _("ID type")),
        *IdType.choices,
    ]
    for left, right in lines:
        notes.append([escape_formula(left), escape_formula(right)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
