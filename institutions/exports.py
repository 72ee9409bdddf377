"""The public directory as a spreadsheet (PUB-01): .xlsx (openpyxl write-only) and .csv (UTF-8 with BOM).

The layout is the official one, so headers and values are Chinese whatever the page language.
Rows come from a generator over the directory query in chunks (the scope is read per chunk), so
60,000 rows never sit in memory: CSV streams as it is produced; the xlsx is written row by row
to a temporary file (a zip cannot be sent before it is finished) and then streamed from disk.
Every text cell goes through `escape_formula` (CSV/formula injection: a name like "=HYPERLINK(…)").
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from certificates.batch_verify import escape_formula
from filing_portal.regions.models import Region

from .models import Filing, FilingScope

MAX_ROWS = 60_000
CHUNK = 2000  # rows per query (and per scope prefetch); stays under SQLite's parameter limit

HEADER = ["机构名称", "机构备案号", "类别", "所在地", "地址", "负责人", "职业（工种）及等级", "状态", "有效期起",
          "有效期至"]
COLUMN_WIDTHS = [36, 16, 18, 16, 40, 10, 60, 12, 12, 12]
LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
KIND_ZH = {"Y": "用人单位", "S": "社会培训评价组织"}
STATUS_ZH = {"active": "正常", "suspended": "暂停（整改）", "expired": "已到期", "lapsed": "已失效",
             "revoked": "已撤销", "terminated": "已注销"}


@dataclass
class ScopeGroup:
    """One occupation (work type) of a filing with its levels: 汽车维修工（汽车机械维修工）：三级、四级、五级."""

    code: str
    name: str
    work_type: str
    levels: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.work_type}）" if self.work_type else self.name


def scope_groups(rows: Iterable[tuple[str, str, str, int]]) -> list[ScopeGroup]:
    """Group (occupation code, occupation name, work type, level) rows by occupation and work type.

    Groups keep the order of first appearance; levels are sorted.
    """
    groups: dict[tuple, ScopeGroup] = {}
    for code, name, work_type, level in rows:
        group = groups.get((code, work_type))
        if group is None:
            group = groups[(code, work_type)] = ScopeGroup(code, name, work_type)
        if level not in group.levels:
            group.levels.append(level)
    for group in groups.values():
        group.levels.sort()
    return list(groups.values())


def filing_scope_groups(filing: Filing) -> list[ScopeGroup]:
    """The groups of a filing whose active scope is prefetched with its occupations (no query)."""
    return scope_groups((s.occupation.code, s.occupation.name, s.work_type, s.level) for s in filing.scope.all())


def scope_text_zh(groups: Iterable[ScopeGroup]) -> str:
    return "；".join(f"{g.label}：{'、'.join(LEVEL_ZH.get(level, str(level)) for level in g.levels)}"
                    for g in groups)


def public_state(state: str, expires_on: dt.date, today: dt.date) -> str:
    """The status the public sees: an active filing past its last day is expired even before the nightly sweep."""
    return Filing.State.EXPIRED if state == Filing.State.ACTIVE and expires_on < today else state


def public_status(filing: Filing, today: dt.date) -> str:
    return public_state(filing.state, filing.expires_on, today)


def province_names() -> dict[int, str]:
    """Province id → name, so a city's "所在地" needs no query per row."""
    return dict(Region.objects.filter(level=Region.Level.PROVINCE).values_list("pk", "name"))


ROW_FIELDS = ("pk", "institution__name", "number", "institution__kind", "institution__region__name",
              "institution__region__province_id", "institution__address", "institution__head", "state", "valid_from",
              "expires_on")


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def export_rows(directory: QuerySet[Filing], *, today: dt.date, limit: int = MAX_ROWS) -> Iterator[list]:
    """One list of values per filing, in the HEADER's order (dates as `date`, text not yet escaped).

    Tuples rather than model instances (building 300,000 objects made a full export 5× slower): the
    directory's own filters and order, then the active scope of each chunk of filings in one query.
    """
    provinces = province_names()
    rows = directory.prefetch_related(None).values_list(*ROW_FIELDS)[:limit].iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows, CHUNK):
        scope: dict[int, list] = {}
        for filing_id, *rest in (FilingScope.objects.filter(active=True, filing_id__in=[r[0] for r in chunk])
                                 .order_by("filing_id", "occupation__code", "work_type", "level")
                                 .values_list("filing_id", "occupation__code", "occupation__name", "work_type",
                                              "level")):
            scope.setdefault(filing_id, []).append(rest)
        for pk, name, number, kind, city, province_id, address, head, state, valid_from, expires_on in chunk:
            status = public_state(state, expires_on, today)
            yield [
                name, number, KIND_ZH.get(kind, kind), provinces.get(province_id, "") + city, address, head,
                scope_text_zh(scope_groups(scope.get(pk, []))), STATUS_ZH.get(status, status), valid_from,
                expires_on,
            ]


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_formula("" if value is None else str(value))


class _Line:
    """A file-like object whose write() hands the CSV line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def directory_csv(rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel opens Chinese correctly), CRLF lines, formula triggers escaped; yields ~64 KB pieces."""
    writer = csv.writer(_Line())
    buffer = ["\ufeff" + writer.writerow(HEADER)]
    size = 0
    for row in rows:
        line = writer.writerow([_text(v) for v in row])
        buffer.append(line)
        size += len(line)
        if size > 64_000:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    yield "".join(buffer).encode("utf-8")


def directory_xlsx(rows: Iterable[list]):
    """The sheet in a temporary file (rewound, deleted on close); dates are date cells shown YYYY-MM-DD."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("备案机构名录")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([escape_formula(h) for h in HEADER])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(escape_formula("" if value is None else str(value)))
        sheet.append(cells)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out


def export_filename(fmt: str, today: dt.date) -> str:
    """备案机构名录-YYYYMMDD.xlsx (the portal's files are named in Chinese, dated in Beijing time)."""
    return f"备案机构名录-{today:%Y%m%d}.{fmt}"
