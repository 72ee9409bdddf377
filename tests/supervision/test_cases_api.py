"""/api/v1/cases/: scoped lists, one endpoint per transition (200/409/403/404), decide with the tier's details
(SUP-03…06, JUR-03)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from certificates.models import Certificate
from institutions.models import Filing
from supervision.cases import case_open
from supervision.models import Case
from tests.supervision.fixtures import (  # noqa: F401
    draft,
    filing,
    investigating_case,
    issued_batch,
    occupations,
    on,
    people,
    regions,
    scheduled,
)

D = dt.date.fromisoformat


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(case, name=None) -> str:
    return f"/api/v1/cases/{case.pk}/" + (f"transitions/{name}/" if name else "")


def test_staff_open_a_case_and_walk_tier2_to_reinstatement__SUP_04(filing, people):  # noqa: F811
    staff, inst = api(people["city_hefei"]), api(people["inst_user"])
    with on("2026-05-06"):
        response = staff.post("/api/v1/cases/", {"filing_number": filing.number, "summary": "拒不接受督导"},
                              format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["state"], body["filing_number"], body["origin"]) == ("open", filing.number, "staff")
        assert set(body["available_transitions"]) == {"dismiss", "investigate"}
        case = Case.objects.get(pk=body["id"])
        assert inst.get(url(case)).status_code == 404  # not decided yet: outside the institution's view
        assert staff.post(url(case, "investigate"), {}, format="json").status_code == 200
        response = staff.post(url(case, "decide"), {"tier": "tier2", "article": "21.3", "decision": "整改"},
                              format="json")
        assert response.status_code == 409 and response.json()["rule"] == "SUP-04"
        response = staff.post(url(case, "decide"), {"tier": "tier2", "article": "22.3", "decision": "责令整改"},
                              format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["tier"], body["article"], body["decided_by"]) == (
        "decided", "tier2", "22.3", "city_hefei")
    assert body["notice_number"].startswith("ZG-2026-") and body["rectification_due"] == "2026-06-02"
    assert body["notice_pdf"].endswith(f"/supervision/cases/{case.pk}/notice.pdf")
    assert Filing.objects.get(pk=filing.pk).state == "suspended"
    listed = inst.get("/api/v1/cases/").json()["results"]
    assert [c["reference"] for c in listed] == [case.reference]
    assert listed[0]["available_transitions"] == ["submit_rectification"]
    with on("2026-05-20"):
        assert api(people["other_user"]).post(url(case, "submit_rectification"), {"report": "x"},
                                              format="json").status_code == 404
        assert inst.post(url(case, "submit_rectification"), {}, format="json").status_code == 400
        assert inst.post(url(case, "verify"), {}, format="json").status_code == 403
        response = inst.post(url(case, "submit_rectification"), {"report": "已整改"}, format="json")
        assert response.status_code == 200 and response.json()["state"] == "rectification_submitted"
        response = staff.post(url(case, "verify"), {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert Filing.objects.get(pk=filing.pk).state == "active"


def test_transitions_409_403_404__SUP_06_JUR_03(filing, people):  # noqa: F811
    with on("2026-05-06"):
        case = case_open(institution=filing.institution, filing=filing, region=filing.handling_region,
                         origin="detection", summary="一年未开展评价", proposed=True, proposed_tier="tier2",
                         detection="inactive_1y", detection_key="k1")
    staff = api(people["city_hefei"])
    response = staff.post(url(case, "investigate"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert response.json()["rule"] == "SUP-06"
    assert api(people["city_wuhu"]).post(url(case, "confirm"), {}, format="json").status_code == 404
    assert api(people["inst_user"]).post(url(case, "confirm"), {}, format="json").status_code == 404
    assert api(people["city_wuhu"]).post("/api/v1/cases/", {"filing_number": filing.number, "summary": "x"},
                                         format="json").status_code == 400  # not a filing in Wuhu's view
    assert api(people["inst_user"]).post("/api/v1/cases/", {"filing_number": filing.number, "summary": "x"},
                                         format="json").status_code == 403
    assert staff.post(url(case, "dismiss"), {}, format="json").status_code == 400
    assert staff.post(url(case, "close"), {}, format="json").status_code == 403  # the system closes cases
    response = api(people["province_ah"]).post(url(case, "confirm"), {"comment": "属实"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "open"
    assert Case.objects.get(pk=case.pk).confirmed_by == people["province_ah"]


def test_decide_tier1_voids_a_batch_and_tier3_revokes__SUP_03_SUP_05(filing, issued_batch, people):  # noqa: F811
    staff = api(people["city_hefei"])
    case = investigating_case(filing, people["city_hefei"])
    with on("2026-05-06"):
        response = staff.post(url(case, "decide"), {
            "tier": "tier1", "article": "21.9", "decision": "约谈", "interview_on": "2026-05-06",
            "interviewee": "李所长", "interview_record": "承诺整改", "void_batch": issued_batch.plan_number,
            "void_reason": "视频缺失"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["voided_count"]) == ("closed", 5)
    assert not Certificate.objects.filter(batch=issued_batch, status="valid").exists()
    second = investigating_case(filing, people["city_hefei"], day="2026-05-07")
    with on("2026-05-07"):
        response = staff.post(url(second, "decide"), {"tier": "tier3", "article": "23.4", "decision": "证书数据造假"},
                              format="json")
    assert response.status_code == 200 and response.json()["ban_until"] == "2029-05-07"
    assert Filing.objects.get(pk=filing.pk).state == "revoked"


def test_the_list_runs_a_constant_number_of_queries(filing, people, django_assert_max_num_queries):  # noqa: F811
    client = api(people["city_hefei"])

    def make(n):
        for i in range(n):
            case_open(institution=filing.institution, filing=filing, region=filing.handling_region,
                      origin="staff", summary=f"第{i}件", acting_user=people["city_hefei"])

    make(2)
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get("/api/v1/cases/").json()["results"]) == 2
    make(5)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 7
    assert client.get("/api/v1/cases/?state=proposed").json()["results"] == []
