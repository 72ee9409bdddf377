"""The staff dashboard: SVG charts whose tables hold the numbers of the data, scoped to the jurisdiction."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.services import batch_submit
from certificates.services import HolderData, certificates_issue
from supervision.cases import case_open
from supervision.complaints import complaint_answer, complaint_start, complaint_submit
from supervision.dashboard import dashboard_charts
from supervision.models import Case
from tests.assessments.conftest import filing, plan  # noqa: F401
from tests.certificates.helpers import resident_id
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

D = dt.date.fromisoformat
TODAY = "2026-06-30"


def holders(start, n):
    return [HolderData(holder_name=f"持证人{i}", id_type="201", id_number=resident_id(i), level=3,
                       occupation_code="4-12-01-01", occupation_name="汽车维修工") for i in range(start, start + n)]


def complaint(people, day):  # noqa: F811
    with on(day):
        return complaint_submit(facts="x", institution=people["inst"], anonymous=True)


def answer(c, people, day):  # noqa: F811
    with on(day):
        complaint_start(complaint=c, acting_user=people["city_hefei"])
        complaint_answer(complaint=c, outcome="partly", response="y", acting_user=people["city_hefei"])


@pytest.fixture
def data(filing, people, occupations):  # noqa: F811
    submitted = plan(filing, people, occupations)
    with on("2026-04-01"):
        batch_submit(batch=submitted, acting_user=people["inst_user"])
    plan(filing, people, occupations, exam="2026-05-20")  # a draft: not counted
    certificates_issue(filing_number=filing.number, institution_name=people["inst"].name, issue_date=D("2026-05-10"),
                       holders=holders(1, 3), extra_fields={"filing": filing})
    certificates_issue(filing_number=filing.number, institution_name=people["inst"].name, issue_date=D("2026-06-03"),
                       holders=holders(10, 1), extra_fields={"filing": filing})
    with on("2026-05-01"):
        cases = [case_open(institution=people["inst"], region=filing.handling_region, origin="staff",
                           summary=f"案件{i}", acting_user=people["city_hefei"], filing=filing) for i in range(4)]
    Case.objects.filter(pk=cases[1].pk).update(state="decided", tier="tier2", article="22(5)")
    Case.objects.filter(pk=cases[2].pk).update(state="decided", tier="tier2", article="22(6)")
    Case.objects.filter(pk=cases[3].pk).update(state="closed", tier="tier1", article="21(1)")
    on_time, late = complaint(people, "2026-05-04"), complaint(people, "2026-05-05")  # due 2026-05-25, 05-26
    answer(on_time, people, "2026-05-20")
    answer(late, people, "2026-06-10")
    complaint(people, "2026-05-06")  # open, overdue by TODAY
    complaint(people, "2026-06-25")  # open, due in July
    return {"cases": cases}


def table_values(html: str, slug: str) -> list[tuple[str, int]]:
    table = re.search(rf'<table class="sv-chart-table" data-chart="{slug}">(.*?)</table>', html, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [(label, int(n)) for label, n in
            re.findall(r'<th scope="row">(.*?)</th><td class="num">(\d+)</td>', body)]


def values(html, slug):
    return [n for _label, n in table_values(html, slug)]


def test_dashboard_tables_hold_the_numbers_of_the_data(client, data, people):  # noqa: F811
    client.force_login(people["city_hefei"])
    with on(TODAY):
        page = client.get(reverse("supervision:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert values(html, "filings-by-state") == [1, 0, 0, 0, 0, 0]  # one active filing
    batches = dict(table_values(html, "batches"))
    assert list(batches)[0] == "2025-07" and list(batches)[-1] == "2026-06"
    assert batches["2026-04"] == 1 and sum(batches.values()) == 1
    certificates = dict(table_values(html, "certificates"))
    assert (certificates["2026-05"], certificates["2026-06"], sum(certificates.values())) == (3, 1, 4)
    assert values(html, "cases-by-tier") == [1, 0, 2, 0]  # undecided, tier 1, tier 2, tier 3
    assert values(html, "complaints") == [1, 1, 1, 1]  # on time, late, open overdue, open in time
    assert html.count('role="img"') == 6 and html.count("<svg") == 6
    assert 'aria-labelledby="chart-complaints-title chart-complaints-desc"' in html
    assert html.count('<th scope="col"') >= 10


def test_expiring_filings_by_month(client, data, filing, people):  # noqa: F811
    today = filing.expires_on - dt.timedelta(days=40)
    rows = dict(next(c for c in dashboard_charts(people["city_hefei"], today) if c.slug == "expiring").rows)
    assert rows[f"{filing.expires_on:%Y-%m}"] == 1 and sum(rows.values()) == 1
    assert len(rows) in (3, 4)  # the months from today to today + 90 days
    later = dashboard_charts(people["city_hefei"], filing.expires_on + dt.timedelta(days=1))
    assert sum(v for _l, v in next(c for c in later if c.slug == "expiring").rows) == 0


def test_dashboard_is_scoped_to_the_jurisdiction__JUR_03(data, people):  # noqa: F811
    def totals(user):
        return {c.slug: c.total for c in dashboard_charts(user, D(TODAY))}

    hefei = totals(people["city_hefei"])
    assert hefei == {"filings-by-state": 1, "expiring": 0, "batches": 1, "certificates": 4, "cases-by-tier": 3,
                     "complaints": 4}
    assert totals(people["province_ah"]) == hefei == totals(people["admin"])
    assert set(totals(people["city_wuhu"]).values()) == {0}
    assert set(totals(people["city_chengdu"]).values()) == {0}


def test_dashboard_query_count_is_constant(client, data, filing, people):  # noqa: F811
    client.force_login(people["city_hefei"])

    def count():
        with on(TODAY), CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:dashboard")).status_code == 200
        return len(ctx)

    few = count()
    for i in range(5):
        complaint(people, "2026-06-01")
        with on("2026-06-01"):
            case_open(institution=people["inst"], region=filing.handling_region, origin="staff", summary=f"再{i}",
                      acting_user=people["city_hefei"], filing=filing)
    certificates_issue(filing_number=filing.number, institution_name=people["inst"].name, issue_date=D("2026-06-05"),
                       holders=holders(20, 5), extra_fields={"filing": filing})
    assert count() == few


def test_dashboard_is_for_staff_only(client, people):  # noqa: F811
    assert client.get(reverse("supervision:dashboard")).status_code == 302  # to the login page
    client.force_login(people["inst_user"])
    assert client.get(reverse("supervision:dashboard")).status_code == 403
