# ruff: noqa: F811  (the fixtures people and regions are imported from tests/institutions/conftest.py)
"""The office's complaint queue pages (SUP-02, JUR-03): open complaints first, then by response due date, a page at a
time, ordered in the database so every complaint shows once across the pages; a constant number of queries."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supervision import views_complaints
from supervision.models import Complaint
from tests.institutions.conftest import on, people, regions  # noqa: F401

D = dt.date.fromisoformat
St = Complaint.Status
_ack = itertools.count(1)
URL = "supervision:complaints_queue"


def complaint(region, status, due, *, institution=None, handler=None) -> Complaint:
    """A complaint row made directly (no service): the queue only reads it."""
    answered = {"answered_on": D("2026-03-10"), "outcome": "substantiated", "response": "属实，已责令整改"} \
        if status == St.ANSWERED else {}
    return Complaint(ack_number=f"TS20260301PAGER{next(_ack):03d}", status=status, region=region,
                     institution=institution, institution_name="" if institution else "某培训点",
                     facts="考评员代答", received_on=D("2026-03-01"), response_due=D(due), handler=handler,
                     **answered)


def queue_key(c: Complaint):
    """The order the page promises: open (received or being handled) before answered, then due date, then pk."""
    return c.status == St.ANSWERED, c.response_due, c.pk


@pytest.fixture
def complaints(people):
    """Nine complaints of Hefei (answered ones due earliest, so a due-date-only order would put them first; ties
    on the due date) and one of Wuhu that Hefei's office never sees."""
    hefei, wuhu, staff = people["inst"].region, people["employer"].region, people["city_hefei"]
    inst = people["inst"]
    Complaint.objects.bulk_create([
        complaint(hefei, St.RECEIVED, "2026-03-20", institution=inst),
        complaint(hefei, St.HANDLING, "2026-03-18", institution=inst, handler=staff),
        complaint(hefei, St.RECEIVED, "2026-03-18"),
        complaint(hefei, St.HANDLING, "2026-03-25", handler=staff),
        complaint(hefei, St.RECEIVED, "2026-03-18", institution=inst),
        complaint(hefei, St.ANSWERED, "2026-03-05", institution=inst, handler=staff),
        complaint(hefei, St.ANSWERED, "2026-03-12", handler=staff),
        complaint(hefei, St.ANSWERED, "2026-03-05", institution=inst, handler=staff),
        complaint(hefei, St.RECEIVED, "2026-03-30"),
        complaint(wuhu, St.RECEIVED, "2026-03-01"),
    ])
    return sorted(Complaint.objects.filter(region=hefei), key=queue_key)


def test_the_queue_pages_over_every_complaint_once_open_first__SUP_02_JUR_03(client, complaints, people,
                                                                             monkeypatch):
    monkeypatch.setattr(views_complaints, "PAGE_SIZE", 5)
    client.force_login(people["city_hefei"])
    with on("2026-03-19"):
        first, second = client.get(reverse(URL)), client.get(reverse(URL), {"page": 2})
    assert first.status_code == second.status_code == 200
    assert first.context["page"].paginator.count == len(complaints) == 9  # the Wuhu complaint is not listed
    shown = [c.pk for c in first.context["complaints"]] + [c.pk for c in second.context["complaints"]]
    assert len(first.context["complaints"]) == 5 and shown == [c.pk for c in complaints]
    assert [c.status for c in second.context["complaints"]][-3:] == [St.ANSWERED] * 3
    html = first.content.decode()
    assert 'class="pager"' in html and 'href="?page=2" rel="next"' in html
    assert "共 9 件投诉举报" in html and "第 1 页，共 2 页" in html
    assert html.count("is-overdue") == 3  # due 03-18 and still open, on 03-19
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()


def test_the_pager_links_keep_the_status_filter__SUP_02(client, complaints, people, monkeypatch):
    monkeypatch.setattr(views_complaints, "PAGE_SIZE", 2)
    client.force_login(people["city_hefei"])
    received = [c for c in complaints if c.status == St.RECEIVED]
    with on("2026-03-19"):
        first = client.get(reverse(URL), {"status": "received"})
        second = client.get(reverse(URL), {"status": "received", "page": 2})
    html = first.content.decode()
    assert 'href="?status=received&amp;page=2" rel="next"' in html
    assert 'href="?status=received&amp;page=2">' in html  # "Last": 4 received complaints, 2 a page
    assert 'href="?status=received&amp;page=1" rel="prev"' in second.content.decode()
    shown = [c.pk for c in first.context["complaints"]] + [c.pk for c in second.context["complaints"]]
    assert shown == [c.pk for c in received] and len(received) == 4


def test_the_queue_shows_no_pager_on_one_page(client, complaints, people):
    client.force_login(people["city_hefei"])
    with on("2026-03-19"):
        html = client.get(reverse(URL)).content.decode()
    assert 'class="pager"' not in html and all(c.ack_number in html for c in complaints)


@pytest.mark.parametrize("page", ["abc", "99999", "0"])
def test_a_bad_page_number_shows_a_page_not_an_error(client, complaints, people, monkeypatch, page):
    monkeypatch.setattr(views_complaints, "PAGE_SIZE", 5)
    client.force_login(people["city_hefei"])
    with on("2026-03-19"):
        response = client.get(reverse(URL), {"page": page, "status": "nonsense"})
    assert response.status_code == 200 and response.context["complaints"]
    assert response.context["page"].number == (1 if page == "abc" else 2)


def test_a_page_runs_the_same_queries_for_one_row_or_five(client, complaints, people, monkeypatch):
    """No N+1: institution, region, handler and case come with the complaint (complaints_visible_to)."""
    client.force_login(people["city_hefei"])
    counts = {}
    with on("2026-03-19"):
        client.get(reverse(URL))  # warm the session and the content types
        for size in (1, 5):
            monkeypatch.setattr(views_complaints, "PAGE_SIZE", size)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse(URL))
            assert len(response.context["complaints"]) == size
            counts[size] = len(ctx.captured_queries)
    assert counts[1] == counts[5]
