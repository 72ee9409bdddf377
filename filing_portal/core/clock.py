"""Today's date for business rules, which the deadline sweep can set (`run_deadlines --as-of`).

Guards and services ask `clock.today()` rather than `timezone.localdate()`, so a sweep run
for a given date applies exactly the transitions due on that date (DESIGN.md "Time").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_as_of: ContextVar[dt.date | None] = ContextVar("filing_portal_as_of", default=None)


def today() -> dt.date:
    """The as-of date of a running sweep, else today in Asia/Shanghai."""
    return _as_of.get() or timezone.localdate()


@contextmanager
def as_of(day: dt.date) -> Iterator[dt.date]:
    token = _as_of.set(day)
    try:
        yield day
    finally:
        _as_of.reset(token)
