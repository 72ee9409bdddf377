"""Planning inspections (ASM-04 exam supervision, special) on the page and the API; attachments uploaded."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from assessments.models import AssessmentBatch
from supervision.models import Inspection, InspectionAttachment
from tests.institutions.conftest import on
from tests.supervision.conftest_draws import office  # noqa: F401
from tests.supervision.test_inspections import png_bytes

D = dt.date.fromisoformat


def submitted_batch(office, state="scheduled"):
    filing = office["filings"][0]
    return AssessmentBatch.objects.create(
        plan_number=f"PJ-2026-{state}", filing=filing, institution=filing.institution,
        handling_region=filing.handling_region, state=state, exam_start=D("2026-04-20"),
        exam_end=D("2026-04-20"), venue_address="合肥市蜀山区实训楼1号", candidate_source="社会人员",
        planned_count=30, submitted_on=D("2026-04-01"))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_plan_an_exam_supervision_on_the_page__ASM_04(office):
    batch = submitted_batch(office)
    client = logged_in(office["staff"])
    assert client.get("/staff/supervision/inspections/new/").status_code == 200
    team = [p.pk for p in office["inspectors"][:2]]
    with on("2026-04-15"):
        response = client.post("/staff/supervision/inspections/new/",
                               {"kind": "exam", "plan_number": batch.plan_number, "team": team})
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/supervision/inspections/{inspection.pk}/"
    assert (inspection.kind, inspection.batch, inspection.planned_on) == ("exam", batch, D("2026-04-20"))
    assert sorted(inspection.team.values_list("code", flat=True)) == ["HF01", "HF02"]
    html = client.get(f"/staff/supervision/inspections/{inspection.pk}/").content.decode()
    assert batch.plan_number in html and "HF01" in html


def test_a_draft_batch_is_not_supervised_on_site__ASM_04(office):
    batch = submitted_batch(office, state="submitted")
    with on("2026-04-15"):
        response = logged_in(office["staff"]).post("/staff/supervision/inspections/new/",
                                                   {"kind": "exam", "plan_number": batch.plan_number})
    assert response.status_code == 400 and "ASM-04" in response.content.decode()
    assert not Inspection.objects.exists()
    wuhu = {"kind": "special", "filing_number": office["wuhu_filing"].number}
    response = logged_in(office["staff"]).post("/staff/supervision/inspections/new/", wuhu)
    assert response.status_code == 400 and not Inspection.objects.exists()  # Wuhu's filing: not Hefei's


def test_api_plans_a_special_inspection_and_uploads_attachments__SUP_01(office):
    client = APIClient()
    client.force_authenticate(office["staff"])
    filing = office["filings"][1]
    with on("2026-03-02"):
        response = client.post("/api/v1/inspections/", {"kind": "special", "filing_number": filing.number,
                                                        "planned_on": "2026-03-12", "team": ["HF03"]},
                               format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "special" and body["filing_number"] == filing.number and body["team"] == ["HF03"]
    member = APIClient()
    member.force_authenticate(office["inspectors"][2].user)
    response = member.post(f"/api/v1/inspections/{body['id']}/attachments/",
                           {"file": SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")},
                           format="multipart")
    assert response.status_code == 201 and response.json()["kind"] == "photo"
    response = member.post(f"/api/v1/inspections/{body['id']}/attachments/",
                           {"file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")}, format="multipart")
    assert response.status_code == 400 and response.json()["rule"] == "REC-02"
    inspector = APIClient()
    inspector.force_authenticate(office["inspectors"][2].user)
    assert inspector.post("/api/v1/inspections/", {"kind": "special", "filing_number": filing.number},
                          format="json").status_code == 403


def test_page_upload_and_download_of_an_attachment__SUP_01(office):
    client = logged_in(office["staff"])
    with on("2026-03-02"):
        client.post("/staff/supervision/inspections/new/",
                    {"kind": "special", "filing_number": office["filings"][0].number,
                     "team": [office["inspectors"][0].pk]})
    inspection = Inspection.objects.get()
    member = logged_in(office["inspectors"][0].user)
    response = member.post(f"/staff/supervision/inspections/{inspection.pk}/attachments/",
                           {"file": SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert response.status_code == 302
    attachment = InspectionAttachment.objects.get()
    assert attachment.kind == "document" and attachment.uploaded_by == office["inspectors"][0].user
    url = f"/staff/supervision/inspections/{inspection.pk}/attachments/{attachment.pk}/"
    download = member.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert logged_in(office["inspectors"][4].user).get(url).status_code == 404
    bad = member.post(f"/staff/supervision/inspections/{inspection.pk}/attachments/",
                      {"file": SimpleUploadedFile("evil.pdf", b"MZ\x90")})
    assert bad.status_code == 400 and "REC-02" in bad.content.decode()


def test_the_inspections_list_is_paged_with_its_filters_kept__ASM_04(office):
    """An office records thousands of exam supervisions: the list shows 50 a page, the newest planned first,
    and the pager keeps the filter."""
    filing = office["filings"][0]
    Inspection.objects.bulk_create([
        Inspection(reference=f"JC-2026-{n:06d}", kind="special", filing=filing, institution=filing.institution,
                   region=filing.handling_region, planned_on=D("2026-01-01") + dt.timedelta(days=n))
        for n in range(1, 53)])
    client = logged_in(office["staff"])
    first = client.get("/staff/supervision/inspections/", {"kind": "special"})
    html = first.content.decode()
    assert first.context["page"].paginator.count == 52 and len(first.context["inspections"]) == 50
    assert "JC-2026-000052" in html and "JC-2026-000002" not in html
    assert "?kind=special&amp;page=2" in html
    second = client.get("/staff/supervision/inspections/", {"kind": "special", "page": 2}).content.decode()
    assert "JC-2026-000002" in second and "JC-2026-000001" in second and "JC-2026-000052" not in second
