"""/api/v1/complaints/ and the public complaint endpoints (SUP-02, JUR-03)."""

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from supervision.complaints import complaint_submit
from supervision.models import Complaint
from tests.assessments.conftest import filing  # noqa: F401
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

D = dt.date.fromisoformat


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def submit(institution, **kw):
    return complaint_submit(facts="考场内有人替考", institution=institution, contact_name="钱投诉",
                            contact_phone="13922223333", contact_email="qian@example.cn", **kw)


def test_public_api_creates_and_follows_a_complaint__SUP_02(filing, people):  # noqa: F811
    cache.clear()
    with on("2026-03-16"):
        r = api().post("/api/v1/public/complaints/", {"institution": people["inst"].pk, "facts": "考场无监控",
                                                      "contact_email": "a@example.cn"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["ack_number"].startswith("TS20260316") and body["response_due"] == "2026-04-07"
    assert body["region"] == "340100" and body["follow_url"] == "/supervision/complaints/follow/"
    with on("2026-03-16"):
        f = api().post("/api/v1/public/complaints/follow/", {"ack_number": body["ack_number"]}, format="json")
    assert f.status_code == 200
    assert f.json() == {"ack_number": body["ack_number"], "state": "received", "received_on": "2026-03-16",
                        "region": "340100", "response_due": "2026-04-07", "overdue": False, "answered_on": None,
                        "outcome": None, "response": None}
    assert "a@example.cn" not in f.content.decode()
    assert api().post("/api/v1/public/complaints/follow/", {"ack_number": "TS2026XXXXXXXX"},
                      format="json").status_code == 404


def test_public_api_refuses_a_named_complaint_without_contact__SUP_02(filing, people):  # noqa: F811
    cache.clear()
    r = api().post("/api/v1/public/complaints/", {"institution": people["inst"].pk, "facts": "x"}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "SUP-02" and r.json()["code"] == "contact_required"
    r = api().post("/api/v1/public/complaints/", {"institution_name": "某机构", "facts": "x", "anonymous": True},
                   format="json")
    assert r.status_code == 400 and r.json()["code"] == "region_required"
    r = api().post("/api/v1/public/complaints/", {"institution_name": "某机构", "region": "340200", "facts": "x",
                                                  "anonymous": True}, format="json")
    assert r.status_code == 201
    assert Complaint.objects.get().region.code == "340200"


def test_list_is_scoped_and_hides_contact_from_other_offices__SUP_02_JUR_03(filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(people["inst"])
    own = api(people["city_hefei"]).get("/api/v1/complaints/").json()["results"]
    assert [x["ack_number"] for x in own] == [c.ack_number]
    assert own[0]["contact_phone"] == "13922223333" and own[0]["state"] == "received"
    assert own[0]["available_transitions"] == ["start", "open_case"]
    province = api(people["province_ah"]).get(f"/api/v1/complaints/{c.pk}/").json()
    assert province["contact_phone"] is None and province["contact_email"] is None
    assert api(people["city_wuhu"]).get("/api/v1/complaints/").json()["results"] == []
    assert api(people["city_wuhu"]).get(f"/api/v1/complaints/{c.pk}/").status_code == 404
    assert api(people["inst_user"]).get("/api/v1/complaints/").json()["results"] == []


def test_transitions_start_answer_open_case__SUP_02(filing, people, mailoutbox,  # noqa: F811
                                                    django_capture_on_commit_callbacks):
    with on("2026-03-16"):
        c = submit(people["inst"])
    client = api(people["city_hefei"])
    base = f"/api/v1/complaints/{c.pk}/transitions"
    with on("2026-03-17"):
        r = client.post(f"{base}/answer/", {"outcome": "partly", "response": "x"}, format="json")
        assert r.status_code == 409 and r.json()["rule"] == "SUP-02"
        r = client.post(f"{base}/start/", {}, format="json")
        assert r.status_code == 200 and r.json()["state"] == "handling" and r.json()["handler"] == "city_hefei"
        assert r.json()["available_transitions"] == ["answer", "open_case"]
        assert client.post(f"{base}/answer/", {"outcome": "partly"}, format="json").status_code == 400
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"{base}/answer/", {"outcome": "partly", "response": "部分属实"}, format="json")
        assert r.status_code == 200 and r.json()["state"] == "answered" and r.json()["answered_on"] == "2026-03-17"
        r = client.post(f"{base}/open_case/", {"summary": "替考线索"}, format="json")
    assert r.status_code == 200 and r.json()["case"].startswith("AJ-2026-")
    assert r.json()["available_transitions"] == []
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["qian@example.cn"]
    assert api(people["city_wuhu"]).post(f"{base}/start/", {}, format="json").status_code == 404


def test_list_query_count_does_not_grow_with_rows(filing, people):  # noqa: F811
    client = api(people["city_hefei"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/complaints/").status_code == 200
        return len(ctx)

    with on("2026-03-16"):
        submit(people["inst"])
        few = count()
        for _ in range(6):
            submit(people["inst"])
        assert count() == few
