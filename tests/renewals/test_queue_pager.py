# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""The office's renewal queue pages (REN-07, JUR-03): waiting renewals first, a page at a time, every renewal
once across the pages, a constant number of queries a page."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renewals import views as renewal_views
from renewals.models import RenewalApplication
from tests.factories import InstitutionFactory, make_uscc
from tests.renewals.fixtures_app import EXPIRES, D, make_filing, occupations, on, people, regions  # noqa: F401

S = RenewalApplication.State
_ref = itertools.count(1)


def renewal(filing, user, state, *, submitted=None, due=None, **fields) -> RenewalApplication:
    """A renewal row made directly (no workflow): the queue only reads it."""
    institution = filing.institution
    return RenewalApplication(
        reference=f"YX-PAGER-{next(_ref):04d}", filing=filing, state=state, expires_on=EXPIRES,
        institution_name=institution.name, uscc=institution.uscc, created_by=user,
        submitted_on=D(submitted) if submitted else None, evaluation_due=D(due) if due else None, **fields)


def queue_key(r: RenewalApplication):
    """The queue's order as RULES/the page promise it: submitted, under evaluation, decided; then the
    evaluation due date, the submission date and the pk (each group here all with or all without a due date,
    so the key holds whichever end of the order a database puts NULLs)."""
    waiting = {S.SUBMITTED: 0, S.UNDER_EVALUATION: 1}.get(r.state, 2)
    return waiting, r.evaluation_due or D("1900-01-01"), r.submitted_on, r.pk


@pytest.fixture
def queue(people, occupations):
    """Nine renewals of Hefei (two submitted, two under evaluation, five decided, with ties on the dates) and
    one of Wuhu that Hefei's office never sees."""
    hefei, wuhu = people["inst"].region, people["employer"].region
    filings = [make_filing(people["inst"], occupations), make_filing(people["other"], occupations)]
    filings += [make_filing(InstitutionFactory(region=hefei, uscc=make_uscc("340100")), occupations)
                for _ in range(2)]
    user = people["inst_user"]
    decided = dict(decided_on=D("2026-04-20"), evaluation_started_on=D("2026-04-01"))
    rows = [
        renewal(filings[0], user, S.SUBMITTED, submitted="2026-04-03"),
        renewal(filings[1], user, S.SUBMITTED, submitted="2026-04-01"),
        renewal(filings[2], user, S.UNDER_EVALUATION, submitted="2026-03-20", due="2026-05-10"),
        renewal(filings[3], user, S.UNDER_EVALUATION, submitted="2026-03-25", due="2026-05-08"),
        renewal(filings[0], user, S.APPROVED, submitted="2026-03-05", due="2026-04-20", **decided),
        renewal(filings[0], user, S.APPROVED, submitted="2026-03-05", due="2026-04-20", **decided),
        renewal(filings[0], user, S.REJECTED, submitted="2026-03-02", due="2026-04-20", decision_reasons="材料不全",
                **decided),
        renewal(filings[0], user, S.APPROVED, submitted="2026-03-10", due="2026-04-15", **decided),
        renewal(filings[1], user, S.APPROVED, submitted="2026-03-06", due="2026-04-25", **decided),
    ]
    RenewalApplication.objects.bulk_create(rows)
    wuhu_filing = make_filing(InstitutionFactory(region=wuhu, uscc=make_uscc("340200")), occupations)
    RenewalApplication.objects.bulk_create([renewal(wuhu_filing, user, S.SUBMITTED, submitted="2026-04-02")])
    return sorted(RenewalApplication.objects.filter(filing__handling_region=hefei), key=queue_key)


def test_the_queue_pages_over_every_renewal_once_in_queue_order__REN_07_JUR_03(client, queue, people,
                                                                                monkeypatch):
    monkeypatch.setattr(renewal_views, "PAGE_SIZE", 5)
    client.force_login(people["city_hefei"])
    url = reverse("renewals:staff_renewals")
    with on("2026-04-10"):
        first, second = client.get(url), client.get(url, {"page": 2})
    assert first.status_code == second.status_code == 200
    assert first.context["page"].paginator.count == len(queue) == 9  # the Wuhu renewal is not listed
    shown = [r.pk for r in first.context["renewals"]] + [r.pk for r in second.context["renewals"]]
    assert len(first.context["renewals"]) == 5 and shown == [r.pk for r in queue]
    html = first.content.decode()
    assert 'class="pager"' in html and 'href="?page=2" rel="next"' in html
    assert "共 9 件申请" in html and "第 1 页，共 2 页" in html
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()
    assert html.index(queue[0].reference) < html.index(queue[4].reference)


def test_the_pager_links_keep_the_querystring__REN_07(client, queue, people, monkeypatch):
    """The queue has no filter of its own; the pager keeps whatever the querystring holds (as on the plan
    list, where it is the state filter), only the page changes."""
    monkeypatch.setattr(renewal_views, "PAGE_SIZE", 5)
    client.force_login(people["city_hefei"])
    with on("2026-04-10"):
        html = client.get(reverse("renewals:staff_renewals"), {"ref": "home", "page": 1}).content.decode()
        last = client.get(reverse("renewals:staff_renewals"), {"ref": "home", "page": 2}).content.decode()
    assert 'href="?ref=home&amp;page=2" rel="next"' in html
    assert 'href="?ref=home&amp;page=1" rel="prev"' in last


def test_the_queue_shows_no_pager_on_one_page(client, queue, people):
    client.force_login(people["city_hefei"])
    with on("2026-04-10"):
        html = client.get(reverse("renewals:staff_renewals")).content.decode()
    assert 'class="pager"' not in html and all(r.reference in html for r in queue)


@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1"])
def test_a_bad_page_number_shows_a_page_not_an_error(client, queue, people, monkeypatch, page):
    monkeypatch.setattr(renewal_views, "PAGE_SIZE", 5)
    client.force_login(people["city_hefei"])
    with on("2026-04-10"):
        response = client.get(reverse("renewals:staff_renewals"), {"page": page})
    assert response.status_code == 200 and response.context["renewals"]
    assert response.context["page"].number == (1 if page == "abc" else 2)


def test_a_page_runs_the_same_queries_for_one_row_or_five(client, queue, people, monkeypatch):
    """No N+1: the filing, its institution and its office come with the renewal (renewal_queue)."""
    client.force_login(people["city_hefei"])
    url = reverse("renewals:staff_renewals")
    counts = {}
    with on("2026-04-10"):
        client.get(url)  # warm the session and the content types
        for size in (1, 5):
            monkeypatch.setattr(renewal_views, "PAGE_SIZE", size)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert len(response.context["renewals"]) == size
            counts[size] = len(ctx.captured_queries)
    assert counts[1] == counts[5]
