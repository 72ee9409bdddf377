"""The authenticated API: /api/v1/institutions/, /filing-applications/ (with transitions), /filings/, and the
public notices. Transitions answer 200 with the new representation, 409 with the rule, 403 for the wrong role or
jurisdiction, 404 outside the caller's view; the lists run a constant number of queries (STYLE.md)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from filing_portal.core.deadlines import run_deadlines
from institutions.models import ExpertOpinion, Filing, FilingApplication, Objection
from tests.factories import InstitutionFactory, make_uscc
from tests.institutions.conftest import make_draft, on
from tests.institutions.test_public_pages import make_filing
from tests.institutions.test_workflow import walk_to_notice

D = dt.date.fromisoformat
APPS = "/api/v1/filing-applications/"


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def transition(api_client, app, name, data=None):
    return api_client.post(f"{APPS}{app.pk}/transitions/{name}/", data or {}, format="json")


def in_notice(institution, occupations, hefei, *, objections=1):
    """An application in public notice made directly (no workflow): rows for the query counts."""
    app = make_draft(institution, occupations)
    FilingApplication.objects.filter(pk=app.pk).update(
        state="public_notice", handling_region=hefei, notice_starts_on=D("2026-03-03"),
        notice_ends_on=D("2026-03-09"))
    ExpertOpinion.objects.create(application=app, stage="initial_review", expert_names="张专家", opinion="同意",
                                 passed=True)
    for i in range(objections):
        Objection.objects.create(application=app, contact=f"1380000000{i}", content="场地不符", status="open")
    return app


def query_count(api_client, url, expected_rows):
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == expected_rows
    return len(ctx.captured_queries)


# -- /api/v1/institutions/ --------------------------------------------------------------------------------

def test_institution_list_and_detail_carry_the_fields_clients_rely_on(api_client, people):
    response = as_user(api_client, people["city_hefei"]).get("/api/v1/institutions/")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert "合肥新华职业技能评价中心" in names and "芜湖江城汽车零部件有限公司" not in names  # JUR-03
    detail = api_client.get(f"/api/v1/institutions/{people['inst'].pk}/").json()
    assert {k: detail[k] for k in ("name", "kind", "uscc", "address", "legal_representative")} == {
        "name": "合肥新华职业技能评价中心", "kind": "S", "uscc": people["inst"].uscc,
        "address": "合肥市蜀山区长江西路100号", "legal_representative": "王法人"}
    assert detail["region"] == {"code": "340100", "name": "合肥市"}


def test_institution_outside_the_view_is_404__JUR_03(api_client, people):
    as_user(api_client, people["city_hefei"])
    assert api_client.get(f"/api/v1/institutions/{people['employer'].pk}/").status_code == 404
    as_user(api_client, people["inst_user"])
    assert api_client.get(f"/api/v1/institutions/{people['other'].pk}/").status_code == 404


def test_institution_list_queries_do_not_grow__JUR_03(api_client, people, django_assert_max_num_queries):
    as_user(api_client, people["province_ah"])
    small = query_count(api_client, "/api/v1/institutions/", 3)
    for _ in range(12):
        InstitutionFactory(region=people["inst"].region, uscc=make_uscc("340100"))
    with django_assert_max_num_queries(small):
        assert api_client.get("/api/v1/institutions/").json()["count"] == 15


# -- /api/v1/filing-applications/ -------------------------------------------------------------------------

def test_application_transition_returns_the_new_representation__FIL_02(api_client, draft, people):
    with on("2026-02-12"):
        response = transition(as_user(api_client, people["inst_user"]), draft, "submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["acceptance_due"] == "2026-03-04"
    assert body["handling_region"] == {"code": "340100", "name": "合肥市"}
    assert "withdraw" in body["available_transitions"] and "submit" not in body["available_transitions"]
    with on("2026-02-13"):
        response = transition(as_user(api_client, people["city_hefei"]), draft, "accept")
    assert response.status_code == 200 and response.json()["state"] == "initial_review"
    assert response.json()["available_transitions"] == ["reject"]  # no passing opinion yet (FIL-01)


def test_application_transition_out_of_turn_is_409_with_the_rule__FIL_01(api_client, draft, people):
    with on("2026-02-12"):
        transition(as_user(api_client, people["inst_user"]), draft, "submit")
    with on("2026-02-13"):
        as_user(api_client, people["city_hefei"])
        transition(api_client, draft, "accept")
        response = transition(api_client, draft, "pass_initial_review")
    assert response.status_code == 409
    assert response.json()["rule"] == "FIL-01" and response.json()["code"] == "guard_failed"
    assert FilingApplication.objects.get(pk=draft.pk).state == "initial_review"


def test_rejection_without_reason_is_400_and_with_reason_200__FIL_06(api_client, draft, people):
    with on("2026-02-12"):
        transition(as_user(api_client, people["inst_user"]), draft, "submit")
        as_user(api_client, people["city_hefei"])
        assert transition(api_client, draft, "reject").status_code == 400
        response = transition(api_client, draft, "reject", {"reason": "场地不满足要求"})
    assert response.status_code == 200
    assert response.json()["state"] == "rejected" and response.json()["reject_reason"] == "场地不满足要求"


def test_completing_during_the_notice_is_409__FIL_07(api_client, draft, people):
    walk_to_notice(draft, people)
    with on("2026-03-04"):
        response = transition(as_user(api_client, people["city_hefei"]), draft, "complete_notice")
    assert response.status_code == 409 and response.json()["rule"] == "FIL-07"


def test_staff_of_another_city_get_404_and_an_expert_403__JUR_03(api_client, draft, people):
    with on("2026-02-12"):
        transition(as_user(api_client, people["inst_user"]), draft, "submit")
        assert transition(as_user(api_client, people["city_wuhu"]), draft, "accept").status_code == 404
        assert api_client.get(f"{APPS}{draft.pk}/").status_code == 404
        assert transition(as_user(api_client, people["inst_user"]), draft, "accept").status_code == 403
    assert FilingApplication.objects.get(pk=draft.pk).state == "submitted"


def test_another_institution_cannot_see_the_application__JUR_03(api_client, draft, people):
    as_user(api_client, people["other_user"])
    assert api_client.get(f"{APPS}{draft.pk}/").status_code == 404
    assert transition(api_client, draft, "submit").status_code == 404


def test_application_list_queries_do_not_grow_with_the_rows__FIL_07(api_client, people, occupations, regions,
                                                                   django_assert_max_num_queries):
    """available_transitions reads the prefetched opinions and objections instead of asking per row."""
    hefei = regions["340100"]
    institutions = [InstitutionFactory(region=hefei, uscc=make_uscc("340100")) for _ in range(22)]
    for institution in institutions[:2]:
        in_notice(institution, occupations, hefei)
    as_user(api_client, people["city_hefei"])
    with on("2026-03-10"):
        small = query_count(api_client, APPS, 2)
        for institution in institutions[2:]:
            in_notice(institution, occupations, hefei, objections=0)
        with django_assert_max_num_queries(small):
            response = api_client.get(APPS)
    rows = response.json()["results"]
    assert len(rows) == 22
    with_objection = [r for r in rows if r["open_objections"]]
    assert len(with_objection) == 2
    # FIL-07: an open objection blocks completion and may be dismissed; without one completion is offered.
    assert all("dismiss_objection" in r["available_transitions"] and "complete_notice" not in
               r["available_transitions"] for r in with_objection)
    assert all("complete_notice" in r["available_transitions"] and "dismiss_objection" not in
               r["available_transitions"] for r in rows if not r["open_objections"])


def test_initial_review_guard_reads_the_prefetched_opinions__FIL_01(api_client, people, occupations, regions):
    hefei = regions["340100"]
    passed, pending = make_draft(people["inst"], occupations), make_draft(people["other"], occupations)
    FilingApplication.objects.filter(pk__in=[passed.pk, pending.pk]).update(state="initial_review",
                                                                           handling_region=hefei)
    ExpertOpinion.objects.create(application=passed, stage="initial_review", expert_names="张", opinion="同意",
                                 passed=True)
    ExpertOpinion.objects.create(application=pending, stage="initial_review", expert_names="李", opinion="不同意",
                                 passed=False)
    rows = {r["id"]: r for r in as_user(api_client, people["city_hefei"]).get(APPS).json()["results"]}
    assert "pass_initial_review" in rows[passed.pk]["available_transitions"]
    assert "pass_initial_review" not in rows[pending.pk]["available_transitions"]


# -- /api/v1/filings/ -------------------------------------------------------------------------------------

@pytest.fixture
def filed(draft, people):
    walk_to_notice(draft, people)
    run_deadlines(D("2026-03-10"))
    return Filing.objects.get(institution=people["inst"])


def test_filing_detail_and_suspend_transition__SUP_04(api_client, filed, people):
    as_user(api_client, people["city_hefei"])
    body = api_client.get(f"/api/v1/filings/{filed.pk}/").json()
    assert body["filing_number"] == "S000034010001" and body["state"] == "active"
    assert (body["valid_from"], body["expires_on"]) == ("2026-03-10", "2029-03-09")
    assert {"suspend", "revoke", "terminate"} <= set(body["available_transitions"])
    response = api_client.post(f"/api/v1/filings/{filed.pk}/transitions/suspend/", {"reason": "设备故障"},
                               format="json")
    assert response.status_code == 200 and response.json()["state"] == "suspended"
    response = api_client.post(f"/api/v1/filings/{filed.pk}/transitions/suspend/", {"reason": "再次"},
                               format="json")
    assert response.status_code == 409 and response.json()["rule"] == "SUP-04"


def test_filing_outside_the_view_is_404_and_the_institution_may_not_revoke__JUR_03(api_client, filed, people):
    assert as_user(api_client, people["city_wuhu"]).get(f"/api/v1/filings/{filed.pk}/").status_code == 404
    as_user(api_client, people["inst_user"])
    assert api_client.get(f"/api/v1/filings/{filed.pk}/").status_code == 200
    response = api_client.post(f"/api/v1/filings/{filed.pk}/transitions/revoke/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert Filing.objects.get(pk=filed.pk).state == "active"


def test_filing_list_queries_do_not_grow__FIL_08(api_client, people, occupations, regions,
                                                django_assert_max_num_queries):
    hefei = regions["340100"]
    as_user(api_client, people["city_hefei"])
    for _ in range(2):
        make_filing(InstitutionFactory(region=hefei, uscc=make_uscc("340100")), occupations)
    small = query_count(api_client, "/api/v1/filings/", 2)
    for _ in range(15):
        make_filing(InstitutionFactory(region=hefei, uscc=make_uscc("340100")), occupations,
                    scope=(("4-12-01-01", "", (3, 4)), ("6-18-01-01", "", (5,))))
    with django_assert_max_num_queries(small):
        assert api_client.get("/api/v1/filings/").json()["count"] == 17


# -- /api/v1/public/notices/ ------------------------------------------------------------------------------

def test_public_notices_list_what_is_in_notice_with_constant_queries__PUB_02(
        api_client, people, occupations, regions, django_assert_max_num_queries):
    hefei = regions["340100"]
    for _ in range(2):
        in_notice(InstitutionFactory(region=hefei, uscc=make_uscc("340100")), occupations, hefei)
    with on("2026-03-05"):
        small = query_count(api_client, "/api/v1/public/notices/", 2)
        for _ in range(12):
            in_notice(InstitutionFactory(region=hefei, uscc=make_uscc("340100")), occupations, hefei)
        with django_assert_max_num_queries(small):
            rows = api_client.get("/api/v1/public/notices/").json()["results"]
    assert len(rows) == 14
    assert rows[0]["notice_ends_on"] == "2026-03-09"
    assert rows[0]["occupations"][0]["code"] == "4-12-01-01"
    with on("2026-03-10"):  # the notice has ended
        assert api_client.get("/api/v1/public/notices/").json()["count"] == 0


def test_a_transition_refuses_the_role_before_it_reads_the_body__JUR_03(api_client, draft, people):
    """Fuzzing found `start_public_notice` on a draft answering 500 (the service read the handling office
    of a state that has none). Role first (403, whatever the body), then state, then the body."""
    as_user(api_client, people["inst_user"])
    response = transition(api_client, draft, "start_public_notice", {"comment": ["not", "a", "string"]})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert as_user(api_client, people["province_ah"]).get(f"{APPS}{draft.pk}/").status_code == 404  # a draft
    assert FilingApplication.objects.get(pk=draft.pk).state == "draft"


def test_the_institution_may_not_start_the_notice_from_the_service_either__JUR_03(draft, people):
    from filing_portal.core.errors import PermissionDeniedError
    from institutions.services.applications import application_start_public_notice

    with pytest.raises(PermissionDeniedError):
        application_start_public_notice(application=draft, acting_user=people["inst_user"])
