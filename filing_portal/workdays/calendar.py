"""工作日历: working days on the official Chinese calendar ("WD" in RULES.md, DESIGN.md "Time").

Every deadline counted in working days goes through this module. A day is
decided by the first source that knows it:

1. **override** — a `CalendarDay` row staff entered (always wins), or, for a year
   with a `CalendarYear` row the package does not know, plain Monday–Friday as the
   entered schedule says;
2. **package** — `chinese_calendar` (1.11.0 knows 2004–2026: holidays and 调休);
3. **fallback** — Monday–Friday. A WARNING is logged once per process per year and
   due dates reaching into such a year are *provisional*: they are recomputed by
   the functions registered with `register_recompute` when the year is published.

Ranges are loaded with one query for the override rows (plus one for the entered
years when a year outside the package's range is involved), never one per day.
Nothing read from the database is cached across calls, except the small banner
list of `uncovered_years_ahead`: a worker and the web process must agree on a due
date the moment a schedule is published.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import CalendarDay, CalendarYear

logger = logging.getLogger("filing_portal.workdays")

# DayInfo.kind
WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
ADJUSTED_WORKDAY = "adjusted_workday"

# DayInfo.source and year_source()
SOURCE_OVERRIDE = "override"
SOURCE_PACKAGE = "package"
SOURCE_FALLBACK = "fallback"

# The package names holidays in English; staff and the public read the official Chinese names.
HOLIDAY_NAMES_ZH: dict[str, str] = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.national_day.value: "国庆节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.anti_fascist_70th_day.value: "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class DayInfo:
    """One calendar day as the portal counts it."""

    date: date
    is_working: bool
    kind: str  # workday | weekend | holiday | adjusted_workday
    name: str  # 春节, 国庆节 … for holidays and the 调休 days worked for them; "" otherwise
    source: str  # override | package | fallback

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass(frozen=True)
class DueDate:
    """A due date and whether it rests on fallback (Monday–Friday) data and may move."""

    date: date
    provisional: bool


def today() -> date:
    """Today in Asia/Shanghai (TIME_ZONE), the portal's only notion of "today"."""
    return timezone.localdate()


# --- the package's coverage -------------------------------------------------

@cache
def package_covers(year: int) -> bool:
    """Whether `chinese_calendar` has the official schedule of `year` (it raises beyond its data)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def _zh_holiday_name(english: str | None) -> str:
    if not english:
        return ""
    # A newer package may add a name we do not know yet: show it rather than nothing.
    return HOLIDAY_NAMES_ZH.get(english, english)


# --- the fallback warning -----------------------------------------------------

_warned_years: set[int] = set()
_warned_lock = threading.Lock()


def _warn_fallback(year: int) -> None:
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    logger.warning(
        "No official holiday schedule for %s (beyond chinese_calendar %s and no CalendarYear entered): "
        "counting Monday to Friday; due dates reaching into %s are provisional.",
        year, getattr(chinese_calendar, "__version__", "?"), year,
    )


# --- deciding one day ---------------------------------------------------------

class _Window:
    """The override data for the days first..last, loaded once."""

    def __init__(self, first: date, last: date, *, constant_queries: bool = False):
        self.first = first
        self.last = last
        self.rows: dict[date, tuple[bool, str]] = {
            d: (working, name)
            for d, working, name in CalendarDay.objects.filter(date__range=(first, last)).values_list(
                "date", "is_working", "name"
            )
        }
        # Whether a year was entered only matters where the package is silent:
        # inside its range the package fills the days staff did not enter.
        uncovered = {y for y in range(first.year, last.year + 1) if not package_covers(y)}
        if uncovered or constant_queries:
            # constant_queries (days_between): one query whether or not the window reaches past the package,
            # so a page of due dates costs the same number of queries whichever dates it shows (bench_lists).
            self.entered_years: set[int] = uncovered & set(
                CalendarYear.objects.filter(year__range=(first.year, last.year)).values_list("year", flat=True))
        else:
            self.entered_years = set()

    def info(self, d: date) -> DayInfo:
        weekday = d.weekday() < 5
        row = self.rows.get(d)
        if row is not None:
            working, name = row
            if working:
                kind = WORKDAY if weekday else ADJUSTED_WORKDAY
            else:
                kind = HOLIDAY if (weekday or name) else WEEKEND
            return DayInfo(d, working, kind, name, SOURCE_OVERRIDE)
        if package_covers(d.year):
            working = chinese_calendar.is_workday(d)
            _, english = chinese_calendar.get_holiday_detail(d)
            name = _zh_holiday_name(english)
            if working:
                # On an adjusted Saturday the package names the holiday the day is worked for.
                return DayInfo(d, True, WORKDAY if weekday else ADJUSTED_WORKDAY, "" if weekday else name,
                               SOURCE_PACKAGE)
            kind = HOLIDAY if (weekday or name) else WEEKEND
            return DayInfo(d, False, kind, name, SOURCE_PACKAGE)
        if d.year in self.entered_years:
            return DayInfo(d, weekday, WORKDAY if weekday else WEEKEND, "", SOURCE_OVERRIDE)
        _warn_fallback(d.year)
        return DayInfo(d, weekday, WORKDAY if weekday else WEEKEND, "", SOURCE_FALLBACK)


def _iter_days(first: date, *, chunk: int) -> Iterator[DayInfo]:
    """first, first+1, … without end, loading the override rows `chunk` days at a time."""
    chunk = max(chunk, 1)
    while True:
        last = first + timedelta(days=chunk - 1)
        window = _Window(first, last)
        d = first
        while d <= last:
            yield window.info(d)
            d += timedelta(days=1)
        first = last + timedelta(days=1)


def _chunk_for(n: int) -> int:
    # n working days span about 7/5·n calendar days; the margin covers Spring
    # Festival (9 days off) so a normal scan loads its rows in a single query.
    return 2 * n + 14


def _scan(start: date, n: int) -> tuple[date, bool, list[DayInfo]]:
    """The n-th working day after start, whether any day scanned was fallback, the days scanned."""
    if n < 0:
        raise ValueError("n must be 0 or more working days")
    if n == 0:
        return start, False, []
    seen: list[DayInfo] = []
    counted = 0
    for info in _iter_days(start + timedelta(days=1), chunk=_chunk_for(n)):
        seen.append(info)
        if info.is_working:
            counted += 1
            if counted == n:
                break
    provisional = any(info.source == SOURCE_FALLBACK for info in seen)
    return seen[-1].date, provisional, seen


# --- the public functions -----------------------------------------------------

def day_info(d: date) -> DayInfo:
    """How the portal counts day `d` (one query; two for a year the package does not know)."""
    return _Window(d, d).info(d)


def is_working_day(d: date) -> bool:
    """Whether `d` is a working day: Monday–Friday unless a holiday, plus adjusted weekend days (调休)."""
    return day_info(d).is_working


def days_between(first: date, last: date, *, constant_queries: bool = False) -> list[DayInfo]:
    """Every day from first to last inclusive, with one range load (and always one load of the entered years
    with `constant_queries`, for pages whose query count must not depend on their dates)."""
    if last < first:
        return []
    window = _Window(first, last, constant_queries=constant_queries)
    return [window.info(first + timedelta(days=i)) for i in range((last - first).days + 1)]


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (start itself not counted); n=0 gives `start`."""
    return _scan(start, n)[0]


def due_date(start: date, n: int) -> DueDate:
    """`add_working_days` plus whether the result is provisional (some day counted fell back to Mon–Fri)."""
    result, provisional, _ = _scan(start, n)
    return DueDate(result, provisional)


def upcoming_days(start: date, n: int) -> list[DayInfo]:
    """`start` and every day after it up to and including the n-th working day after it."""
    return [day_info(start), *_scan(start, n)[2]] if n else [day_info(start)]


def working_days_between(a: date, b: date) -> int:
    """How many working days d satisfy a < d <= b (0 when b <= a)."""
    if b <= a:
        return 0
    return sum(1 for info in days_between(a + timedelta(days=1), b) if info.is_working)


def year_source(year: int) -> str:
    """"override" if staff entered the year's schedule, else "package" if the package knows it, else "fallback"."""
    if CalendarYear.objects.filter(year=year).exists():
        return SOURCE_OVERRIDE
    return SOURCE_PACKAGE if package_covers(year) else SOURCE_FALLBACK


# The staff banner runs on every staff page: keep its answer for a short while.
# Only answers read outside a transaction are kept: one read inside may see rows
# that are then rolled back (and tests run inside one).
_BANNER_TTL_SECONDS = 60.0
_banner_cache: dict[tuple[date, int], tuple[float, list[int]]] = {}
_banner_lock = threading.Lock()


def uncovered_years_ahead(today: date | None = None, years_ahead: int = 3) -> list[int]:
    """Years from this year to this year + years_ahead that fall back to Monday–Friday (at most one query)."""
    today = today or timezone.localdate()
    key = (today, years_ahead)
    cacheable = not connection.in_atomic_block
    if cacheable:
        with _banner_lock:
            hit = _banner_cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return list(hit[1])
    candidates = [y for y in range(today.year, today.year + years_ahead + 1) if not package_covers(y)]
    entered = (
        set(CalendarYear.objects.filter(year__in=candidates).values_list("year", flat=True)) if candidates else set()
    )
    result = [y for y in candidates if y not in entered]
    if cacheable:
        with _banner_lock:
            _banner_cache[key] = (time.monotonic() + _BANNER_TTL_SECONDS, result)
    return list(result)


def clear_caches() -> None:
    """Forget the banner cache and the fallback warnings already given (tests, or after an import by hand)."""
    with _banner_lock:
        _banner_cache.clear()
    with _warned_lock:
        _warned_years.clear()


@receiver([post_save, post_delete], sender=CalendarYear, dispatch_uid="workdays_calendar_year_changed")
def _calendar_year_changed(**kwargs) -> None:
    with _banner_lock:
        _banner_cache.clear()


# --- recomputing provisional due dates ---------------------------------------

Recompute = Callable[[int], int]
_RECOMPUTES: dict[str, Recompute] = {}


def register_recompute(fn: Recompute) -> Recompute:
    """Register `fn(year) -> count`: recompute the stored due dates that depend on `year`'s schedule.

    Called after a year's schedule is published (or withdrawn). It must at least
    recompute the due dates marked provisional that reach into `year`, and must be
    idempotent. Usable as a decorator; put it in your app's `deadlines.py`, which is
    imported before the functions are run.
    """
    _RECOMPUTES[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def registered_recomputes() -> list[str]:
    autodiscover_modules("deadlines")
    return sorted(_RECOMPUTES)


def recompute_due_dates(year: int) -> int:
    """Run every registered recompute function for `year`; return how many due dates they recomputed.

    A failing function is logged and the others still run: the schedule is already
    committed, and a later re-publish of the year runs them all again.
    """
    total = 0
    for name in registered_recomputes():
        try:
            count = _RECOMPUTES[name](year)
        except Exception:
            logger.exception("recomputing due dates for %s failed in %s", year, name)
            continue
        logger.info("recomputed %s due dates for %s in %s", count, year, name)
        total += count or 0
    return total
