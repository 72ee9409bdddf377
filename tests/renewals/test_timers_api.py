"""`/api/v1/filings/` shows each filing's dates (issue 7 item 9): issued_on, expires_on, the renewal window's
first day (REN-01) and the grace period's last day (REN-03), with a query count that does not grow."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import Filing
from institutions.services.filings import filing_renew
from tests.conftest import PASSWORD
from tests.factories import InstitutionFactory
from tests.renewals import fixtures_timers
from tests.renewals.fixtures_timers import EXPIRES, make_filing

filed = fixtures_timers.filed  # a fixture


def test_filing_shows_its_renewal_window_and_grace_dates__REN_01_REN_03(api_client, filed, users):
    api_client.login(username="city_hefei", password=PASSWORD)
    body = api_client.get(f"/api/v1/filings/{filed['filing'].pk}/").json()
    assert body["filing_number"] == filed["filing"].number and body["state"] == "active"
    assert (body["issued_on"], body["expires_on"]) == ("2026-03-10", EXPIRES.isoformat())
    assert (body["renewal_window_opens"], body["grace_ends"]) == ("2028-12-09", "2029-05-08")
    filing_renew(filing=Filing.objects.get(pk=filed["filing"].pk), acting_user=users["city_hefei"])
    body = api_client.get(f"/api/v1/filings/{filed['filing'].pk}/").json()
    # REN-08/09: the same number, the current validity starts the day after the old expiry
    assert body["filing_number"] == filed["filing"].number
    assert (body["issued_on"], body["expires_on"], body["grace_ends"]) == ("2029-03-10", "2032-03-09", "2032-05-08")


def _count(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/filings/").json()
    assert all(row["renewal_window_opens"] and row["grace_ends"] for row in body["results"])
    return body["count"], len(ctx.captured_queries)


def test_the_filing_list_query_count_does_not_grow_with_the_dates__REN_01(api_client, users, hefei):
    api_client.login(username="city_hefei", password=PASSWORD)
    for _ in range(2):
        make_filing(InstitutionFactory(region=hefei))
    small = _count(api_client)
    for _ in range(12):
        make_filing(InstitutionFactory(region=hefei))
    large = _count(api_client)
    assert (small[0], large[0]) == (2, 14)
    assert small[1] == large[1]
