"""The draw and inspection pages: staff define and run draws; the public sees the commitment, then the
seed."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import datetime as dt

import pytest
from django.test import Client

from supervision.draws import draw_commit, draw_create, draw_publish_results, draw_run
from supervision.inspections import inspection_record
from supervision.models import Draw, Inspection
from tests.institutions.conftest import on
from tests.supervision.conftest_draws import office  # noqa: F401

D = dt.date.fromisoformat


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft(office, **extra):
    params = {"title": "2026年第一季度双随机抽查", "sample_size": 2, "team_size": 2,
              "inspectors": office["inspectors"], "acting_user": office["staff"], **extra}
    with on("2026-03-02"):
        return draw_create(**params)


def test_new_draw_form_keeps_the_input_on_errors_and_saves__SUP_01(office):
    client = client_for(office["staff"])
    assert client.get("/staff/supervision/draws/new/").status_code == 200
    data = {"title": "第二季度抽查", "sample_size": "0", "team_size": "2",
            "inspectors": [p.pk for p in office["inspectors"]]}
    response = client.post("/staff/supervision/draws/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="第二季度抽查"' in html and "error-summary" in html
    assert f'value="{office["inspectors"][2].pk}" id="id_inspectors_2" checked' in html
    data["sample_size"] = "2"
    with on("2026-03-02"):
        response = client.post("/staff/supervision/draws/new/", data)
    draw = Draw.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/supervision/draws/{draw.pk}/"
    assert draw.title == "第二季度抽查" and draw.sample_size == 2 and draw.region == office["hefei"]
    assert sorted(draw.inspectors.values_list("code", flat=True)) == ["HF01", "HF02", "HF03", "HF04", "HF05"]


def test_seed_is_not_shown_before_the_run_and_shown_after__SUP_01(office):
    draw = draft(office)
    staff = client_for(office["staff"])
    public = Client()
    assert public.get(f"/supervision/draws/{draw.reference}/").status_code == 404  # a draft is not public
    with on("2026-03-02"):
        response = staff.post(f"/staff/supervision/draws/{draw.pk}/transitions/commit/")
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.state == "committed" and len(draw.seed) == 64
    for client, url in ((public, f"/supervision/draws/{draw.reference}/"), (public, "/supervision/draws/"),
                        (staff, f"/staff/supervision/draws/{draw.pk}/"),
                        (staff, "/staff/supervision/draws/")):
        html = client.get(url).content.decode()
        assert draw.commitment in html or url.endswith("/staff/supervision/draws/")
        assert draw.seed not in html
    assert draw.population[0] in public.get(f"/supervision/draws/{draw.reference}/").content.decode()
    with on("2026-03-09"):
        staff.post(f"/staff/supervision/draws/{draw.pk}/transitions/run/")
    draw.refresh_from_db()
    assert draw.state == "drawn"
    html = public.get(f"/supervision/draws/{draw.reference}/").content.decode()
    assert draw.seed in html and draw.commitment in html
    for item in draw.selection:
        assert item["filing_number"] in html and ", ".join(item["team"]) in html
    assert 'src="/static/js/draw-verify.js" defer' in html
    assert 'id="draw-data" type="application/json"' in html
    assert "onclick" not in html and "onsubmit" not in html


def test_refused_transition_shows_the_rule__SUP_01(office):
    draw = draft(office, filter_kind="Y", filter_supervision_mode="every_exam", sample_size=5)
    with on("2026-03-02"):
        response = client_for(office["staff"]).post(f"/staff/supervision/draws/{draw.pk}/transitions/commit/",
                                                    follow=True)
    assert "SUP-01" in response.content.decode()
    assert Draw.objects.get(pk=draw.pk).state == "draft"


def test_other_offices_and_other_roles_do_not_see_the_draw__JUR_03(office):
    draw = draft(office)
    users = office["users"]
    assert client_for(users["city_wuhu"]).get(f"/staff/supervision/draws/{draw.pk}/").status_code == 404
    assert client_for(users["province_ah"]).get(f"/staff/supervision/draws/{draw.pk}/").status_code == 200
    assert client_for(users["inst_s"]).get("/staff/supervision/draws/").status_code == 403
    assert client_for(users["inspector1"]).get("/staff/supervision/draws/").status_code == 403


def run_draw(office):
    draw = draft(office)
    with on("2026-03-02"):
        draw_commit(draw=draw, acting_user=office["staff"])
    with on("2026-03-09"):
        return draw_run(draw=draw, acting_user=office["staff"])


def test_team_inspector_records_on_the_page_an_outsider_cannot__SUP_01(office):
    draw = run_draw(office)
    inspection = draw.inspections.order_by("reference").first()
    member = inspection.team.first()
    # five inspectors, two teams of two: at least one is on no team
    outsider = next(p for p in office["inspectors"] if not Inspection.objects.filter(team=p).exists())
    client = client_for(member.user)
    listing = client.get("/staff/supervision/inspections/").content.decode()
    assert inspection.reference in listing
    page = client.get(f"/staff/supervision/inspections/{inspection.pk}/")
    assert page.status_code == 200 and 'name="venue-compliant"' in page.content.decode()
    data = {"inspected_on": "2026-03-18", "outcome": "fail", "summary": "", "venue-compliant": "no",
            "venue-note": "临时租用场地", "video-compliant": "yes"}
    with on("2026-03-20"):
        response = client.post(f"/staff/supervision/inspections/{inspection.pk}/", data)
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.outcome == "fail" and inspection.inspected_on == D("2026-03-18")
    assert inspection.findings.get(item="venue").note == "临时租用场地"
    response = client_for(outsider.user).post(f"/staff/supervision/inspections/{inspection.pk}/", data)
    assert response.status_code == 404  # not in the outsider's view
    assert client_for(office["users"]["expert1"]).get("/staff/supervision/inspections/").status_code == 403


def test_inspection_list_filters_by_outcome_and_kind(office):
    draw = run_draw(office)
    first, second = draw.inspections.order_by("reference")
    with on("2026-03-20"):
        inspection_record(inspection=first, acting_user=office["staff"], inspected_on=D("2026-03-18"),
                          findings={"venue": (True, "")}, outcome="pass")
    client = client_for(office["staff"])
    html = client.get("/staff/supervision/inspections/?outcome=pass").content.decode()
    assert first.reference in html and second.reference not in html
    html = client.get("/staff/supervision/inspections/?kind=exam").content.decode()
    assert first.reference not in html and second.reference not in html


def test_published_results_show_outcomes_and_summaries_publicly__SUP_01(office):
    draw = run_draw(office)
    for i, inspection in enumerate(draw.inspections.order_by("reference")):
        with on("2026-03-20"):
            inspection_record(inspection=inspection, acting_user=office["staff"],
                              inspected_on=D("2026-03-18"), findings={"records": (i == 0, "")},
                              outcome="pass" if i == 0 else "fail",
                              summary=f"检查结论{i}")
    public = Client()
    assert "检查结论1" not in public.get(f"/supervision/draws/{draw.reference}/").content.decode()
    with on("2026-03-25"):
        draw_publish_results(draw=draw, acting_user=office["staff"])
    html = public.get(f"/supervision/draws/{draw.reference}/").content.decode()
    assert "检查结论0" in html and "检查结论1" in html and "inspection-outcome-fail" in html
    assert "2026-03-18" in html
    # and the inspections can no longer be changed from the page
    page = client_for(office["staff"]).get(f"/staff/supervision/inspections/{draw.inspections.first().pk}/")
    assert 'name="venue-compliant"' not in page.content.decode()


@pytest.mark.parametrize("url", ["/supervision/draws/", "/supervision/draws/CC-2026-000999/"])
def test_public_pages_need_no_login(db, url):
    response = Client().get(url)
    assert response.status_code == (200 if url.endswith("draws/") else 404)


def test_an_administrator_chooses_the_office__SUP_01(office):
    client = client_for(office["users"]["admin"])
    assert client.get("/staff/supervision/draws/new/").status_code == 200
    data = {"office": office["hefei"].pk, "title": "管理员抽查", "sample_size": "1", "team_size": "1",
            "inspectors": [office["inspectors"][0].pk]}
    with on("2026-03-02"):
        response = client.post("/staff/supervision/draws/new/", data)
    draw = Draw.objects.get()
    assert response.status_code == 302 and draw.region == office["hefei"]
    assert client.get(f"/staff/supervision/draws/{draw.pk}/").status_code == 200
