"""考生名单与成绩导入: a batch's candidate list and its results, uploaded as .xlsx (ASM-01, ASM-05, ASM-07, CERT-02).

The upload is checked on its zip central directory before any XML parser sees it (size, magic bytes,
entry count, declared uncompressed size: `check_xlsx_upload`), then read with openpyxl in read-only mode
(defusedxml guards the XML). Headers are found by name (Chinese, any column order, up to row 10). Every
row is checked — here (cell types, 男/女, level names) and by the service (CERT-02, ASM-02, ELIG-02,
duplicates) — and the report names sheet rows and column headers ("row 713, 证件号码: …"). One bad
row and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from certificates.batch_verify import escape_formula
from filing_portal.core.errors import DomainError
from filing_portal.core.zipguard import MAX_RATIO, MAX_SHEET_ROWS, inflated_entry
from filing_portal.personal_data import IdType, id_number_index, normalize_id_number

from .exports import LEVEL_NAMES
from .models import AssessmentBatch, Candidate
from .services import CandidateData, CandidateImportError, ScoreData, candidates_add, results_record

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ENTRIES = 1000
# Zip bombs and blank-row bombs (OWASP ASVS 5.0 V5.2.3): the limits in filing_portal/core/zipguard.py.
MAX_ROWS = 20_000
MAX_COLUMNS = 64  # cells further right are not read: a stray cell in column XFD would widen every row
HEADER_SEARCH_ROWS = 10  # a title or a notice may sit above the header row


class ImportFileError(DomainError):
    """The upload is not a workbook we read (size, type, zip bomb, headers, too many rows): HTTP 400."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message, rule=None, code="bad_file")


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as written in our templates and reports
    aliases: frozenset[str]
    required: bool = True


def _key(value: Any) -> str:
    """Header spelling compared after NFKC, without spaces, lower case and without a trailing * (required)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split()).lower().rstrip("*")


def _columns(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(field, header, frozenset({_key(header), *(_key(a) for a in aliases)}), *rest)
                 for field, header, aliases, *rest in specs)


CANDIDATE_COLUMNS = _columns(
    ("name", "姓名", ("考生姓名", "name")),
    ("gender", "性别", ("gender", "sex")),
    ("id_type", "证件类型", ("id type",)),
    ("id_number", "证件号码", ("身份证号码", "身份证号", "id number")),
    ("employer", "所在单位", ("工作单位", "employer"), False),
    ("city", "考生所在地市", ("所在地市", "city"), False),
    ("occupation_code", "职业编码", ("职业代码", "occupation code")),
    ("work_type", "工种", ("工种名称", "work type"), False),
    ("level", "申报等级", ("等级", "职业技能等级", "level")),
)
RESULT_COLUMNS = _columns(
    ("name", "姓名", ("考生姓名", "name"), False),
    ("id_number", "证件号码", ("身份证号码", "身份证号", "id number")),
    ("occupation_code", "职业编码", ("职业代码", "occupation code"), False),
    ("level", "申报等级", ("等级", "职业技能等级", "level"), False),
    ("theory", "理论成绩", ("理论知识考试成绩", "理论", "theory"), False),
    ("practical", "操作成绩", ("操作技能考核成绩", "实操成绩", "practical"), False),
    ("review", "综合评审成绩", ("综合评审", "review"), False),
)
SUBJECT_FLAGS = {"theory": "theory", "practical": "practical", "review": "comprehensive"}  # column → batch flag

# The service's field names → our columns.
CANDIDATE_FIELD_COLUMNS = {"occupation": "occupation_code"}
RESULT_FIELD_COLUMNS = {"candidate": "id_number"}

GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
LEVEL_WORDS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5, "高级技师": 1, "技师": 2, "高级工": 3, "高级": 3,
               "中级工": 4, "中级": 4, "初级工": 5, "初级": 5, **{str(n): n for n in range(1, 6)}}


class _CellError(Exception):
    pass


class _Row:
    """One data row's cells; what does not parse is collected under the sheet's column header."""

    def __init__(self, cells: dict[str, Any], headers: dict[str, str]):
        self.cells, self.headers, self.problems = cells, headers, {}

    def get(self, field: str, parser, default: Any = "") -> Any:
        try:
            return parser(self.cells.get(field))
        except _CellError as exc:
            self.problems[self.headers[field]] = str(exc)
            return default


# -- the file -------------------------------------------------------------------------------------------------
def _binary(upload):
    if isinstance(upload, bytes | bytearray):
        return io.BytesIO(upload)
    return upload


def check_xlsx_upload(upload, *, max_bytes: int = MAX_BYTES, max_uncompressed: int = MAX_UNCOMPRESSED,
                      max_entries: int = MAX_ENTRIES) -> None:
    """Refuse what is not a plausible .xlsx before openpyxl opens it (raises `ImportFileError`).

    Only the zip's central directory is read. The declared uncompressed sizes are binding: Python's
    zipfile stops each entry at its declared size (and fails its CRC when data runs on), so a member
    lying about its size cannot inflate beyond what is checked here.
    """
    f = _binary(upload)
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, io.SEEK_END)
        size = f.tell()
    if size > max_bytes:
        raise ImportFileError(_("The file is %(size).1f MB; at most %(max)d MB may be uploaded.")
                              % {"size": size / 1024 / 1024, "max": max_bytes // 1024 // 1024})
    f.seek(0)
    magic = f.read(8)
    f.seek(0)
    if magic.startswith(b"MZ"):
        raise ImportFileError(_("This file is a Windows program (.exe), not an Excel workbook. Upload the "
                                ".xlsx file."))
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("This is an old-format Excel file (.xls) or a password-protected workbook. "
                                "Open it in Excel, remove any password and save it as “Excel Workbook (*.xlsx)”."))
    if not magic.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Save it as “Excel Workbook "
                                "(*.xlsx)” and upload it again."))
    try:
        with zipfile.ZipFile(f) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("The file is damaged: it could not be read as an Excel workbook (.xlsx).")) from exc
    finally:
        f.seek(0)
    if len(entries) > max_entries:
        raise ImportFileError(_("The file has %(n)d parts; an Excel workbook of a candidate list has far fewer. "
                                "Save it again from Excel as .xlsx.") % {"n": len(entries)})
    if sum(e.file_size for e in entries) > max_uncompressed:
        raise ImportFileError(_("The file unpacks to more than %(max)d MB; it is refused (a candidate list is "
                                "much smaller).") % {"max": max_uncompressed // 1024 // 1024})
    e = inflated_entry(entries)
    if e is not None:
        raise ImportFileError(_("The file is refused as a zip bomb: its part %(part)s unpacks %(ratio)d times "
                                "its packed size (at most %(max)d; OWASP ASVS 5.0 V5.2.3).")
                              % {"part": e.filename, "ratio": e.file_size // max(e.compress_size, 1),
                                 "max": MAX_RATIO})
    names = {e.filename for e in entries}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ImportFileError(_("This zip file is not an Excel workbook (.xlsx). Save it as “Excel Workbook "
                                "(*.xlsx)” and upload it again."))


@dataclass
class _Sheet:
    headers: dict[str, str]  # field → the header as written in the sheet
    rows: list[tuple[int, dict[str, Any]]]  # (sheet row number, field → cell value)


def _header_of(values: tuple, columns: tuple[Column, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        key = _key(value)
        for column in columns:
            if key in column.aliases and column.field not in found:  # the first column of a name wins
                found[column.field] = index
    return found


def _read(upload, columns: tuple[Column, ...], required: set[str]) -> _Sheet:
    """Header and data rows of the first worksheet; blank rows are skipped but keep their numbers."""
    check_xlsx_upload(upload)
    f = _binary(upload)
    unreadable = _("The file could not be read as an Excel workbook (.xlsx). Save it as “Excel Workbook "
                   "(*.xlsx)” and upload it again.")
    try:
        workbook = load_workbook(f, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML, defusedxml and openpyxl errors all mean "not a readable xlsx"
        raise ImportFileError(unreadable) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong <dimension>; read what is there
        positions: dict[str, int] | None = None
        best: dict[str, int] = {}
        header: tuple = ()
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise ImportFileError(_("The sheet has more than %(max)d rows, blank ones included (OWASP ASVS 5.0 "
                                        "V5.2.3). Delete the empty rows below the data and save it again.")
                                      % {"max": MAX_SHEET_ROWS})
            if positions is None:
                found = _header_of(values, columns)
                if required <= found.keys():
                    positions, header = found, values
                elif number >= HEADER_SEARCH_ROWS:
                    break
                elif len(found) > len(best):
                    best = found
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportFileError(_("The sheet has more than %(max)d data rows. Split it into files of at "
                                        "most %(max)d rows.") % {"max": MAX_ROWS})
            rows.append((number, {field: values[index] for field, index in positions.items()}))
    except ImportFileError:
        raise
    except Exception as exc:  # a corrupt sheet part fails only while its rows are parsed
        raise ImportFileError(unreadable) from exc
    finally:
        workbook.close()
    if positions is None:
        missing = [c.header for c in columns if c.field in required and c.field not in best]
        raise ImportFileError(_("No header row found: the columns %(missing)s are missing. Use the template's "
                                "headers (%(all)s).") % {"missing": "、".join(missing),
                                                         "all": "、".join(c.header for c in columns)})
    if not rows:
        raise ImportFileError(_("The sheet has a header row but no data rows."))
    # Reports name the columns as the sheet does; absent optional columns by our header.
    headers = {c.field: c.header for c in columns}
    headers.update({field: " ".join(str(header[index]).split()) for field, index in positions.items()})
    return _Sheet(headers=headers, rows=rows)


# -- cells ----------------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise _CellError(_("Excel turned this into a date or time; format the column as Text and type it again."))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _gender(value: Any) -> str:
    text = _key(_text(value))
    if text not in GENDERS:
        raise _CellError(_("Write 男 or 女.") if text else _("The gender is required: 男 or 女."))
    return GENDERS[text]


def _id_type_codes() -> dict[str, str]:
    codes = {}
    for code, label in IdType.choices:
        codes[code] = codes[normalize_id_number(label)] = code
    codes[normalize_id_number("身份证")] = IdType.RESIDENT_ID_CARD
    return codes


def _id_type(value: Any, codes: dict[str, str]) -> str:
    text = normalize_id_number(_text(value))
    if text not in codes:
        raise _CellError(_("CERT-02: unknown ID type “%(t)s”; write a code such as 201 or a name such as "
                           "居民身份证.") % {"t": _text(value)} if text else _("CERT-02: the ID type is required."))
    return codes[text]


def _id_number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit ID typed into a General cell has lost its end.
        if isinstance(value, float) and not value.is_integer() or abs(value) >= 1e15:
            raise _CellError(_("CERT-02: Excel stored this ID number as a number and lost its last digits; "
                               "format the column as Text and type the number again."))
        return str(int(value))
    return _text(value)


def _level(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (1, 2, 3, 4, 5):
        return int(value)
    text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    levels = {LEVEL_WORDS.get(part) for part in text.split("/")} if text else {None}
    if len(levels) != 1 or None in levels:
        raise _CellError(_("Unknown level “%(v)s”: write 1–5, 五级…一级 or 初级, 中级, 高级, 技师, 高级技师.")
                         % {"v": text} if text else _("The level is required (1–5, 五级…一级)."))
    return levels.pop()


def _score(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    not_a_number = _CellError(_("A score is a number from 0 to 100."))
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise not_a_number
    try:
        score = Decimal(unicodedata.normalize("NFKC", str(value)).strip())
        if not score.is_finite():
            raise not_a_number
        if score != score.quantize(Decimal("0.1")):
            raise _CellError(_("A score has at most one decimal place."))
    except (InvalidOperation, ValueError) as exc:  # not a number, or too large to quantize
        raise not_a_number from exc
    return score


# -- all or nothing -------------------------------------------------------------------------------------------
def _run_service(call, items: list, poison, sheet_rows: list[int], errors: dict[int, dict[str, str]],
                 header_of) -> Any:
    """Run the all-or-nothing service on the parsed rows and merge its report into `errors` (sheet rows).

    When we found errors of our own, a row the service always refuses is appended: it then validates
    everything, saves nothing, and its report of that row is dropped. The surrounding atomic block makes
    sure nothing stays saved whenever a report is raised.
    """
    with transaction.atomic():
        result = None
        try:
            result = call(items + ([poison] if errors else []))
        except CandidateImportError as exc:
            for index, problems in exc.errors.items():
                if index > len(items):
                    continue  # the poison row
                row = errors.setdefault(sheet_rows[index - 1], {})
                for field, message in problems.items():
                    row.setdefault(header_of(field), message)
        if errors:
            raise CandidateImportError(dict(sorted(errors.items())))
    return result


def candidates_from_xlsx(*, batch: AssessmentBatch, upload, acting_user) -> list[Candidate]:
    """The candidate sheet of `batch` (template: `candidate_template_xlsx`) added through `candidates_add`.

    Raises `ImportFileError` for a file that is not read at all, `CandidateImportError` whose `errors` are
    {sheet row: {column header: message}} for bad rows (nothing saved), or the service's permission/state
    errors.
    """
    sheet = _read(upload, CANDIDATE_COLUMNS, {c.field for c in CANDIDATE_COLUMNS if c.required})
    headers = sheet.headers
    codes = _id_type_codes()
    errors: dict[int, dict[str, str]] = {}
    items: list[CandidateData] = []
    sheet_rows: list[int] = []
    first: dict[tuple, int] = {}  # (ID index, occupation, level) → sheet row
    for number, cells in sheet.rows:
        row = _Row(cells, headers)
        problems = row.problems
        data = CandidateData(
            name=row.get("name", _text), gender=row.get("gender", _gender),
            id_type=row.get("id_type", lambda v: _id_type(v, codes)), id_number=row.get("id_number", _id_number),
            occupation_code=row.get("occupation_code", _text), level=row.get("level", _level, 0),
            work_type=row.get("work_type", _text), employer=row.get("employer", _text), city=row.get("city", _text))
        if data.id_number and not problems:
            # Duplicates are ours to find: the service would name them by their place in its list.
            key = (id_number_index(data.id_number), data.occupation_code, data.level)
            if key in first:
                problems[headers["id_number"]] = _("The same person, occupation and level as row %(row)d.") % {
                    "row": first[key]}
            first.setdefault(key, number)
        if problems:
            errors[number] = problems
        else:
            items.append(data)
            sheet_rows.append(number)

    def header_of(field: str) -> str:
        return headers.get(CANDIDATE_FIELD_COLUMNS.get(field, field), field)

    poison = CandidateData(name="", gender="", id_type="", id_number="", occupation_code="", level=0)
    return _run_service(lambda rows: candidates_add(batch=batch, rows=rows, acting_user=acting_user), items,
                        poison, sheet_rows, errors, header_of)


def results_from_xlsx(*, batch: AssessmentBatch, upload, acting_user) -> int:
    """Scores by 证件号码 (+ 申报等级 / 职业编码 when a person sits several) recorded through `results_record`.

    Candidates are found by the HMAC index of the ID number; the ID numbers are never decrypted here.
    Same reporting as `candidates_from_xlsx`; returns the number of candidates scored.
    """
    subjects = [field for field, flag in SUBJECT_FLAGS.items() if getattr(batch, flag)]
    sheet = _read(upload, RESULT_COLUMNS, {"id_number", *subjects})
    headers = sheet.headers
    people: dict[str, list[tuple[int, str, int, str]]] = {}
    for pk, digest, code, level, name in batch.candidates.values_list("pk", "id_number_hash", "occupation__code",
                                                                      "level", "name"):
        people.setdefault(digest, []).append((pk, code, level, "".join(name.split())))
    errors: dict[int, dict[str, str]] = {}
    scores: list[ScoreData] = []
    sheet_rows: list[int] = []
    seen: dict[int, int] = {}
    for number, cells in sheet.rows:
        row = _Row(cells, headers)
        problems = row.problems
        id_number = row.get("id_number", _id_number)
        level = row.get("level", lambda v: None if _text(v) == "" else _level(v), None)
        code = row.get("occupation_code", _text)
        name = "".join(row.get("name", _text).split())
        values = {field: row.get(field, _score, None) for field in SUBJECT_FLAGS}
        if id_number and not problems:
            matches = [m for m in people.get(id_number_index(id_number), [])
                       if (level is None or m[2] == level) and (not code or m[1] == code)]
            if not matches:
                problems[headers["id_number"]] = (_("No candidate of this batch has this ID number at this level.")
                                                  if level else _("No candidate of this batch has this ID number."))
            elif len(matches) > 1:
                problems[headers["level"]] = _("This person sits several levels or occupations in this batch; "
                                               "fill in 申报等级 (and 职业编码).")
            elif matches[0][0] in seen:
                problems[headers["id_number"]] = _("The same candidate as row %(row)d.") % {
                    "row": seen[matches[0][0]]}
            elif name and name != matches[0][3]:
                problems[headers["name"]] = _("The candidate with this ID number has another name; check the row.")
            else:
                seen[matches[0][0]] = number
        elif not id_number and headers["id_number"] not in problems:
            problems[headers["id_number"]] = _("The ID number is required.")
        if problems:
            errors[number] = problems
            continue
        scores.append(ScoreData(candidate_id=matches[0][0], **values))
        sheet_rows.append(number)

    def header_of(field: str) -> str:
        return headers.get(RESULT_FIELD_COLUMNS.get(field, field), field)

    return _run_service(lambda rows: results_record(batch=batch, scores=rows, acting_user=acting_user), scores,
                        ScoreData(candidate_id=-1), sheet_rows, errors, header_of)


# -- workbooks we hand out ------------------------------------------------------------------------------------
def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _reference_sheet(workbook: Workbook, title: str, lines: Iterable[tuple[str, str]]) -> None:
    notes = workbook.create_sheet(title)
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 90
    for left, right in lines:
        notes.append([escape_formula(left), escape_formula(right)])


def _code_tables() -> list[tuple[str, str]]:
    return [
        ("", ""),
        (_("ID type code (证件类型)"), _("ID type")), *IdType.choices,
        ("", ""),
        (_("Level (申报等级)"), _("Also accepted")),
        *[(str(code), f"{name}（{name.split('/')[1].removesuffix('工')}）") for code, name in sorted(LEVEL_NAMES.items())],
    ]


def candidate_template_xlsx() -> bytes:
    """The candidate list template: the 9 headers, ID numbers formatted as text, and a sheet explaining it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "考生名单"
    sheet.append([c.header for c in CANDIDATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    # Text format, so Excel keeps all 18 characters of an ID number (and the codes) as typed.
    for letter, column in zip("ABCDEFGHI", CANDIDATE_COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = {"id_number": 24, "employer": 30, "occupation_code": 14}.get(
            column.field, 12)
        if column.field in ("id_type", "id_number", "occupation_code", "level"):
            sheet.column_dimensions[letter].number_format = "@"
    last = MAX_ROWS + 1
    for cells, choices in ((f"B2:B{last}", "男,女"), (f"C2:C{last}", ",".join(IdType.values)),
                           (f"I2:I{last}", "五级,四级,三级,二级,一级")):
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.add(cells)
        sheet.add_data_validation(validation)
    explanations = {
        "name": _("The candidate's name, as on the ID document. Required."),
        "gender": _("男 or 女; for a 居民身份证 it must match the ID number. Required."),
        "id_type": _("The code (e.g. 201) or the name (e.g. 居民身份证) from the table below. Required."),
        "id_number": _("The full number. Keep this column formatted as Text: Excel rounds an 18-digit number "
                       "typed into a General cell. Required."),
        "employer": _("The employing unit (an employer institution assesses its own staff only)."),
        "city": _("The city the candidate lives or works in, e.g. 合肥市."),
        "occupation_code": _("The occupation code of the batch's plan, e.g. 4-12-01-01. Required."),
        "work_type": _("The work type of the plan, if any."),
        "level": _("1–5 or 五级/四级/三级/二级/一级 (also 初级, 中级, 高级, 技师, 高级技师); it must be in the plan. "
                   "Required."),
    }
    _reference_sheet(workbook, "填写说明", [
        (_("Candidate list of an assessment batch"), _("Row 1 holds the headers; data from row 2. Columns may come "
                                                       "in any order. At most %(max)d rows per file; one bad row "
                                                       "and nothing is saved.") % {"max": MAX_ROWS}),
        ("", ""),
        *[(c.header, explanations[c.field]) for c in CANDIDATE_COLUMNS],
        *_code_tables(),
    ])
    return _save(workbook)


def results_template_xlsx(batch: AssessmentBatch) -> bytes:
    """The batch's candidates with empty score columns for the batch's subjects (ASM-07).

    It holds full ID numbers — the institution's own candidates, which it needs to match — and says so in
    row 1 and in the workbook properties.
    """
    subjects = [c for c in RESULT_COLUMNS if c.field in SUBJECT_FLAGS and getattr(batch, SUBJECT_FLAGS[c.field])]
    header = ["姓名", "证件类型", "证件号码", "职业编码", "工种", "申报等级", *[c.header for c in subjects]]
    notice = _("Contains personal data (full ID numbers) of the candidates of batch %(plan)s. For entering "
               "results only: keep it safe, do not pass it on, delete it after the upload.") % {
        "plan": batch.plan_number}
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{batch.plan_number} 成绩录入"
    workbook.properties.description = notice
    workbook.properties.keywords = "个人信息"
    sheet = workbook.create_sheet("成绩录入")
    for letter, width in zip("ABCDEFGHI", (12, 10, 24, 14, 18, 14, 12, 12, 14), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["C"].number_format = "@"
    sheet.freeze_panes = "A3"
    title = WriteOnlyCell(sheet, value=escape_formula("注意：" + notice))
    title.font = Font(bold=True, color="C00000")
    sheet.append([title])
    sheet.append([WriteOnlyCell(sheet, value=h) for h in header])
    rows = batch.candidates.order_by("occupation__code", "level", "pk").values_list(
        "name", "id_type", "id_number", "occupation__code", "work_type", "level")
    for name, id_type, id_number, code, work_type, level in rows.iterator(chunk_size=2000):
        id_cell = WriteOnlyCell(sheet, value=escape_formula(id_number))
        id_cell.number_format = "@"
        sheet.append([escape_formula(name), id_type, id_cell, code, escape_formula(work_type),
                      LEVEL_NAMES.get(level, level)])
    return _save(workbook)


def errors_report_xlsx(errors: dict[int, dict[str, str]]) -> bytes:
    """The refused sheet's problems, one line per cell: 行号 (sheet row), 列 (column header), 问题."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误报告")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 100
    sheet.freeze_panes = "A2"
    sheet.append(["行号", "列", "问题"])
    for row in sorted(errors):
        for column, message in errors[row].items():
            sheet.append([row, escape_formula(str(column)), escape_formula(str(message))])
    return _save(workbook)
