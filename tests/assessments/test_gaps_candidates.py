"""Candidate eligibility (ASM-08), candidate photos (CERT-04) and changing or removing a candidate."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessments.models import AssessmentBatch, BatchViolation, Candidate
from assessments.selectors import batch_violations
from assessments.services import (
    CandidateImportError,
    batch_conduct,
    candidate_delete,
    candidate_eligibility_review,
    candidate_update,
    candidates_add,
    results_record,
)
from assessments.spot_checks import candidate_found_ineligible
from certificates.photos import PHOTO_MAX_BYTES, photo_validate
from certificates.services import HolderData, _validate_holders
from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from tests.assessments.conftest import person
from tests.assessments.test_batches import scheduled  # noqa: F401  (a fixture)
from tests.institutions.conftest import on

D = dt.date.fromisoformat


def image_bytes(kind="PNG", size=(20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=kind)
    return out.getvalue()


def test_a_candidate_for_senior_worker_without_the_prior_level_is_flagged_not_refused__ASM_08(scheduled, people):  # noqa: F811
    created = candidates_add(batch=scheduled, rows=[person(1, level=3), person(2, level=4)],
                             acting_user=people["inst_user"])
    by_level = {c.level: Candidate.objects.get(pk=c.pk) for c in created}
    # The flag is stored and shown to staff in the UI language (Chinese): "… 4 级及以上等级的证书".
    assert "ASM-08" in by_level[3].eligibility_flags and "4 级及以上" in by_level[3].eligibility_flags
    assert by_level[4].eligibility_flags == ""  # level 4 may be entered on years of work alone
    assert all(c.eligibility == "unchecked" for c in by_level.values())
    event = AuditEvent.objects.filter(action="assessmentbatch.candidates_add").latest("pk")
    assert event.data["eligibility_flagged"] == 1


def test_a_prior_level_certificate_in_the_portal_clears_the_flag__ASM_08(scheduled, people):  # noqa: F811
    from certificates.services import certificates_issue

    prior = person(5, level=4)
    with on("2026-03-20"):
        certificates_issue(filing_number=scheduled.filing.number, institution_name="机构", issue_date=D("2026-03-20"),
                           holders=[HolderData(holder_name=prior.name, id_type="201", id_number=prior.id_number,
                                               level=4, occupation_code="4-12-01-01", occupation_name="汽车维修工")])
    (candidate,) = candidates_add(batch=scheduled, rows=[person(5, level=3)], acting_user=people["inst_user"])
    assert Candidate.objects.get(pk=candidate.pk).eligibility_flags == ""


def test_under_16_and_an_employers_outsider_are_refused__ASM_08_ELIG_02(scheduled, people):  # noqa: F811
    from tests.personal_data.helpers import with_check_digit

    young = person(1)
    young.id_number = with_check_digit("34010420150101011")  # born 2015
    with pytest.raises(CandidateImportError) as err:
        candidates_add(batch=scheduled, rows=[young], acting_user=people["inst_user"])
    assert "16" in err.value.errors[1]["id_number"]
    assert not Candidate.objects.exists()


def test_the_institution_records_its_eligibility_review__ASM_08(scheduled, people):  # noqa: F811
    (candidate,) = candidates_add(batch=scheduled, rows=[person(1, level=3)], acting_user=people["inst_user"])
    with pytest.raises(DomainError) as err:  # flagged: saying what was checked is required
        candidate_eligibility_review(candidate=candidate, eligible=True, note=" ", acting_user=people["inst_user"])
    assert err.value.rule == "ASM-08"
    with pytest.raises(PermissionDeniedError):
        candidate_eligibility_review(candidate=candidate, eligible=True, note="x", acting_user=people["other_user"])
    with on("2026-04-02"):
        candidate_eligibility_review(candidate=candidate, eligible=False, note="无四级证书，工作年限不足",
                                     acting_user=people["inst_user"])
    candidate.refresh_from_db()
    assert (candidate.eligibility, candidate.eligibility_note, candidate.eligibility_reviewed_on) == (
        "ineligible", "无四级证书，工作年限不足", D("2026-04-02"))
    event = AuditEvent.objects.get(action="assessmentbatch.candidate_eligibility")
    assert event.data == {"candidate": candidate.pk, "eligibility": "ineligible"}


def _assessed(batch, people, n):
    candidates_add(batch=batch, rows=[person(i, level=4) for i in range(n)], acting_user=people["inst_user"])
    with on("2026-04-20"):
        batch_conduct(batch=batch, acting_user=people["inst_user"])
        batch = AssessmentBatch.objects.get(pk=batch.pk)
        from assessments.services import ScoreData

        results_record(batch=batch, acting_user=people["inst_user"], scores=[
            ScoreData(c.pk, theory=Decimal(80), practical=Decimal(80)) for c in batch.candidates.all()])
    return AssessmentBatch.objects.get(pk=batch.pk)


def test_more_than_5_percent_found_ineligible_records_a_violation_once__ASM_08(scheduled, people):  # noqa: F811
    batch = _assessed(scheduled, people, 20)  # 1 of 20 = 5%: not over; 2 of 20 = 10%: a violation
    first, second, third = list(batch.candidates.order_by("pk"))[:3]
    with on("2026-04-22"):
        assert candidate_found_ineligible(candidate=first, note="学历证明伪造", acting_user=people["city_hefei"]) is None
        assert not batch_violations(rule="ASM-08").exists()
        violation = candidate_found_ineligible(candidate=second, note="年龄不符", acting_user=people["city_hefei"])
        again = candidate_found_ineligible(candidate=third, note="工作年限不足", acting_user=people["city_hefei"])
    assert violation is not None and again.pk == violation.pk
    assert BatchViolation.objects.count() == 1
    recorded = batch_violations(rule="ASM-08", institution=batch.institution).get()
    assert (recorded.batch_id, recorded.ineligible_count, recorded.assessed_count, recorded.recorded_on) == (
        batch.pk, 2, 20, D("2026-04-22"))
    assert AuditEvent.objects.filter(action="assessmentbatch.violation", data__rule="ASM-08").count() == 1
    assert Candidate.objects.filter(found_ineligible=True).count() == 3


def test_only_the_office_in_jurisdiction_finds_candidates_ineligible__ASM_08(scheduled, people):  # noqa: F811
    (candidate,) = candidates_add(batch=scheduled, rows=[person(1, level=4)], acting_user=people["inst_user"])
    with pytest.raises(PermissionDeniedError):
        candidate_found_ineligible(candidate=candidate, note="x", acting_user=people["city_wuhu"])
    with pytest.raises(DomainError) as err:
        candidate_found_ineligible(candidate=candidate, note=" ", acting_user=people["city_hefei"])
    assert err.value.rule == "ASM-08"


def test_the_staff_page_records_a_finding_and_shows_the_violation__ASM_08(client, scheduled, people):  # noqa: F811
    batch = _assessed(scheduled, people, 10)
    target = batch.candidates.order_by("pk").first()
    client.force_login(people["city_hefei"])
    with on("2026-04-22"):
        response = client.post(f"/staff/batches/{batch.pk}/candidates/{target.pk}/ineligible/", {"note": "证明不实"})
        assert response.status_code == 302
        page = client.get(f"/staff/batches/{batch.pk}/")
    assert BatchViolation.objects.filter(batch=batch, rule="ASM-08").exists()  # 1 of 10 = 10%
    assert "ASM-08" in page.content.decode() and "证明不实" in page.content.decode()


# -- photos ---------------------------------------------------------------------------------------------------
def test_photo_validate_accepts_jpeg_and_png_by_content__CERT_04():
    photo_validate(image_bytes("PNG"))
    photo_validate(image_bytes("JPEG"))


@pytest.mark.parametrize("data, code", [
    (b"MZ\x90\x00" + b"\x00" * 100, "photo_not_image"),  # a renamed .exe
    (image_bytes("PNG")[:40], "photo_not_image"),  # truncated
    (b"", "photo_empty"),
    (image_bytes("GIF"), "photo_format"),
    (image_bytes("PNG") + b"\x00" * PHOTO_MAX_BYTES, "photo_too_large"),
])
def test_photo_validate_refuses_what_is_not_a_small_jpeg_or_png__CERT_04(data, code):
    with pytest.raises(ValidationError) as err:
        photo_validate(data)
    assert err.value.code == code and err.value.messages[0]


def test_a_certificate_photo_that_is_not_an_image_is_refused_naming_the_holder__CERT_04():
    holders = [HolderData(holder_name="张三", id_type="201", id_number=person(1).id_number, level=4,
                          occupation_code="4-12-01-01", occupation_name="汽车维修工",
                          photo=SimpleUploadedFile("a.jpg", b"not an image")),
               HolderData(holder_name="李四", id_type="201", id_number=person(2).id_number, level=4,
                          occupation_code="4-12-01-01", occupation_name="汽车维修工",
                          photo=SimpleUploadedFile("b.png", image_bytes("PNG")))]
    with pytest.raises(ValidationError) as err:
        _validate_holders(holders)
    errors = err.value.message_dict
    ((row, messages),) = errors.items()  # only the first holder's row (the row label is translated)
    assert "1" in row and "CERT-04" in messages[0] and "张三" in messages[0]


@pytest.mark.pii_allowed(reason="the 400 re-render echoes the institution's own just-typed number "
                                "into the field so it can be corrected; nobody else's number is shown")
def test_the_add_form_takes_a_photo_and_refuses_a_fake_one__CERT_04(client, scheduled, people, settings,  # noqa: F811
                                                                   tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["inst_user"])
    item = scheduled.items.get(level=4)
    row = person(3, level=4)
    data = {"name": row.name, "gender": "M", "id_type": "201", "id_number": row.id_number,
            "item": f"{item.occupation.code}|4|{item.work_type}", "employer": "", "city": "合肥市"}
    url = f"/my/batches/{scheduled.pk}/candidates/add/"
    with on("2026-04-02"):
        bad = client.post(url, {**data, "photo": SimpleUploadedFile("p.jpg", b"MZ\x90fake", "image/jpeg")})
        assert bad.status_code == 400 and not Candidate.objects.exists()
        good = client.post(url, {**data, "photo": SimpleUploadedFile("p.png", image_bytes("PNG"), "image/png")})
    assert good.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.photo and candidate.photo.read()[:4] == b"\x89PNG"


# -- changing and removing a candidate ----------------------------------------------------------------------------
def test_a_candidate_is_changed_and_removed_before_approval_audited(filing, people, occupations):
    from tests.assessments.test_pages import submitted

    batch = submitted(filing, people, occupations)
    (candidate,) = candidates_add(batch=batch, rows=[person(1, level=4)], acting_user=people["inst_user"])
    changed = person(1, level=3, name="改名考生")
    candidate_update(candidate=Candidate.objects.get(pk=candidate.pk), data=changed, acting_user=people["inst_user"])
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert (candidate.name, candidate.level) == ("改名考生", 3) and "ASM-08" in candidate.eligibility_flags
    event = AuditEvent.objects.get(action="assessmentbatch.candidate_update")
    assert set(event.data["changed"]) == {"name", "level"}
    assert candidate.id_number not in str(event.data)
    pk = candidate.pk
    candidate_delete(candidate=candidate, acting_user=people["inst_user"])
    assert not Candidate.objects.exists()
    assert AuditEvent.objects.filter(action="assessmentbatch.candidate_delete", data__candidate=pk).exists()


def test_a_candidate_of_an_approved_plan_is_not_changed__ASM_01(scheduled, people):  # noqa: F811
    (candidate,) = candidates_add(batch=scheduled, rows=[person(1, level=4)], acting_user=people["inst_user"])
    with pytest.raises(DomainError) as err:
        candidate_delete(candidate=Candidate.objects.get(pk=candidate.pk), acting_user=people["inst_user"])
    assert err.value.rule == "ASM-01" and Candidate.objects.count() == 1


def test_the_edit_page_keeps_the_id_number_masked_and_saves_changes(client, filing, people, occupations):
    from tests.assessments.test_pages import submitted

    batch = submitted(filing, people, occupations)
    (candidate,) = candidates_add(batch=batch, rows=[person(1, level=4)], acting_user=people["inst_user"])
    client.force_login(people["inst_user"])
    url = f"/my/batches/{batch.pk}/candidates/{candidate.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and candidate.id_number not in page.content.decode()
    item = batch.items.get(level=4)
    response = client.post(url, {"name": "新名字", "gender": "M", "id_type": "201", "id_number": "",
                                 "item": f"{item.occupation.code}|4|{item.work_type}", "employer": "", "city": "芜湖市"})
    assert response.status_code == 302
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert (candidate.name, candidate.city, candidate.id_number) == ("新名字", "芜湖市", person(1).id_number)


def test_the_sheet_import_flags_rows_needing_the_prior_level__ASM_08(client, scheduled, people):  # noqa: F811
    from tests.assessments.test_pages import _sheet, _template_headers, _value_for, upload

    client.force_login(people["inst_user"])
    template = client.get(f"/my/batches/{scheduled.pk}/candidates/template.xlsx")
    header_row, headers = _template_headers(b"".join(template.streaming_content))
    rows = [person(1, level=3), person(2, level=4)]
    content = _sheet(header_row, headers, [[_value_for(h, c) for h in headers] for c in rows])
    with on("2026-04-02"):
        response = client.post(f"/my/batches/{scheduled.pk}/candidates/import/", {"upload": upload(content=content)})
        assert response.status_code == 302
        page = client.get(f"/my/batches/{scheduled.pk}/").content.decode()
    flagged = dict(scheduled.candidates.values_list("level", "eligibility_flags"))
    assert flagged[4] == "" and "ASM-08" in flagged[3]
    assert flagged[3] in page  # the batch page shows the finding next to the candidate
