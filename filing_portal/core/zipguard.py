"""Zip-bomb limits shared by every .xlsx upload (OWASP ASVS 5.0 V5.2.3).

Real workbooks unpack 15–25 times their packed size; a part over 1 MB unpacking more than 100 times
is refused, and so is a sheet with more rows (blank ones included) than any list we read.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable

MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
MAX_SHEET_ROWS = 100_000  # rows of any kind, blank ones included (a 6-byte <row/> costs parsing too)


def inflated_entry(entries: Iterable[zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """The first part over 1 MB that unpacks more than MAX_RATIO times its packed size, or None."""
    return next((e for e in entries
                 if e.file_size > RATIO_FROM_BYTES and e.file_size > MAX_RATIO * max(e.compress_size, 1)), None)
