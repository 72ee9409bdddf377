"""The working-day calendar ("WD" in RULES.md; DESIGN.md "Time") on the real official schedules."""

import dataclasses
import logging
from datetime import date

import pytest

from filing_portal.workdays import calendar
from filing_portal.workdays.calendar import (
    DueDate,
    add_working_days,
    day_info,
    due_date,
    is_working_day,
    uncovered_years_ahead,
    working_days_between,
    year_source,
)
from filing_portal.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_spring_festival_2026_is_nine_days_off_with_two_working_saturdays():
    """Spring Festival 2026 (package data): Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked (调休)."""
    for day in range(15, 24):
        info = day_info(date(2026, 2, day))
        assert not info.is_working
        assert (info.kind, info.name, info.source) == ("holiday", "春节", "package")
    for saturday in (date(2026, 2, 14), date(2026, 2, 28)):
        info = day_info(saturday)
        assert saturday.weekday() == 5
        assert info.is_working
        assert (info.kind, info.name) == ("adjusted_workday", "春节")
    assert day_info(date(2026, 2, 24)).kind == "workday"
    assert day_info(date(2026, 3, 1)).kind == "weekend"


def test_add_working_days_across_spring_festival_2026():
    """Spring Festival 2026: counting skips Feb 15–23 and counts the adjusted Saturdays."""
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Fri → the working Saturday
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)  # over the whole festival
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    # 5 WD from the day before the festival (e.g. a supplement deadline) ends on the working Saturday.
    assert add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert due_date(date(2026, 2, 13), 6) == DueDate(date(2026, 2, 28), provisional=False)


def test_national_day_2025_is_eight_days_off_with_two_working_weekend_days():
    """National Day and Mid-autumn 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 worked."""
    for day in range(1, 9):
        assert not is_working_day(date(2025, 10, day))
    assert day_info(date(2025, 10, 1)).name == "国庆节"
    assert day_info(date(2025, 10, 6)).name == "中秋节"
    assert day_info(date(2025, 10, 4)).kind == "holiday"  # a Saturday inside the holiday is the holiday
    assert is_working_day(date(2025, 9, 28)) and day_info(date(2025, 9, 28)).kind == "adjusted_workday"
    assert is_working_day(date(2025, 10, 11)) and day_info(date(2025, 10, 11)).kind == "adjusted_workday"
    assert not is_working_day(date(2025, 9, 27))  # the Saturday before stays off
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 26), 10) == date(2025, 10, 16)


def test_labour_day_2026_is_may_1_to_5_with_saturday_may_9_worked():
    """Labour Day 2026 (package data): Fri May 1 – Tue May 5 off, Sat May 9 worked; Sun Apr 26 stays off."""
    for day in range(1, 6):
        info = day_info(date(2026, 5, day))
        assert (info.is_working, info.kind, info.name) == (False, "holiday", "劳动节")
    assert day_info(date(2026, 5, 9)).kind == "adjusted_workday"
    assert not is_working_day(date(2026, 4, 26))
    assert add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 6)
    assert add_working_days(date(2026, 4, 30), 4) == date(2026, 5, 9)
    assert working_days_between(date(2026, 4, 30), date(2026, 5, 10)) == 4


def test_holiday_names_are_the_official_chinese_names():
    """The package's English names are shown as the official Chinese ones."""
    assert day_info(date(2025, 1, 1)).name == "元旦"
    assert day_info(date(2025, 4, 4)).name == "清明节"
    assert day_info(date(2025, 5, 31)).name == "端午节"
    assert day_info(date(2015, 9, 3)).name == "抗战胜利70周年纪念日"
    assert day_info(date(2025, 11, 12)).name == ""


def test_add_working_days_counts_from_the_day_after_start():
    """add_working_days: start is not counted; n=0 is start itself; a negative n is refused."""
    assert add_working_days(date(2025, 11, 7), 1) == date(2025, 11, 10)  # Fri → Mon
    assert add_working_days(date(2025, 11, 8), 0) == date(2025, 11, 8)
    assert due_date(date(2025, 11, 8), 0) == DueDate(date(2025, 11, 8), provisional=False)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 11, 8), -1)


def test_working_days_between_counts_days_after_a_up_to_b():
    """working_days_between(a, b) counts working days d with a < d <= b."""
    assert working_days_between(date(2025, 11, 7), date(2025, 11, 14)) == 5
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1  # over National Day
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 16)) == 10
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert working_days_between(date(2025, 11, 7), date(2025, 11, 7)) == 0
    assert working_days_between(date(2025, 11, 14), date(2025, 11, 7)) == 0
    start = date(2026, 1, 5)
    assert working_days_between(start, add_working_days(start, 30)) == 30


def test_override_row_wins_over_the_package():
    """A staff-entered calendar day wins over chinese_calendar, both ways."""
    CalendarDay.objects.create(date=date(2025, 10, 9), is_working=False, name="临时停工")
    CalendarDay.objects.create(date=date(2025, 10, 12), is_working=True, name="调休上班")
    assert day_info(date(2025, 10, 9)) == calendar.DayInfo(date(2025, 10, 9), False, "holiday", "临时停工", "override")
    info = day_info(date(2025, 10, 12))
    assert (info.is_working, info.kind, info.source) == (True, "adjusted_workday", "override")
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 10)
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 12)


def test_fallback_2027_counts_monday_to_friday_provisionally_and_warns_once(caplog):
    """Fallback: 2027 is beyond chinese_calendar 1.11.0, so Mon–Fri, provisional, one WARNING per year."""
    caplog.set_level(logging.WARNING, logger="filing_portal.workdays")
    new_years_day = day_info(date(2027, 1, 1))
    assert (new_years_day.is_working, new_years_day.kind, new_years_day.source) == (True, "workday", "fallback")
    assert not is_working_day(date(2027, 1, 2))
    assert due_date(date(2026, 12, 30), 3) == DueDate(date(2027, 1, 4), provisional=True)
    assert due_date(date(2026, 12, 28), 3) == DueDate(date(2026, 12, 31), provisional=False)
    warnings = [r for r in caplog.records if r.name == "filing_portal.workdays" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()
    assert year_source(2027) == "fallback"


def test_a_single_override_row_does_not_cover_a_fallback_year():
    """Fallback: one entered day in 2027 wins for that day, but the rest of 2027 stays provisional."""
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working=False, name="元旦")
    assert day_info(date(2027, 1, 1)).source == "override"
    assert due_date(date(2026, 12, 30), 3) == DueDate(date(2027, 1, 5), provisional=True)


def test_entered_year_counts_monday_to_friday_plus_its_rows_without_being_provisional():
    """Override year: with a CalendarYear row for 2027 the days without rows are plain Mon–Fri, not fallback."""
    CalendarYear.objects.create(year=2027)
    CalendarDay.objects.create(date=date(2027, 2, 6), is_working=False, name="春节")  # a Saturday
    assert day_info(date(2027, 1, 4)).source == "override"
    assert day_info(date(2027, 2, 6)).kind == "holiday"
    assert due_date(date(2026, 12, 30), 3) == DueDate(date(2027, 1, 4), provisional=False)
    assert year_source(2027) == "override"


def test_year_source():
    """year_source: override if entered, else package inside 2004–2026, else fallback."""
    assert year_source(2004) == "package"
    assert year_source(2026) == "package"
    assert year_source(2003) == "fallback"
    assert year_source(2027) == "fallback"
    CalendarYear.objects.create(year=2026)
    assert year_source(2026) == "override"


def test_uncovered_years_ahead_lists_the_fallback_years(django_assert_max_num_queries):
    """The staff banner: years from this year to +3 without any schedule, in at most one query."""
    with django_assert_max_num_queries(1):
        assert uncovered_years_ahead(today=date(2026, 11, 22)) == [2027, 2028, 2029]
    CalendarYear.objects.create(year=2027)
    assert uncovered_years_ahead(today=date(2026, 11, 22)) == [2028, 2029]
    with django_assert_max_num_queries(0):
        assert uncovered_years_ahead(today=date(2024, 3, 1), years_ahead=2) == []


@pytest.mark.django_db(transaction=True)
def test_uncovered_years_ahead_is_cached_until_a_year_is_entered(django_assert_num_queries):
    """The staff banner is cached between requests and forgotten as soon as a year is entered."""
    today = date(2026, 11, 22)
    with django_assert_num_queries(1):
        assert uncovered_years_ahead(today=today) == [2027, 2028, 2029]
    with django_assert_num_queries(0):
        assert uncovered_years_ahead(today=today) == [2027, 2028, 2029]
    CalendarYear.objects.create(year=2028)
    with django_assert_num_queries(1):
        assert uncovered_years_ahead(today=today) == [2027, 2029]


def test_add_working_days_loads_the_range_in_one_query(django_assert_max_num_queries):
    """30 WD (REN-07 renewal evaluation) costs one query for the package years, two into 2027 — not one per day."""
    with django_assert_max_num_queries(1):
        assert add_working_days(date(2025, 9, 1), 30) == date(2025, 10, 17)
    with django_assert_max_num_queries(2):
        result = due_date(date(2026, 12, 1), 30)
    assert result.provisional
    with django_assert_max_num_queries(1):
        # 2025 had 248 working days (two more holiday days than before, 春节 and 劳动节 +1 each).
        assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 248


def test_add_working_days_keeps_scanning_past_a_long_closure(django_assert_max_num_queries):
    """A closure longer than the first loaded range (22 days entered off) is still skipped correctly."""
    CalendarDay.objects.bulk_create(
        CalendarDay(date=date(2025, 11, day), is_working=False, name="临时闭馆") for day in range(3, 25)
    )
    with django_assert_max_num_queries(3):
        assert add_working_days(date(2025, 11, 2), 1) == date(2025, 11, 25)


def test_results_are_frozen_dataclasses():
    """DayInfo and DueDate are values: they cannot be changed after the fact."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        day_info(date(2025, 10, 1)).is_working = True
    with pytest.raises(dataclasses.FrozenInstanceError):
        due_date(date(2025, 10, 1), 1).provisional = True
