"""The institution's pages: the multi-step application form, the status page and the documents
(DESIGN.md "Filing application"; FIL-01…04, FIL-08, FIL-12, ELIG-03/08/10, CHG-02)."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from filing_portal.audit.models import AuditEvent
from filing_portal.core.deadlines import run_deadlines
from institutions import documents
from institutions.models import (
    ApplicationOccupation,
    Assessor,
    Attachment,
    Equipment,
    FilingApplication,
    StaffMember,
    Venue,
)
from institutions.services import applications as svc
from tests.institutions.conftest import make_draft, on
from tests.institutions.test_workflow import walk_to_notice

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def edit_url(app, step):
    return reverse("institutions:application_edit", args=[app.pk, step])


def detail_url(app):
    return reverse("institutions:application_detail", args=[app.pk])


def formset_data(prefix, rows, *, initial=0, **extra):
    """The POST a browser sends for a formset: management form plus each row's fields."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000", **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def logged_in(user) -> Client:
    """A second browser (the `client` fixture is the institution's)."""
    other = Client()
    other.force_login(user)
    return other


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def inst_client(client, people):
    client.force_login(people["inst_user"])
    return client


@pytest.fixture
def directory_url(monkeypatch):
    """The receipt names the public directory; until the public pages define it, point at a stand-in."""
    try:
        reverse("institutions:directory")
    except NoReverseMatch:
        monkeypatch.setattr(documents, "reverse", lambda name, *a, **k: "/directory/")


# -- the list and a new application --------------------------------------------------------------------------
def test_create_an_application_from_the_list(inst_client, people, occupations):
    page = inst_client.get(reverse("institutions:my_applications"))
    assert page.status_code == 200 and reverse("institutions:application_new") in text(page)
    response = inst_client.post(reverse("institutions:application_new"), {"kind": "initial"})
    app = FilingApplication.objects.get(institution=people["inst"])
    assert app.state == "draft" and app.kind == "initial"
    assert response.status_code == 302 and response["Location"] == edit_url(app, "basics")
    assert AuditEvent.objects.filter(action="filingapplication.create", object_id=str(app.pk)).exists()


def test_list_shows_applications_with_due_dates(inst_client, draft, people, occupations,
                                               django_assert_max_num_queries):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    second = make_draft(people["inst"], occupations)
    with django_assert_max_num_queries(10):
        page = inst_client.get(reverse("institutions:my_applications"))
    assert page.status_code == 200
    body = text(page)
    assert "2026-03-04" in body  # the acceptance due date of the submitted one (FIL-02, Anhui 10 WD)
    assert reverse("institutions:application_edit_start", args=[draft.pk]) not in body  # submitted: no editing
    assert reverse("institutions:application_edit_start", args=[second.pk]) in body


# -- filling each step ----------------------------------------------------------------------------------------
def test_fill_every_step_then_submit__FIL_02_FIL_12(inst_client, people, occupations):
    second = next(o for o in occupations.values()  # another fileable one, chosen by its name
                  if o.code != "4-12-01-01" and o.major_group in (3, 4, 5, 6) and not o.is_access_licensed)
    inst_client.post(reverse("institutions:application_new"), {"kind": "initial"})
    app = FilingApplication.objects.get(institution=people["inst"])

    r = inst_client.post(edit_url(app, "basics"), {
        "years_of_experience": "6", "total_person_times": "25000", "implementation_plan": "一、备案单位概况\n……",
        "organisation_strengths": "专职人员12名", "action": "continue"})
    assert r.status_code == 302 and r["Location"] == edit_url(app, "occupations")
    app.refresh_from_db()
    assert (app.years_of_experience, app.total_person_times, app.province_wide) == (6, 25000, False)

    r = inst_client.post(edit_url(app, "occupations"), formset_data("occ", [
        {"occupation": "4-12-01-01", "work_type": "机动车机电维修工", "levels": ["5", "4", "3"], "own_assessors": "6",
         "experience_years": "6", "person_times": "8000"},
        {"occupation": second.name, "work_type": "", "levels": ["4"], "own_assessors": "2", "experience_years": "3",
         "person_times": "500"},
        {"occupation": "", "work_type": "", "own_assessors": "0", "experience_years": "0", "person_times": "0"},
    ], action="continue"))
    assert r.status_code == 302 and r["Location"] == edit_url(app, "venues")
    rows = {row.occupation.code: row for row in app.occupations.select_related("occupation")}
    assert set(rows) == {"4-12-01-01", second.code}  # chosen by code and by name; the blank row ignored
    assert rows["4-12-01-01"].levels == [3, 4, 5]

    r = inst_client.post(edit_url(app, "venues"), formset_data("venue", [
        {"kind": "practical", "address": "合肥市蜀山区实训楼1号", "room_count": "2", "area_m2": "600", "tenure": "owned",
         "occupation_codes": ["4-12-01-01"], "video_surveillance": "on"},
    ], action="save"))
    assert r.status_code == 302 and r["Location"] == edit_url(app, "venues")
    venue = Venue.objects.get(application=app)
    assert venue.occupation_codes == ["4-12-01-01"] and venue.video_surveillance

    # The saved venue now has its equipment rows on the same page.
    page = inst_client.get(edit_url(app, "venues"))
    assert f'name="eq-{venue.pk}-TOTAL_FORMS"' in text(page)
    data = formset_data("venue", [{"id": str(venue.pk), "kind": "practical", "address": venue.address,
                                   "room_count": "2", "area_m2": "600", "tenure": "owned",
                                   "occupation_codes": ["4-12-01-01"], "video_surveillance": "on"}], initial=1)
    data.update(formset_data(f"eq-{venue.pk}", [{"name": "汽车举升机", "model": "QJ-4", "unit": "台", "quantity": "4"}]))
    r = inst_client.post(edit_url(app, "venues"), {**data, "action": "continue"})
    assert r.status_code == 302 and r["Location"] == edit_url(app, "staff")
    assert list(Equipment.objects.filter(venue=venue).values_list("name", "quantity")) == [("汽车举升机", 4)]

    r = inst_client.post(edit_url(app, "staff"), formset_data("staff", [
        {"post": "head", "name": "李所长", "gender": "M", "age": "45", "phone": "0551-62000000", "full_time": "on"},
        {"post": "contact", "name": "陈联系人", "gender": "F", "age": "30", "phone": "13900000000", "full_time": "on"},
    ], action="continue"))
    assert r.status_code == 302 and StaffMember.objects.filter(application=app).count() == 2

    r = inst_client.post(edit_url(app, "assessors"), formset_data("assessor", [
        {"role": "assessor", "name": "张考评", "gender": "M", "age": "40", "occupation_code": "4-12-01-01",
         "qualified_on": "2019-05-01", "phone": "13800000000"},
        {"role": "supervisor", "name": "周督导", "gender": "F", "age": "50", "occupation_code": "",
         "phone": "13800000001"},
    ], action="continue"))
    assert r.status_code == 302 and r["Location"] == edit_url(app, "attachments")
    assert Assessor.objects.get(application=app, role="assessor").qualified_on == dt.date(2019, 5, 1)

    r = inst_client.post(edit_url(app, "attachments"), {
        "kind": "legal_person", "file": SimpleUploadedFile("登记证书.pdf", PDF, content_type="application/pdf")})
    assert r.status_code == 302
    attachment = Attachment.objects.get(application=app)
    assert attachment.original_name == "登记证书.pdf" and attachment.size == len(PDF)
    page = inst_client.get(edit_url(app, "attachments"))
    assert reverse("institutions:attachment_download", args=[attachment.pk]) in text(page)
    download = inst_client.get(reverse("institutions:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    page = inst_client.get(edit_url(app, "pledges"))
    assert "备案材料填写内容真实性承诺书" in text(page) and "职业技能考核鉴定机构规范运行承诺书" in text(page)
    assert "王法人" in text(page)  # the legal representative is proposed as signer
    r = inst_client.post(edit_url(app, "pledges"), {"truthfulness": "on", "operation": "on", "signed_by": "王法人",
                                                    "action": "continue"})
    assert r.status_code == 302 and r["Location"] == edit_url(app, "review")
    app.refresh_from_db()
    assert app.pledge_truthfulness and app.pledge_operation and app.pledged_by == "王法人"

    review = inst_client.get(edit_url(app, "review"))
    assert review.status_code == 200
    body = text(review)
    assert "汽车举升机" in body and "李所长" in body and "周督导" in body
    assert not re.search(r'class="rule">[A-Z]+-\d+', body)  # no problem listed
    # Every step is marked complete in the step indicator; the review is the current one.
    assert body.count("step is-done") == 7 and 'aria-current="step"' in body

    with on("2026-02-12"):
        r = inst_client.post(edit_url(app, "review"), {"action": "submit"}, follow=True)
    app.refresh_from_db()
    assert app.state == "submitted" and app.acceptance_due == dt.date(2026, 3, 4)
    assert r.redirect_chain[-1][0] == detail_url(app)
    assert "2026-03-04" in text(r)


def test_pledges_need_both_boxes__FIL_12(inst_client, people, occupations):
    app = make_draft(people["inst"], occupations, signed=False)
    r = inst_client.post(edit_url(app, "pledges"), {"truthfulness": "on", "signed_by": "王法人", "action": "save"})
    assert r.status_code == 200 and 'id="error-summary"' in text(r)
    assert 'name="signed_by" value="王法人"' in text(r)
    assert not FilingApplication.objects.get(pk=app.pk).pledge_truthfulness


# -- errors keep what was typed and save nothing ----------------------------------------------------------
def test_an_invalid_row_keeps_the_typed_values_and_saves_nothing__ELIG_03(inst_client, people, occupations):
    inst_client.post(reverse("institutions:application_new"), {"kind": "initial"})
    app = FilingApplication.objects.get(institution=people["inst"])
    r = inst_client.post(edit_url(app, "occupations"), formset_data("occ", [
        {"occupation": "4-12-01-01", "work_type": "机动车机电维修工", "levels": ["4"], "own_assessors": "3",
         "experience_years": "2", "person_times": "700"},
        {"occupation": "9-99-99-99", "work_type": "不存在的工种", "levels": ["5"], "own_assessors": "1",
         "experience_years": "1", "person_times": "12"},
    ], action="continue"))
    assert r.status_code == 200
    body = text(r)
    assert ApplicationOccupation.objects.filter(application=app).count() == 0  # atomic: the good row is not saved
    assert 'value="9-99-99-99"' in body and 'value="不存在的工种"' in body and 'value="700"' in body
    assert 'id="error-summary"' in body and 'href="#id_occ-1-occupation"' in body
    assert 'aria-invalid="true"' in body


def test_an_invalid_staff_row_saves_no_row(inst_client, draft):
    existing = draft.staff.get()
    r = inst_client.post(edit_url(draft, "staff"), formset_data("staff", [
        {"id": str(existing.pk), "post": "head", "name": "李所长改", "gender": "M", "age": "46", "phone": "0551-1"},
        {"post": "staff", "name": "小孩", "gender": "F", "age": "5", "phone": "1"},
    ], initial=1, action="save"))
    assert r.status_code == 200
    assert StaffMember.objects.get(pk=existing.pk).name == "李所长"  # the valid change is not saved either
    assert StaffMember.objects.filter(application=draft).count() == 1
    assert 'value="李所长改"' in text(r) and 'value="小孩"' in text(r)


def test_a_bad_equipment_row_saves_nothing_of_the_venues_step(inst_client, draft):
    venue = draft.venues.get()
    data = formset_data("venue", [{"id": str(venue.pk), "kind": "practical", "address": "合肥市蜀山区实训楼2号",
                                   "room_count": "3", "area_m2": "700", "tenure": "owned"}], initial=1)
    data.update(formset_data(f"eq-{venue.pk}", [{"name": "举升机", "unit": "台", "quantity": "0"}]))
    r = inst_client.post(edit_url(draft, "venues"), {**data, "action": "save"})
    assert r.status_code == 200 and 'value="合肥市蜀山区实训楼2号"' in text(r)
    assert Venue.objects.get(pk=venue.pk).address == "合肥市蜀山区实训楼1号" and not Equipment.objects.exists()


# -- review and submission --------------------------------------------------------------------------------------
def test_review_lists_the_problems_with_their_rules_before_submitting__ELIG_10(inst_client, people, occupations):
    app = make_draft(people["inst"], occupations, tenure="temporary", signed=False)
    review = inst_client.get(edit_url(app, "review"))
    body = text(review)
    assert review.status_code == 200
    assert 'class="rule">ELIG-10</strong>' in body and "合肥市蜀山区实训楼1号" in body
    assert 'class="rule">FIL-12</strong>' in body


def test_submit_refused_shows_every_problem__ELIG_08_ELIG_10(client, people, occupations):
    client.force_login(people["employer_user"])
    app = make_draft(people["employer"], occupations, tenure="temporary")
    r = client.post(edit_url(app, "review"), {"action": "submit"})
    assert r.status_code == 200
    body = text(r)
    refused = body.split('id="refused"')[1].split("</div>")[0]
    assert "ELIG-10" in refused and "ELIG-08" in refused
    assert FilingApplication.objects.get(pk=app.pk).state == "draft"


def test_employer_sees_the_incentive_scheme_note__ELIG_08(client, people, occupations):
    client.force_login(people["employer_user"])
    app = make_draft(people["employer"], occupations)
    page = client.get(edit_url(app, "attachments"))
    assert "ELIG-08" in text(page)


def test_supplement_items_show_on_every_step_and_resubmit_works__FIL_03(inst_client, draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    with on("2026-02-13"):
        svc.application_request_supplement(application=draft, items=["场地租赁合同", "考评员证书"],
                                           acting_user=people["city_hefei"])
    for step in ("basics", "occupations", "attachments", "review"):
        body = text(inst_client.get(edit_url(draft, step)))
        assert "场地租赁合同" in body and "考评员证书" in body and "2026-02-27" in body
    detail = text(inst_client.get(detail_url(draft)))
    assert "场地租赁合同" in detail and "2026-02-27" in detail
    r = inst_client.post(edit_url(draft, "attachments"), {
        "kind": "supplement", "file": SimpleUploadedFile("租赁合同.pdf", PDF)})
    assert r.status_code == 302
    review = text(inst_client.get(edit_url(draft, "review")))
    assert 'value="resubmit"' in review
    with on("2026-02-20"):
        r = inst_client.post(edit_url(draft, "review"), {"action": "resubmit"})
    assert r.status_code == 302 and r["Location"] == detail_url(draft)
    assert FilingApplication.objects.get(pk=draft.pk).state == "submitted"


def test_a_submitted_application_cannot_be_edited(inst_client, draft, people):
    svc.application_submit(application=draft, acting_user=people["inst_user"])
    r = inst_client.get(edit_url(draft, "staff"))
    assert r.status_code == 302 and r["Location"] == detail_url(draft)
    r = inst_client.post(edit_url(draft, "staff"), formset_data("staff", []))
    assert r.status_code == 302 and StaffMember.objects.filter(application=draft).count() == 1


# -- access --------------------------------------------------------------------------------------------------
def test_another_institutions_application_is_404__JUR_03(client, draft, people):
    client.force_login(people["other_user"])
    for url in (detail_url(draft), edit_url(draft, "basics"),
                reverse("institutions:application_receipt", args=[draft.pk]),
                reverse("institutions:attachment_download", args=[
                    Attachment.objects.create(application=draft, kind="other", file="x.pdf", original_name="x.pdf",
                                              content_type="application/pdf", size=1, sha256="0",
                                              uploaded_by=people["inst_user"]).pk])):
        assert client.get(url).status_code == 404, url
    r = client.post(edit_url(draft, "basics"), {"years_of_experience": "9"})
    assert r.status_code == 404 and FilingApplication.objects.get(pk=draft.pk).years_of_experience == 0


def test_other_roles_get_403_on_the_editing_pages(client, draft, people):
    client.force_login(people["city_hefei"])
    assert client.get(edit_url(draft, "basics")).status_code == 403
    assert client.get(reverse("institutions:my_applications")).status_code == 403
    assert client.post(reverse("institutions:application_new"), {"kind": "initial"}).status_code == 403


# -- attachments -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,content", [("营业执照.pdf", PNG), ("说明.pdf", "这不是PDF文件".encode())])
def test_a_disguised_file_is_refused_with_a_message__ELIG_07(inst_client, draft, name, content):
    r = inst_client.post(edit_url(draft, "attachments"), {"kind": "legal_person",
                                                          "file": SimpleUploadedFile(name, content)})
    assert r.status_code == 200
    body = text(r)
    assert name in body and 'class="field-error"' in body and 'id="error-summary"' in body
    assert '<option value="legal_person" selected>' in body  # the chosen kind is kept
    assert not Attachment.objects.filter(application=draft).exists()


def test_an_oversized_file_is_refused(inst_client, draft):
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    r = inst_client.post(edit_url(draft, "attachments"), {"kind": "other", "file": big})
    assert r.status_code == 200 and "10 MB" in text(r)
    assert not Attachment.objects.exists()


# -- status page, withdrawal and documents ----------------------------------------------------------------
def test_status_page_shows_the_timeline(inst_client, draft, people, django_assert_max_num_queries):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    with on("2026-02-13"):
        svc.application_request_supplement(application=draft, items=["场地租赁合同"], acting_user=people["city_hefei"])
    with django_assert_max_num_queries(12):
        page = inst_client.get(detail_url(draft))
    body = text(page)
    assert page.status_code == 200
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", body)  # YYYY-MM-DD HH:MM
    assert "2026-03-04" in body and "2026-02-27" in body  # acceptance due and supplement due
    assert "city_hefei" not in body  # staff show as their role only


def test_withdraw_from_the_status_page(inst_client, draft):
    assert 'name="confirm"' in text(inst_client.get(detail_url(draft)))
    inst_client.post(reverse("institutions:application_withdraw", args=[draft.pk]))
    assert FilingApplication.objects.get(pk=draft.pk).state == "draft"  # not confirmed: nothing happens
    r = inst_client.post(reverse("institutions:application_withdraw", args=[draft.pk]), {"confirm": "yes"})
    assert r.status_code == 302 and FilingApplication.objects.get(pk=draft.pk).state == "withdrawn"
    assert 'name="confirm"' not in text(inst_client.get(detail_url(draft)))


def test_receipt_downloads_after_approval__FIL_08(inst_client, draft, people, directory_url):
    receipt = reverse("institutions:application_receipt", args=[draft.pk])
    r = inst_client.get(receipt)  # not filed yet: a message, not an error page
    assert r.status_code == 302 and r["Location"] == detail_url(draft)
    app = walk_to_notice(draft, people)
    run_deadlines(dt.date(2026, 3, 10))
    app.refresh_from_db()
    assert app.state == "approved"
    page = text(inst_client.get(detail_url(app)))
    assert receipt in page and "S000034010001" in page
    r = inst_client.get(receipt)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert logged_in(people["city_hefei"]).get(receipt).content.startswith(b"%PDF")  # staff in jurisdiction
    assert logged_in(people["city_wuhu"]).get(receipt).status_code == 404  # another city


def test_termination_notice_downloads_after_supplement_expiry__FIL_04(inst_client, draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    with on("2026-02-13"):
        svc.application_request_supplement(application=draft, items=["考评员证书"], acting_user=people["city_hefei"])
    run_deadlines(dt.date(2026, 2, 28))
    draft.refresh_from_db()
    assert draft.state == "terminated"
    page = text(inst_client.get(detail_url(draft)))
    notice = reverse("institutions:application_termination_notice", args=[draft.pk])
    assert notice in page and draft.termination_clause in page
    r = inst_client.get(notice)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert logged_in(people["province_ah"]).get(notice).status_code == 200
    # Terminated: no editing any more
    assert inst_client.get(edit_url(draft, "basics")).status_code == 302


# -- changes ---------------------------------------------------------------------------------------------------
def test_information_change_keeps_only_changed_values__CHG_02(inst_client, draft, people, directory_url):
    walk_to_notice(draft, people)
    run_deadlines(dt.date(2026, 3, 10))
    filing = people["inst"].filings.get()
    page = text(inst_client.get(reverse("institutions:my_applications")))
    assert 'value="info_change"' in page and 'value="scope_change"' in page
    assert 'value="initial"' not in page  # filed already: no second initial application
    r = inst_client.post(reverse("institutions:application_new"), {"kind": "info_change", "filing": filing.pk})
    change = FilingApplication.objects.get(kind="info_change")
    assert r["Location"] == edit_url(change, "changes")
    assert inst_client.get(edit_url(change, "occupations")).status_code == 404  # not a step of an info change
    inst = people["inst"]
    r = inst_client.post(edit_url(change, "changes"), {
        "name": inst.name, "legal_representative": "赵新法人", "head": inst.head, "contact_name": "",
        "contact_phone": "", "contact_email": "", "address": inst.address, "action": "continue"})
    assert r.status_code == 302 and r["Location"] == edit_url(change, "attachments")
    change.refresh_from_db()
    assert change.proposed_changes == {"legal_representative": "赵新法人"}
    review = text(inst_client.get(edit_url(change, "review")))
    assert "赵新法人" in review and "王法人" in review


def test_staff_asking_for_a_document_that_does_not_exist_yet_get_a_message__FIL_08(draft, people):
    svc.application_submit(application=draft, acting_user=people["inst_user"])
    r = logged_in(people["city_hefei"]).get(reverse("institutions:application_receipt", args=[draft.pk]))
    assert r.status_code == 409 and "FIL-08" in text(r)


def test_continue_editing_opens_the_first_incomplete_step(inst_client, draft):
    r = inst_client.get(reverse("institutions:application_edit_start", args=[draft.pk]))
    assert r["Location"] == edit_url(draft, "basics")  # the fixture's draft has no implementation plan yet
    FilingApplication.objects.filter(pk=draft.pk).update(implementation_plan="一、概况")
    r = inst_client.get(reverse("institutions:application_edit_start", args=[draft.pk]))
    assert r["Location"] == edit_url(draft, "attachments")
