"""POST /api/v1/batches/: a plan created through the API by the same service as the plan form."""

import datetime as dt

from assessments.models import AssessmentBatch
from filing_portal.audit.models import AuditEvent
from institutions.services.filings import filing_suspend
from tests.institutions.conftest import on

API = "/api/v1/batches/"


def payload(filing, **overrides):
    data = {
        "filing_number": filing.number, "exam_start": "2026-04-20", "exam_end": "2026-04-20",
        "venue_address": "合肥市蜀山区实训楼1号", "candidate_source": "社会人员", "planned_count": 40,
        "items": [{"occupation_code": "4-12-01-01", "level": 3, "work_type": "汽车机械维修工"},
                  {"occupation_code": "4-12-01-01", "level": 4, "work_type": "汽车机械维修工"}],
        "staff": [{"role": "invigilator", "name": "钱监考", "phone": "13900000001"},
                  {"role": "assessor", "name": "孙考评", "phone": "13900000002"},
                  {"role": "supervisor", "name": "周督导", "phone": "13900000003"}],
    }
    data.update(overrides)
    return data


def test_the_api_creates_a_draft_plan__ASM_01(api_client, filing, people, occupations):
    api_client.force_authenticate(people["inst_user"])
    with on("2026-04-01"):
        response = api_client.post(API, payload(filing), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    batch = AssessmentBatch.objects.get()
    assert body["id"] == batch.pk and body["state"] == "draft" and body["plan_number"] == batch.plan_number
    assert "submit" in body["available_transitions"]
    assert sorted(i["level"] for i in body["items"]) == [3, 4] and len(body["staff"]) == 3
    assert batch.exam_start == dt.date(2026, 4, 20) and batch.pass_mark == 60
    assert AuditEvent.objects.filter(action="assessmentbatch.create").count() == 1
    with on("2026-04-01"):
        submitted = api_client.post(f"{API}{batch.pk}/transitions/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"


def test_bad_input_is_400_and_saves_nothing(api_client, filing, people, occupations):
    api_client.force_authenticate(people["inst_user"])
    with on("2026-04-01"):
        bad_dates = api_client.post(API, payload(filing, exam_end="2026-04-19"), format="json")
        unknown = api_client.post(API, payload(filing, items=[{"occupation_code": "9-99-99-99", "level": 3}]),
                                  format="json")
        not_mine = api_client.post(API, payload(filing, filing_number="S000034019999"), format="json")
    assert bad_dates.status_code == unknown.status_code == not_mine.status_code == 400
    assert "9-99-99-99" in str(unknown.json())
    assert not AssessmentBatch.objects.exists()


def test_a_venue_not_filed_is_409_ELIG_10(api_client, filing, people, occupations):
    api_client.force_authenticate(people["inst_user"])
    with on("2026-04-01"):
        response = api_client.post(API, payload(filing, venue_address="某临时场地"), format="json")
    assert response.status_code == 409 and response.json()["rule"] == "ELIG-10"
    assert not AssessmentBatch.objects.exists()


def test_a_suspended_filing_is_409_REN_02_and_recorded__SUP_07(api_client, filing, people, occupations):
    filing_suspend(filing=filing, reason="整改", acting_user=people["city_hefei"])
    api_client.force_authenticate(people["inst_user"])
    with on("2026-04-01"):
        response = api_client.post(API, payload(filing), format="json")
    assert response.status_code == 409 and response.json()["rule"] == "REN-02"
    assert AuditEvent.objects.filter(action="assessmentbatch.create.refused", data__rule="SUP-07").exists()


def test_staff_may_not_create_plans__JUR_03(api_client, filing, people, occupations):
    api_client.force_authenticate(people["city_hefei"])
    response = api_client.post(API, payload(filing), format="json")
    assert response.status_code == 403 and not AssessmentBatch.objects.exists()


def test_an_unknown_staff_role_is_400(api_client, filing, people, occupations):
    api_client.force_authenticate(people["inst_user"])
    staff = [{"role": "cook", "name": "某人", "phone": "139"}]
    with on("2026-04-01"):
        response = api_client.post(API, payload(filing, staff=staff), format="json")
    assert response.status_code == 400 and not AssessmentBatch.objects.exists()
