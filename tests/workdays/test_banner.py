"""The staff banner for calendar years nobody covered (issue 2: "shows staff a banner — never a silent guess").

templates/base.html shows `calendar_uncovered_years` (filing_portal.core.context_processors.portal) to staff
and admins on every page; the years are computed from today, so the test computes its expectation the same way.
"""

import re

import pytest
from django.utils import timezone

from filing_portal.workdays import calendar
from filing_portal.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db

PAGE = "/staff/calendar/"


def _expected_years() -> list[int]:
    this_year = timezone.localdate().year
    return [y for y in range(this_year, this_year + 4) if not calendar.package_covers(y)]


def _banner(html: str) -> str | None:
    match = re.search(r'<div class="banner banner-warning" role="status">(.*?)</div>', html, re.S)
    return match.group(1) if match else None


def test_staff_see_the_banner_naming_every_uncovered_year(client, city_hefei):
    years = _expected_years()
    assert years, "chinese-calendar 1.11.0 stops at 2026: some of the next years must be uncovered"
    client.force_login(city_hefei)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["calendar_uncovered_years"] == years
    banner = _banner(response.content.decode())
    assert banner is not None
    for year in years:
        assert str(year) in banner
    assert "/admin/" not in banner  # only an admin gets the link to enter the schedule


def test_admin_banner_links_to_the_calendar_years(client, portal_admin):
    client.force_login(portal_admin)
    banner = _banner(client.get("/").content.decode())
    assert banner is not None and 'href="/admin/workdays/calendaryear/"' in banner


def test_entering_a_years_schedule_drops_it_from_the_banner(client, province_ah, portal_admin):
    first, *rest = _expected_years()
    CalendarYear.objects.create(year=first, entered_by=portal_admin)
    client.force_login(province_ah)
    response = client.get(PAGE)
    assert response.context["calendar_uncovered_years"] == rest
    banner = _banner(response.content.decode())
    assert (banner is None) == (not rest)
    if banner:
        assert str(first) not in banner


def test_institutions_and_the_public_see_no_banner(client, inst_s):
    login_page = client.get("/accounts/login/")
    assert login_page.status_code == 200 and _banner(login_page.content.decode()) is None
    client.force_login(inst_s)
    response = client.get("/")
    assert response.status_code == 200
    assert "calendar_uncovered_years" not in response.context
    assert _banner(response.content.decode()) is None
