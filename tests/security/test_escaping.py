"""HTML and script typed into text fields comes back escaped on every page that shows it (issue 9 item 5;
OWASP ASVS 5.0 V3.2.2). Each value goes in through the real form or service and is read on the real page."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import html

import pytest
from django.core.cache import cache
from django.urls import reverse

from assessments.services import candidates_add
from supervision.models import Case, Complaint
from tests.assessments.conftest import filing, person  # noqa: F401  (fixture)
from tests.assessments.test_batches import scheduled  # noqa: F401  (fixture)
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg/onload=alert(1)>",
            "javascript:alert(1)//</textarea><b>bold</b>"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def assert_escaped(response, payload: str):
    """The raw markup is nowhere on the page; its escaped text is."""
    assert response.status_code == 200
    page = response.content.decode()
    for fragment in ("<script>alert", "<img src=x", "<svg/onload", "<b>bold</b>", "</textarea><b>"):
        if fragment in payload:
            assert fragment not in page, fragment
    assert html.escape(payload, quote=False).replace("&quot;", '"') in page.replace("&#x27;", "'").replace(
        "&quot;", '"')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_institution_name_in_the_public_directory(client, filing, payload):
    institution = filing.institution
    institution.name = f"合肥{payload}评价中心"
    institution.save(update_fields=["name"])
    assert_escaped(client.get("/directory/"), payload)
    assert_escaped(client.get(f"/directory/{filing.number}/"), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_complaint_facts_on_the_staff_page(client, filing, people, payload):
    with on("2026-03-16"):
        response = client.post(reverse("supervision:complaint_new"), {
            "institution": people["inst"].pk, "facts": f"考场无监控 {payload}", "anonymous": "on"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert payload in complaint.facts  # kept as typed: escaping is the page's job, not the database's
    client.force_login(people["city_hefei"])
    assert_escaped(client.get(f"/staff/supervision/complaints/{complaint.pk}/"), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_candidate_name_on_the_batch_pages(client, scheduled, people, payload):
    candidates_add(batch=scheduled, rows=[person(1, name=f"张{payload}")], acting_user=people["inst_user"])
    client.force_login(people["inst_user"])
    assert_escaped(client.get(f"/my/batches/{scheduled.pk}/"), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_case_summary_on_the_case_pages(client, filing, people, payload):
    client.force_login(people["city_hefei"])
    with on("2026-03-16"):
        response = client.post(reverse("supervision:case_new"), {"filing": filing.pk, "summary": f"考场{payload}"})
    assert response.status_code == 302, response.content[:300]
    case = Case.objects.get()
    assert_escaped(client.get(f"/staff/supervision/cases/{case.pk}/"), payload)
