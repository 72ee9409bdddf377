"""Inspections: who records them, the checklist, ASM-04 exam supervision, attachments, FJ23 Art.23(11)."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessments.models import AssessmentBatch
from filing_portal.core.errors import DomainError, PermissionDeniedError
from supervision.inspections import inspection_attachment_add, inspection_create, inspection_record
from supervision.models import Case, Inspection, InspectionAttachment
from tests.institutions.conftest import on
from tests.supervision.conftest_draws import make_inspector, office  # noqa: F401

D = dt.date.fromisoformat
FAILED = {"venue": (False, "临时租用场地"), "video": (True, "")}
PASSED = {"venue": (True, ""), "video": (True, "")}


def special(office, filing=None, team=None):
    with on("2026-03-02"):
        return inspection_create(kind="special", filing=filing or office["filings"][0],
                                 team=team if team is not None else office["inspectors"][:2],
                                 acting_user=office["staff"], planned_on=D("2026-03-10"))


def batch(office, state="scheduled", filing=None):
    filing = filing or office["filings"][0]
    return AssessmentBatch.objects.create(
        plan_number=f"PJ-{state}-{AssessmentBatch.objects.count()}", filing=filing,
        institution=filing.institution, handling_region=filing.handling_region, state=state,
        exam_start=D("2026-04-20"), exam_end=D("2026-04-20"), venue_address="合肥市蜀山区实训楼1号",
        candidate_source="社会人员", planned_count=30)


def record(inspection, user, *, findings=FAILED, outcome="fail", day="2026-03-10", summary=""):
    with on(day):
        return inspection_record(inspection=inspection, acting_user=user, inspected_on=D(day),
                                 findings=findings, outcome=outcome, summary=summary)


def test_team_inspector_records_and_an_outsider_is_refused_403__SUP_01(office):
    inspection = special(office)
    member = office["inspectors"][0].user
    recorded = record(inspection, member, findings=PASSED, outcome="pass")
    assert recorded.outcome == "pass" and recorded.inspected_on == D("2026-03-10")
    assert recorded.recorded_by == member
    assert dict(recorded.findings.values_list("item", "compliant")) == {"venue": True, "video": True}
    outsider = office["inspectors"][4].user
    with pytest.raises(PermissionDeniedError) as exc:
        record(inspection, outsider)
    assert exc.value.status == 403
    with pytest.raises(PermissionDeniedError):
        record(inspection, office["users"]["city_wuhu"])
    assert Inspection.objects.get(pk=inspection.pk).outcome == "pass"


def test_office_staff_record_and_correct_the_findings__SUP_01(office):
    inspection = special(office)
    record(inspection, office["staff"])
    corrected = record(inspection, office["staff"], findings={"venue": (True, "已整改")}, outcome="pass")
    assert corrected.outcome == "pass" and corrected.findings.get(item="venue").note == "已整改"


def test_a_fail_needs_a_finding_or_a_summary__SUP_01(office):
    inspection = special(office)
    with pytest.raises(DomainError) as exc:
        record(inspection, office["staff"], findings=PASSED, outcome="fail")
    assert exc.value.rule == "SUP-01" and exc.value.code == "fail_unexplained"
    done = record(inspection, office["staff"], findings=PASSED, outcome="fail", summary="档案资料不完整")
    assert done.outcome == "fail"
    with pytest.raises(DomainError) as exc:
        record(inspection, office["staff"], findings={"nonsense": (True, "")}, outcome="pass")
    assert exc.value.code == "unknown_item"
    with on("2026-03-10"), pytest.raises(DomainError) as exc:  # tomorrow
        inspection_record(inspection=inspection, acting_user=office["staff"], inspected_on=D("2026-03-11"),
                              findings=PASSED, outcome="pass")
    assert exc.value.code == "inspected_on"


def test_exam_supervision_of_a_scheduled_or_conducted_batch__ASM_04(office):
    scheduled = batch(office)
    with on("2026-04-20"):
        inspection = inspection_create(kind="exam", batch=scheduled, team=office["inspectors"][:1],
                                       acting_user=office["staff"])
    assert inspection.batch == scheduled and inspection.filing == scheduled.filing
    assert inspection.institution == scheduled.institution and inspection.planned_on == D("2026-04-20")
    for state in ("draft", "submitted", "results_published", "cancelled"):
        with on("2026-04-20"), pytest.raises(DomainError) as exc:
            inspection_create(kind="exam", batch=batch(office, state=state), acting_user=office["staff"])
        assert exc.value.rule == "ASM-04"


def test_an_inspector_employed_by_the_institution_cannot_be_on_the_team__SUP_01(office):
    employee = make_inspector("HF09", office["hefei"], employer=office["filings"][0].institution)
    with pytest.raises(DomainError) as exc:
        special(office, team=[employee])
    assert exc.value.rule == "SUP-01"


def test_three_failed_external_inspections_in_a_year_propose_tier3_once__SUP_05(office):
    filing = office["filings"][0]
    inspections = [special(office, filing=filing) for _ in range(5)]
    record(inspections[0], office["staff"], day="2025-12-20")  # the year before: not counted
    record(inspections[1], office["staff"], day="2026-02-10")
    record(inspections[2], office["staff"], day="2026-03-10")
    assert not Case.objects.exists()
    record(inspections[3], office["staff"], day="2026-04-10")
    case = Case.objects.get()
    assert (case.state, case.proposed_tier, case.detection) == ("proposed", "tier3", "failed_supervisions")
    assert case.detection_key == f"failed_supervisions:{filing.institution_id}:2026"
    assert case.inspection == inspections[3] and case.filing == filing and case.origin == "inspection"
    record(inspections[4], office["staff"], day="2026-05-10")  # the fourth: the same case, not another
    assert Case.objects.count() == 1


def test_passes_and_other_institutions_do_not_count__SUP_05(office):
    a, b = office["filings"][0], office["filings"][1]
    record(special(office, filing=a), office["staff"], day="2026-02-10")
    record(special(office, filing=a), office["staff"], day="2026-02-11", findings=PASSED, outcome="pass")
    record(special(office, filing=b), office["staff"], day="2026-02-12")
    record(special(office, filing=a), office["staff"], day="2026-02-13")
    assert not Case.objects.exists()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def test_attachments_photo_and_pdf_checked_by_content__SUP_01(office):
    inspection = special(office)
    member = office["inspectors"][0].user
    photo = inspection_attachment_add(inspection=inspection, acting_user=member,
                                      upload=SimpleUploadedFile("现场.png", png_bytes()))
    pdf = inspection_attachment_add(inspection=inspection, acting_user=member,
                                    upload=SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert (photo.kind, pdf.kind) == ("photo", "document")
    for name, data in (("evil.png", b"MZ\x90\x00binary"), ("fake.png", b"\x89PNG\r\n\x1a\nbroken"),
                       ("doc.png", b"%PDF-1.4\n")):
        with pytest.raises(DomainError) as exc:
            inspection_attachment_add(inspection=inspection, acting_user=member,
                                      upload=SimpleUploadedFile(name, data))
        assert exc.value.status == 400
    with pytest.raises(DomainError) as exc:
        inspection_attachment_add(inspection=inspection, acting_user=member,
                                  upload=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)))
    assert exc.value.code == "too_large"
    with pytest.raises(PermissionDeniedError):
        inspection_attachment_add(inspection=inspection, acting_user=office["inspectors"][4].user,
                                  upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"))
    assert InspectionAttachment.objects.count() == 2
