"""/api/v1/batches/: scoped lists, one endpoint per transition (200/409/403/404), candidates, results, exports
(ASM-01…07, JUR-03/04, PUB-04)."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assessments.models import AssessmentBatch
from assessments.services import batch_conduct, batch_submit
from institutions.models import FilingScope
from tests.assessments.conftest import person, plan
from tests.assessments.test_batches import conduct_with_results, scheduled  # noqa: F401
from tests.institutions.conftest import on

D = dt.date.fromisoformat
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submitted(filing, people, occupations, **kw):
    batch = plan(filing, people, occupations, **kw)
    with on("2026-04-01"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def row(candidate) -> dict:
    return {"name": candidate.name, "gender": candidate.gender, "id_type": "201", "id_number": candidate.id_number,
            "occupation_code": candidate.occupation_code, "level": candidate.level,
            "work_type": candidate.work_type, "employer": candidate.employer, "city": candidate.city}


def test_the_list_is_scoped_to_the_callers_view__JUR_03_JUR_04(filing, people, occupations):
    draft = plan(filing, people, occupations)
    sent = submitted(filing, people, occupations)

    def numbers(user):
        response = api(user).get("/api/v1/batches/")
        assert response.status_code == 200
        return {b["plan_number"] for b in response.json()["results"]}

    assert numbers(people["inst_user"]) == {draft.plan_number, sent.plan_number}
    assert numbers(people["city_hefei"]) == {sent.plan_number}  # an unsent draft is the institution's own
    assert numbers(people["province_ah"]) == {sent.plan_number}
    assert numbers(people["city_wuhu"]) == numbers(people["other_user"]) == numbers(people["city_chengdu"]) == set()
    assert numbers(people["expert1"]) == set()
    assert numbers(people["admin"]) == {draft.plan_number, sent.plan_number}
    body = api(people["city_hefei"]).get(f"/api/v1/batches/{sent.pk}/").json()
    assert body["state"] == "submitted" and body["filing_number"] == filing.number
    assert [(i["occupation_code"], i["level"]) for i in body["items"]] == [("4-12-01-01", 3), ("4-12-01-01", 4)]
    with on("2026-04-02"):
        transitions = api(people["city_hefei"]).get(f"/api/v1/batches/{sent.pk}/").json()["available_transitions"]
    assert set(transitions) == {"approve", "return_for_changes", "cancel"}
    assert api(people["city_hefei"]).get("/api/v1/batches/?state=draft").json()["results"] == []


def test_the_list_runs_a_constant_number_of_queries(filing, people, occupations, django_assert_max_num_queries):
    client = api(people["city_hefei"])
    for exam in ("2026-04-20", "2026-04-21"):
        submitted(filing, people, occupations, exam=exam)
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get("/api/v1/batches/").json()["results"]) == 2
    for exam in ("2026-04-22", "2026-04-23", "2026-04-24", "2026-04-27"):
        submitted(filing, people, occupations, exam=exam)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert len(client.get("/api/v1/batches/").json()["results"]) == 6


def test_transitions_200_409_403_404__ASM_01_JUR_03(filing, people, occupations):
    batch = plan(filing, people, occupations)
    url = f"/api/v1/batches/{batch.pk}/transitions"
    with on("2026-04-01"):
        response = api(people["inst_user"]).post(f"{url}/submit/")
        assert response.status_code == 200 and response.json()["state"] == "submitted"
        assert response.json()["submitted_on"] == "2026-04-01"
        again = api(people["inst_user"]).post(f"{url}/submit/")
        assert again.status_code == 409 and again.json()["rule"] == "ASM-01"
        forbidden = api(people["inst_user"]).post(f"{url}/approve/")
        assert forbidden.status_code == 403 and forbidden.json()["rule"] == "JUR-03"
        assert api(people["city_wuhu"]).post(f"{url}/approve/").status_code == 404
        assert api(people["other_user"]).post(f"{url}/cancel/", {"reason": "x"}).status_code == 404
        no_reason = api(people["city_hefei"]).post(f"{url}/return_for_changes/", {}, format="json")
        assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
        approved = api(people["city_hefei"]).post(f"{url}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "scheduled"
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "scheduled"


def test_a_guard_failure_is_409_with_its_rule__ASM_03(filing, people, occupations):
    from assessments.services import PlanPerson

    batch = plan(filing, people, occupations, staff=[PlanPerson("invigilator", "钱监考", "139", is_trainer=True)])
    with on("2026-04-01"):
        response = api(people["inst_user"]).post(f"/api/v1/batches/{batch.pk}/transitions/submit/")
    assert response.status_code == 409 and response.json()["rule"] == "ASM-03"
    assert response.json()["code"] == "guard_failed"


def test_return_for_changes_with_a_reason_and_cancel__ASM_01(filing, people, occupations):
    batch = submitted(filing, people, occupations)
    url = f"/api/v1/batches/{batch.pk}/transitions"
    with on("2026-04-02"):
        response = api(people["city_hefei"]).post(f"{url}/return_for_changes/", {"reason": "补充督导人员"},
                                                  format="json")
        assert response.status_code == 200 and response.json()["return_comment"] == "补充督导人员"
        assert response.json()["state"] == "draft"
        cancelled = api(people["inst_user"]).post(f"{url}/cancel/", {"reason": "计划调整"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_technician_plans_show_the_province_copy__JUR_04(filing, people, occupations):
    FilingScope.objects.create(filing=filing, occupation=occupations["4-12-01-01"], work_type="汽车机械维修工",
                               level=2, added_on=D("2026-03-10"), added_by=filing.source_application)
    batch = submitted(filing, people, occupations, levels=(2, 3))
    body = api(people["province_ah"]).get("/api/v1/batches/?copied_to_province=true").json()
    assert [b["id"] for b in body["results"]] == [batch.pk] and body["results"][0]["copied_to_province"]


def test_candidates_post_a_bad_row_is_400_with_the_row_errors_and_nothing_saved__CERT_02_ASM_02(
        scheduled, people):  # noqa: F811
    url = f"/api/v1/batches/{scheduled.pk}/candidates/"
    bad = person(2)
    bad.id_number = bad.id_number[:-1] + ("0" if bad.id_number[-1] != "0" else "1")
    outside = person(3, level=5)
    response = api(people["inst_user"]).post(url, [row(person(1)), row(bad), row(outside)], format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid_rows"
    assert set(body["rows"]) == {"2", "3"} and "id_number" in body["rows"]["2"]
    assert body["rows"]["3"]["occupation"].startswith("ASM-02")
    assert not scheduled.candidates.exists()
    created = api(people["inst_user"]).post(url, [row(person(1)), {**row(person(3)), "gender": "男"}],
                                            format="json")
    assert created.status_code == 201 and len(created.json()) == 2
    listed = api(people["city_hefei"]).get(url).json()
    full = person(1).id_number
    assert listed["count"] == 2 and listed["results"][0]["id_number_masked"] == f"{full[:3]}{'*' * 11}{full[-4:]}"
    assert full not in str(listed) and "id_number" not in listed["results"][0]
    assert api(people["city_hefei"]).post(url, [row(person(4))], format="json").status_code == 403
    assert api(people["city_wuhu"]).get(url).status_code == 404


def test_results_are_recorded_through_the_api__ASM_07(scheduled, people):  # noqa: F811
    client = api(people["inst_user"])
    client.post(f"/api/v1/batches/{scheduled.pk}/candidates/", [row(person(1)), row(person(3))], format="json")
    first, second = scheduled.candidates.order_by("pk")
    url = f"/api/v1/batches/{scheduled.pk}/results/"
    with on("2026-04-19"):
        early = client.post(url, [{"candidate_id": first.pk, "theory": "80", "practical": "80"}], format="json")
    assert early.status_code == 409 and early.json()["rule"] == "ASM-05"
    with on("2026-04-20"):
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
        missing = client.post(url, [{"candidate_id": first.pk, "theory": "80"}], format="json")
        assert missing.status_code == 400 and missing.json()["rows"]["1"]["practical"].startswith("ASM-07")
        response = client.post(url, [{"candidate_id": first.pk, "theory": "80", "practical": "61.5"},
                                     {"candidate_id": second.pk, "theory": "59", "practical": "90"}], format="json")
        assert response.status_code == 200 and response.json() == {"recorded": 2}
        batch = client.get(f"/api/v1/batches/{scheduled.pk}/").json()
    assert [c.result for c in scheduled.candidates.order_by("pk")] == ["pass", "fail"]
    assert batch["passed_count"] == 1 and batch["candidate_count"] == 2
    assert "publish_results" in batch["available_transitions"]


def test_exports_outside_the_view_are_404_in_json__JUR_03(scheduled, people):  # noqa: F811
    for name in ("result-summary", "certificate-info"):
        response = api(people["city_wuhu"]).get(f"/api/v1/batches/{scheduled.pk}/exports/{name}.xlsx")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_both_export_urls_return_xlsx__ASM_05_ASM_06(scheduled, people):  # noqa: F811
    pytest.importorskip("assessments.exports")
    from assessments.services import batch_issue_certificates, batch_publish_results, batch_report_results

    batch = conduct_with_results(scheduled, people)
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    for user in (people["inst_user"], people["city_hefei"], people["province_ah"]):
        for name in ("result-summary", "certificate-info"):
            response = api(user).get(f"/api/v1/batches/{batch.pk}/exports/{name}.xlsx")
            assert response.status_code == 200 and response["Content-Type"] == XLSX
            load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_transition_endpoints_and_the_batch_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for name in ("submit", "approve", "return_for_changes", "conduct", "publish_results", "report_results",
                 "issue_certificates", "cancel"):
        assert f"/api/v1/batches/{{id}}/transitions/{name}/" in paths
    assert "/api/v1/batches/{id}/candidates/" in paths and "/api/v1/batches/{id}/results/" in paths

