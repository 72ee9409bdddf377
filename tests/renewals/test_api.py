# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""/api/v1/renewals/: create, update, state and transitions, eligibility; 409/403/404; query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.renewals.fixtures_app import (  # noqa: F401
    SUMMARY,
    filing,
    filing_with_batches,
    make_filing,
    many_submitted,
    occupations,
    on,
    people,
    regions,
    six_batches,
    submitted,
)

URL = "/api/v1/renewals/"


def _client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_create_update_submit_evaluate_approve_by_api__REN_01_REN_08(api_client, filing_with_batches, people):
    c = _client(api_client, people["inst_user"])
    with on("2026-04-01"):
        r = c.post(URL, {"filing_number": filing_with_batches.number}, format="json")
        assert r.status_code == 201, r.json()
        body = r.json()
        assert body["state"] == "draft" and body["institution_name"] == people["inst"].name
        assert len(body["plans"]) == 6 and {x["rule"] for x in body["eligibility"]} == {"REN-04", "REN-05"}
        pk = body["id"]
        r = c.post(f"{URL}{pk}/transitions/submit/", {}, format="json")
        assert r.status_code == 409 and r.json()["rule"] == "REN-06"
        keep = [p["batch"] for p in body["plans"]][:3]
        r = c.patch(f"{URL}{pk}/", {**SUMMARY, "pledge_accepted": True, "plans": keep}, format="json")
        assert r.status_code == 200 and [p["batch"] for p in r.json()["plans"]] == keep
        assert "submit" in r.json()["available_transitions"]
        r = c.post(f"{URL}{pk}/transitions/submit/", {}, format="json")
        assert r.status_code == 200 and r.json()["state"] == "submitted"
    staff = _client(api_client, people["city_hefei"])
    with on("2026-04-02"):
        r = staff.get(f"{URL}{pk}/")
        assert r.json()["available_transitions"] == ["start_evaluation"]
        r = staff.post(f"{URL}{pk}/transitions/start_evaluation/", {}, format="json")
        assert r.status_code == 200 and r.json()["evaluation_due"]
        r = staff.post(f"{URL}{pk}/transitions/reject/", {}, format="json")
        assert r.status_code == 400
        r = staff.post(f"{URL}{pk}/transitions/approve/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["new_expires_on"] == "2029-05-31"


def test_outside_the_window_the_api_answers_409_with_the_rule__REN_01(api_client, filing, people):
    c = _client(api_client, people["inst_user"])
    with on("2026-01-01"):
        r = c.post(URL, {"filing_number": filing.number}, format="json")
    assert r.status_code == 409 and r.json()["rule"] == "REN-01"


def test_reject_needs_reasons_and_an_institution_may_not_decide__REN_05(api_client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    c = _client(api_client, people["inst_user"])
    with on("2026-04-02"):
        r = c.post(f"{URL}{application.pk}/transitions/start_evaluation/", {}, format="json")
        assert r.status_code == 403
        staff = _client(api_client, people["city_hefei"])
        staff.post(f"{URL}{application.pk}/transitions/start_evaluation/", {}, format="json")
        r = staff.post(f"{URL}{application.pk}/transitions/reject/", {"reasons": "工作总结不实"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "rejected" and r.json()["decision_reasons"] == "工作总结不实"


def test_outside_the_callers_view_is_404__JUR_03(api_client, filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    for user in (people["city_wuhu"], people["other_user"]):
        c = _client(api_client, user)
        assert c.get(f"{URL}{application.pk}/").status_code == 404
        assert c.post(f"{URL}{application.pk}/transitions/start_evaluation/", {}, format="json").status_code == 404


def test_eligibility_endpoint_lists_the_checks__REN_04_REN_05(api_client, filing, occupations, people):
    six_batches(filing, occupations, n=2)
    c = _client(api_client, people["inst_user"])
    with on("2026-04-01"):
        pk = c.post(URL, {"filing_number": filing.number}, format="json").json()["id"]
        checks = c.get(f"{URL}{pk}/eligibility/").json()
    batches = next(x for x in checks if x["key"] == "batches")
    assert batches["rule"] == "REN-04" and batches["blocking"] and batches["figures"]["batches"] == 2


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(api_client, people, occupations):
    c = _client(api_client, people["city_hefei"])
    many_submitted(people, occupations, 2)
    with on("2026-04-02"), CaptureQueriesContext(connection) as few:
        assert len(c.get(URL).json()["results"]) == 2
    many_submitted(people, occupations, 5)
    with on("2026-04-02"), CaptureQueriesContext(connection) as more:
        assert len(c.get(URL).json()["results"]) == 7
    assert len(more.captured_queries) == len(few.captured_queries)
