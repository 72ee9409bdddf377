"""Exports: only valid certificates (CERT-01, ASM-06), marking uploads through the API (ASM-06), and the staff
result summary counting only the filtered candidates of assessed batches (CERT-03). Opened with openpyxl."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from assessments.models import AssessmentBatch
from assessments.services import batch_cancel, batch_submit
from certificates.models import Certificate
from certificates.services import certificate_void
from filing_portal.audit.models import AuditEvent
from institutions.models import FilingScope
from tests.assessments.conftest import plan
from tests.assessments.test_batches import scheduled  # noqa: F401  (a fixture)
from tests.assessments.test_exports import CAR, LATHE, assessed_batch, issued  # noqa: F401  (fixtures)
from tests.institutions.conftest import on

D = dt.date.fromisoformat


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def one_voided(issued, people):  # noqa: F811
    victim = issued.certificates.order_by("number").first()
    with on("2026-04-29"):
        certificate_void(certificate=victim, reason="考试作弊", acting_user=people["city_hefei"])
    return issued, Certificate.objects.get(pk=victim.pk)


def _numbers(rows) -> set[str]:
    return {r[7] for r in rows[1:]}


def test_the_batch_page_export_leaves_voided_certificates_out__CERT_01(client, one_voided, people):
    batch, voided = one_voided
    client.force_login(people["inst_user"])
    rows = rows_of(body(client.get(f"/batches/{batch.pk}/exports/certificate-info.xlsx")))
    valid = set(batch.certificates.filter(status="valid").values_list("number", flat=True))
    assert rows[0][7] == "证书编号" and _numbers(rows) == valid and voided.number not in _numbers(rows)
    assert len(rows) - 1 == batch.certificates.count() - 1


def test_the_api_export_leaves_voided_certificates_out__CERT_01(api_client, one_voided, people):
    batch, voided = one_voided
    api_client.force_authenticate(people["inst_user"])
    response = api_client.get(f"/api/v1/batches/{batch.pk}/exports/certificate-info.xlsx")
    assert response.status_code == 200
    rows = rows_of(body(response))
    assert voided.number not in _numbers(rows) and len(rows) - 1 == batch.certificates.filter(status="valid").count()
    assert not Certificate.objects.filter(national_upload__isnull=False).exists()  # not asked to mark


def test_the_staff_export_leaves_voided_certificates_out__CERT_01(client, one_voided, people):
    batch, voided = one_voided
    client.force_login(people["city_hefei"])
    rows = rows_of(body(client.post("/staff/batches/exports/", {"do": "certificate_info"})))
    assert voided.number not in _numbers(rows) and len(rows) - 1 == batch.certificates.filter(status="valid").count()


def test_the_api_export_marks_the_certificates_uploaded_for_the_office__ASM_06(api_client, one_voided, people):
    batch, voided = one_voided
    api_client.force_authenticate(people["city_hefei"])
    response = api_client.get(f"/api/v1/batches/{batch.pk}/exports/certificate-info.xlsx?mark_uploaded=true")
    assert response.status_code == 200
    rows = rows_of(body(response))
    marked = set(Certificate.objects.filter(national_upload__isnull=False).values_list("number", flat=True))
    assert marked == _numbers(rows) and voided.number not in marked
    assert all(c.uploaded_at for c in Certificate.objects.filter(national_upload__isnull=False))
    event = AuditEvent.objects.get(action="certificates.export_national")
    assert event.data["count"] == len(rows) - 1


def test_an_institution_may_not_mark_uploads_through_the_api__ASM_06(api_client, issued, people):  # noqa: F811
    api_client.force_authenticate(people["inst_user"])
    response = api_client.get(f"/api/v1/batches/{issued.pk}/exports/certificate-info.xlsx?mark_uploaded=1")
    assert response.status_code == 403 and response.json()["rule"] == "ASM-06"
    assert not Certificate.objects.filter(national_upload__isnull=False).exists()


# -- the staff result summary --------------------------------------------------------------------------------
@pytest.fixture
def mixed(filing, people, occupations):
    """An assessed batch with car (3, 4) and lathe (4) passers, plus a submitted and a cancelled plan."""
    FilingScope.objects.create(filing=filing, occupation=occupations["6-18-01-01"], work_type="", level=4,
                               added_on=D("2026-03-10"), added_by=filing.source_application)
    assessed = assessed_batch(filing, people, occupations, exam="2026-04-20", planned=40, first=0, outcomes=[
        (CAR, 3, True), (CAR, 3, False), (CAR, 4, True), (LATHE, 4, True), (LATHE, 4, True), (LATHE, 4, False)])
    waiting = plan(filing, people, occupations, exam="2026-04-24")
    with on("2026-04-01"):
        batch_submit(batch=waiting, acting_user=people["inst_user"])
    cancelled = plan(filing, people, occupations, exam="2026-04-27")
    with on("2026-04-01"):
        batch_submit(batch=cancelled, acting_user=people["inst_user"])  # submitted, so the office sees it
        batch_cancel(batch=AssessmentBatch.objects.get(pk=cancelled.pk), reason="人数不足",
                     acting_user=people["inst_user"])
    return assessed


def _staff_summary(client, people, **filters) -> list[tuple]:
    client.force_login(people["province_ah"])
    response = client.post("/staff/batches/exports/", {"do": "result_summary", **filters})
    assert response.status_code == 200
    return rows_of(body(response))


def test_the_staff_summary_counts_only_assessed_batches_in_the_filed_count__CERT_03(client, mixed, people):
    assert AssessmentBatch.objects.count() == 3
    rows = _staff_summary(client, people)
    assert (rows[2][4], rows[2][5]) == ("备案人数", 40)  # not 40 + 40 + 40
    assert (rows[4][1], rows[4][5]) == (6, 4)  # assessed, passed
    assert rows[2][1] == "2026年04月20日"  # the period of assessed batches only


def test_the_staff_summary_applies_the_occupation_and_level_filters_to_the_candidates__CERT_03(client, mixed,
                                                                                              people):
    rows = _staff_summary(client, people, occupation_code="6-18-01-01")
    assert (rows[4][0], rows[4][1], rows[4][4], rows[4][5]) == ("认定人数", 3, "合格人数", 2)
    body_rows = [r for r in rows[7:] if r[0] and r[0] not in ("合计",) and not str(r[0]).startswith("受理")
                 and not str(r[0]).startswith("备注")]
    assert [r[0] for r in body_rows] == ["车工"]
    assert body_rows[0][1:7] == (0, 2, 0, 0, 0, 2)  # 中级 (level 4) 2, subtotal 2
    rows = _staff_summary(client, people, occupation_code="4-12-01-01", level="3")
    assert (rows[4][1], rows[4][5]) == (2, 1)
    total = next(r for r in rows if r[0] == "合计")
    assert total[1:7] == (0, 0, 1, 0, 0, 1)  # 高级 (level 3) 1
