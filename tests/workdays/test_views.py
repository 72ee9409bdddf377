"""The staff calendar page at /staff/calendar/: the next 10 working days, holidays and 调休 marked."""

import re
from datetime import date

import pytest
from django.urls import reverse

from filing_portal.workdays import calendar

pytestmark = pytest.mark.django_db

URL = "/staff/calendar/"


def _row(html: str, day: str) -> str:
    match = re.search(rf'<tr[^>]*data-date="{day}"[^>]*>.*?</tr>', html, re.S)
    assert match, f"no row for {day}"
    return match.group(0)


def test_url_name_is_mounted_at_staff_calendar():
    assert reverse("workdays:upcoming") == URL


def test_city_staff_see_ten_working_days_over_national_day_2025(client, city_hefei, django_assert_max_num_queries):
    """National Day 2025 from Fri Sep 26: 10 numbered working days to Oct 16, holidays and 调休 marked."""
    client.force_login(city_hefei)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"from": "2025-09-26"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0]["info"].date == date(2025, 9, 26)
    assert rows[-1]["info"].date == date(2025, 10, 16)
    assert [r["ordinal"] for r in rows if r["ordinal"]] == list(range(1, 11))
    html = response.content.decode()
    assert html.count("<tr") == len(rows) + 1  # the header row
    assert len(re.findall(r'class="working-day-no">\d+<', html)) == 10

    national_day = _row(html, "2025-10-01")
    assert 'class="is-off is-holiday"' in national_day
    assert "国庆节" in national_day
    assert "中秋节" in _row(html, "2025-10-06")
    adjusted_sunday = _row(html, "2025-09-28")
    assert 'class="is-adjusted"' in adjusted_sunday
    assert 'data-kind="adjusted_workday"' in adjusted_sunday
    assert ">1<" in adjusted_sunday  # the first working day after Friday is the adjusted Sunday
    assert 'class="is-off"' in _row(html, "2025-09-27")
    assert 'class="is-adjusted"' in _row(html, "2025-10-11")
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert 'id="fallback-warning"' not in html


def test_weekdays_are_shown_in_chinese(client, city_hefei):
    """The page speaks Chinese by default: 2025-09-28 is 星期日, worked (调休)."""
    client.force_login(city_hefei)
    response = client.get(URL, {"from": "2025-09-26"})
    assert "星期日" in _row(response.content.decode(), "2025-09-28")
    assert "星期三" in _row(response.content.decode(), "2025-10-01")


def test_province_staff_and_administrators_see_the_page(client, province_ah, portal_admin):
    for user in (province_ah, portal_admin):
        client.force_login(user)
        assert client.get(URL).status_code == 200


def test_without_from_the_page_starts_today(client, city_hefei):
    client.force_login(city_hefei)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["rows"][0]["info"].date == calendar.today()


def test_institution_users_are_refused(client, inst_s):
    """Only city staff, province staff and administrators see the staff calendar."""
    client.force_login(inst_s)
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("bad", ["2025-13-45", "26/09/2025", "yesterday", "9999-12-31"])
def test_a_bad_start_date_gives_a_clear_message_not_a_500(client, city_hefei, bad):
    """?from= that is not a date (or absurdly far) says so and still shows today's days."""
    client.force_login(city_hefei)
    response = client.get(URL, {"from": bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert "The start date could not be read" in html
    assert "YYYY-MM-DD" in html or "between 2000-01-01 and 2100-12-31" in html
    assert response.context["rows"][0]["info"].date == calendar.today()


def test_fallback_days_carry_a_warning(client, city_hefei):
    """Fallback: from 2026-12-28 the days reach into 2027, which no schedule covers yet."""
    client.force_login(city_hefei)
    response = client.get(URL, {"from": "2026-12-28"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fallback-warning"' in html
    assert "2027" in html
    assert "Not covered: Monday–Friday" in _row(html, "2027-01-01")
