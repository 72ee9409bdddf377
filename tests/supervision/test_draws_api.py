"""/api/v1/draws/, /api/v1/inspections/ and the public draws API (SUP-01)."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from supervision.draws import draw_commit, draw_create, draw_run
from supervision.inspections import inspection_create
from supervision.models import Draw, Inspection
from tests.institutions.conftest import on
from tests.supervision.conftest_draws import office  # noqa: F401

D = dt.date.fromisoformat


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def create_payload(office, **extra):
    return {"title": "2026年第一季度双随机抽查", "sample_size": 2, "team_size": 2,
            "inspectors": [p.code for p in office["inspectors"]], **extra}


def test_create_commit_run_publish_through_the_api__SUP_01(office):
    client = api(office["staff"])
    with on("2026-03-02"):
        response = client.post("/api/v1/draws/", create_payload(office, inspect_from="2026-03-16"),
                               format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["available_transitions"] == ["commit"] and body["seed"] is None
    url = f"/api/v1/draws/{body['id']}/transitions"
    with on("2026-03-02"):
        committed = client.post(f"{url}/commit/").json()
    assert committed["state"] == "committed" and len(committed["commitment"]) == 64
    assert committed["seed"] is None and committed["selected"] == []  # SUP-01: secret until the run
    assert len(committed["population"]) == 5 and committed["pool"] == ["HF01", "HF02", "HF03", "HF04", "HF05"]
    public = api().get(f"/api/v1/public/draws/{committed['reference']}/").json()
    assert public["seed"] is None and public["results"] is None
    assert public["commitment"] == committed["commitment"]
    assert all(d["seed"] is None for d in api().get("/api/v1/public/draws/").json()["results"])
    seed = Draw.objects.get(pk=body["id"]).seed
    for response in (client.get(f"/api/v1/draws/{body['id']}/"), client.get("/api/v1/draws/"),
                     api().get("/api/v1/public/draws/")):
        assert seed not in response.content.decode()
    with on("2026-03-09"):
        drawn = client.post(f"{url}/run/").json()
    assert drawn["state"] == "drawn" and drawn["seed"] == seed and len(drawn["selected"]) == 2
    planned = [i["filing_number"] for i in drawn["inspections"]]
    assert planned == [s["filing_number"] for s in drawn["selected"]]
    with on("2026-03-20"):
        refused = client.post(f"{url}/publish_results/")
    assert refused.status_code == 409 and refused.json()["rule"] == "SUP-01"
    assert refused.json()["code"] == "results_pending"
    for inspection in drawn["inspections"]:
        with on("2026-03-20"):
            response = client.post(f"/api/v1/inspections/{inspection['id']}/record/", {
                "inspected_on": "2026-03-18", "outcome": "pass", "summary": "符合要求",
                "findings": [{"item": "venue", "compliant": True, "note": ""}]}, format="json")
        assert response.status_code == 200, response.json()
    with on("2026-03-25"):
        published = client.post(f"{url}/publish_results/").json()
    assert published["state"] == "results_published" and published["results_published_on"] == "2026-03-25"
    public = api().get(f"/api/v1/public/draws/{published['reference']}/").json()
    assert public["seed"] == seed and public["selected"] == drawn["selected"]
    assert [r["outcome"] for r in public["results"]] == ["pass", "pass"]
    assert {r["filing_number"] for r in public["results"]} == {s["filing_number"] for s in drawn["selected"]}
    assert all(r["inspected_on"] == "2026-03-18" and r["summary"] == "符合要求" and r["institution_name"]
               for r in public["results"])


def committed_draw(office, sample_size=2, team_size=2):
    with on("2026-03-02"):
        draw = draw_create(title="抽查", sample_size=sample_size, team_size=team_size,
                           inspectors=office["inspectors"], acting_user=office["staff"])
        return draw_commit(draw=draw, acting_user=office["staff"])


def test_public_verify_reruns_on_the_server__SUP_01(office):
    draw = committed_draw(office)
    url = f"/api/v1/public/draws/{draw.reference}/verify/"
    before = api().post(url, {"seed": draw.seed}, format="json").json()
    assert before["commitment_matches"] is True
    assert before["selection_matches"] is False  # nothing published yet
    with on("2026-03-09"):
        draw = draw_run(draw=draw, acting_user=office["staff"])
    good = api().post(url, {"seed": draw.seed}, format="json").json()
    assert good == {"commitment_matches": True, "selection_matches": True, "selected": draw.selection}
    changed = ("f" if draw.seed[-1] != "f" else "e")
    bad = api().post(url, {"seed": draw.seed[:-1] + changed}, format="json").json()
    assert bad["commitment_matches"] is False
    assert api().post(url, {"seed": "xyz"}, format="json").status_code == 400
    assert api().post("/api/v1/public/draws/CC-2026-999999/verify/", {"seed": draw.seed},
                      format="json").status_code == 404


def test_draft_draws_are_not_public_and_other_offices_get_404__JUR_03(office):
    with on("2026-03-02"):
        draw = draw_create(title="草稿", sample_size=1, inspectors=office["inspectors"],
                           acting_user=office["staff"])
    assert api().get(f"/api/v1/public/draws/{draw.reference}/").status_code == 404
    assert api().get("/api/v1/public/draws/").json()["count"] == 0
    assert api(office["users"]["city_wuhu"]).get(f"/api/v1/draws/{draw.pk}/").status_code == 404
    response = api(office["users"]["city_wuhu"]).post(f"/api/v1/draws/{draw.pk}/transitions/commit/")
    assert response.status_code == 404
    assert api(office["users"]["inspector1"]).get("/api/v1/draws/").json()["count"] == 0
    assert api().get("/api/v1/draws/").status_code in (401, 403)


def test_create_refusals_name_SUP_01(office):
    client = api(office["staff"])
    response = client.post("/api/v1/draws/", create_payload(office, sample_size=0), format="json")
    assert response.status_code == 400
    response = client.post("/api/v1/draws/", create_payload(office, filter_region="340200"), format="json")
    assert response.status_code == 409 and response.json()["rule"] == "SUP-01"
    response = client.post("/api/v1/draws/", create_payload(office, inspectors=["NOPE"]), format="json")
    assert response.status_code == 400
    response = api(office["users"]["inspector1"]).post("/api/v1/draws/", create_payload(office),
                                                       format="json")
    assert response.status_code == 403


def test_inspection_record_api_team_member_and_outsider__SUP_01(office):
    with on("2026-03-02"):
        inspection = inspection_create(kind="special", filing=office["filings"][0],
                                       team=office["inspectors"][:2], acting_user=office["staff"])
    payload = {"inspected_on": "2026-03-10", "outcome": "fail", "summary": "",
               "findings": [{"item": "venue", "compliant": False, "note": "临时租用场地"},
                            {"item": "video", "compliant": True, "note": ""}]}
    member = api(office["inspectors"][0].user)
    listed = member.get("/api/v1/inspections/").json()
    assert [i["reference"] for i in listed["results"]] == [inspection.reference]
    with on("2026-03-10"):
        response = member.post(f"/api/v1/inspections/{inspection.pk}/record/", payload, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "fail" and body["team"] == ["HF01", "HF02"]
    assert {f["item"]: f["compliant"] for f in body["findings"]} == {"venue": False, "video": True}
    outsider = api(office["inspectors"][4].user)
    assert outsider.get("/api/v1/inspections/").json()["count"] == 0
    with on("2026-03-10"):
        assert outsider.post(f"/api/v1/inspections/{inspection.pk}/record/", payload,
                             format="json").status_code == 404
    with on("2026-03-10"):
        response = member.post(f"/api/v1/inspections/{inspection.pk}/record/",
                               {**payload, "findings": [{"item": "venue", "compliant": True, "note": ""}]},
                               format="json")
    assert response.status_code == 409 and response.json()["rule"] == "SUP-01"
    assert api(office["users"]["inst_s"]).get("/api/v1/inspections/").json()["count"] == 0
    assert api(office["staff"]).get("/api/v1/inspections/?outcome=fail").json()["count"] == 1
    assert api(office["staff"]).get("/api/v1/inspections/?outcome=pass").json()["count"] == 0


def test_list_query_counts_do_not_grow_with_rows__SUP_01(office, django_assert_max_num_queries):
    staff = api(office["staff"])

    def make(n):
        for _ in range(n):  # teams of one: earlier inspections exclude their inspectors from the next draws
            draw = committed_draw(office, team_size=1)
            with on("2026-03-09"):
                draw_run(draw=draw, acting_user=office["staff"])

    make(1)
    counts = {}
    for url, client in (("/api/v1/draws/", staff), ("/api/v1/inspections/", staff),
                        ("/api/v1/public/draws/", api())):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    make(3)
    assert Inspection.objects.count() == 8
    for url, client in (("/api/v1/draws/", staff), ("/api/v1/inspections/", staff),
                        ("/api/v1/public/draws/", api())):
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
