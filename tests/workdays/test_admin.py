"""The calendar's admin: entering a year through the service, and the coverage page."""

from datetime import date

import pytest
from django.urls import reverse

from filing_portal.audit.models import AuditEvent
from filing_portal.workdays import calendar
from filing_portal.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

COVERAGE_URL = reverse("admin:workdays_calendaryear_coverage")


def _coverage_row(html: str, year: int) -> str:
    start = html.rindex("<tr", 0, html.index(f'data-year="{year}"'))
    return html[start:html.index("</tr>", start)]


def test_coverage_page_shows_2027_as_not_covered(client, portal_admin, django_assert_max_num_queries):
    """Coverage: 2004–2026 from the package, 2027 not covered (Mon–Fri, provisional) until entered."""
    client.force_login(portal_admin)
    with django_assert_max_num_queries(10):
        response = client.get(COVERAGE_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not covered: Monday–Friday, due dates provisional" in _coverage_row(html, 2027)
    assert "source-fallback" in _coverage_row(html, 2027)
    assert "source-package" in _coverage_row(html, 2004)
    assert "source-package" in _coverage_row(html, 2026)
    years = [row["year"] for row in response.context["rows"]]
    assert years == list(range(2004, calendar.today().year + 5))


def test_coverage_page_counts_override_rows_of_an_entered_year(client, portal_admin):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working=False, name="元旦")
    CalendarDay.objects.create(date=date(2027, 2, 20), is_working=True, name="调休上班")
    CalendarYear.objects.create(year=2027, entered_by=portal_admin)
    client.force_login(portal_admin)
    response = client.get(COVERAGE_URL, HTTP_ACCEPT_LANGUAGE="en")
    row = next(r for r in response.context["rows"] if r["year"] == 2027)
    assert (row["source"], row["total"], row["holidays"], row["working"]) == ("override", 2, 1, 1)
    assert "source-override" in _coverage_row(response.content.decode(), 2027)


def test_changelist_links_to_the_coverage_page(client, portal_admin):
    client.force_login(portal_admin)
    response = client.get(reverse("admin:workdays_calendaryear_changelist"))
    assert response.status_code == 200
    assert COVERAGE_URL in response.content.decode()


def test_adding_a_year_in_the_admin_goes_through_the_service(
    client, portal_admin, recompute_calls, django_capture_on_commit_callbacks
):
    """Saving a calendar year in the admin is publishing: audited, provisional due dates recomputed after commit."""
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working=False, name="元旦")
    client.force_login(portal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:workdays_calendaryear_add"), {"year": "2027", "note": "国办发明电"})
    assert response.status_code == 302
    calendar_year = CalendarYear.objects.get(year=2027)
    assert calendar_year.entered_by == portal_admin
    assert AuditEvent.objects.filter(action="calendar_year.publish", object_id=str(calendar_year.pk)).exists()
    assert recompute_calls == [2027]


def test_deleting_a_year_in_the_admin_withdraws_it(
    client, portal_admin, recompute_calls, django_capture_on_commit_callbacks
):
    calendar_year = CalendarYear.objects.create(year=2027)
    client.force_login(portal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:workdays_calendaryear_delete", args=[calendar_year.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not CalendarYear.objects.exists()
    assert AuditEvent.objects.filter(action="calendar_year.withdraw").exists()
    assert recompute_calls == [2027]


def test_publish_again_action(client, portal_admin, recompute_calls, django_capture_on_commit_callbacks):
    calendar_year = CalendarYear.objects.create(year=2027)
    client.force_login(portal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:workdays_calendaryear_changelist"),
            {"action": "publish_again", "_selected_action": [calendar_year.pk]},
        )
    assert response.status_code == 302
    assert recompute_calls == [2027]
    assert AuditEvent.objects.filter(action="calendar_year.republish").exists()


def test_calendar_days_filter_by_year_and_search_by_name(client, portal_admin):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working=False, name="元旦")
    CalendarDay.objects.create(date=date(2027, 2, 6), is_working=False, name="春节")
    CalendarDay.objects.create(date=date(2025, 10, 9), is_working=False, name="临时停工")
    client.force_login(portal_admin)
    url = reverse("admin:workdays_calendarday_changelist")
    by_year = client.get(url, {"year": "2027"})
    assert by_year.status_code == 200
    assert by_year.context["cl"].result_count == 2
    by_name = client.get(url, {"q": "春节"})
    assert [d.name for d in by_name.context["cl"].result_list] == ["春节"]


def test_office_staff_cannot_reach_the_coverage_page(client, city_hefei):
    client.force_login(city_hefei)
    response = client.get(COVERAGE_URL)
    assert response.status_code == 302
    assert "login" in response.url
