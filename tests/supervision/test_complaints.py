"""Complaints from the public (SUP-02): filing, acknowledgement and follow-up, due dates, the office's handling."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filing_portal.audit.models import AuditEvent
from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.workdays.models import CalendarDay
from supervision.complaints import (
    complaint_answer,
    complaint_open_case,
    complaint_start,
    complaint_submit,
)
from supervision.models import Case, Complaint
from tests.assessments.conftest import filing  # noqa: F401
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

D = dt.date.fromisoformat
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def submit(**kwargs):
    defaults = {"facts": "考评员在考场内代答题目", "anonymous": False, "contact_name": "赵投诉",
                "contact_phone": "13911112222", "contact_email": "zhao@example.cn"}
    return complaint_submit(**{**defaults, **kwargs})


def test_complaint_with_contact_goes_to_the_filing_office_with_due_date__SUP_02(filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
    assert c.region == filing.handling_region  # Hefei
    assert c.status == "received" and c.received_on == D("2026-03-16")
    # 15 WD (the Anhui profile) after Monday 2026-03-16
    assert c.response_due == D("2026-04-07")  # 2026-04-06 is the Qingming holiday (Apr 4–6)
    assert re.fullmatch(r"TS20260316[A-Z2-7]{8}", c.ack_number)
    assert c.contact_email == "zhao@example.cn"
    event = AuditEvent.objects.get(action="complaint.submit", object_id=str(c.pk))
    assert "zhao@example.cn" not in str(event.data) and "13911112222" not in str(event.data)


def test_anonymous_complaint_keeps_no_contact_and_needs_no_phone__SUP_02(people, regions):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=None, institution_name="某无证培训点", region=regions["340200"], anonymous=True,
                   contact_phone="13900000000")
    assert c.anonymous and c.contact_phone == "" and c.contact_email == "" and c.contact_name == ""
    assert c.region.code == "340200"  # no institution: the region chosen on the form


def test_named_complaint_needs_phone_or_email__SUP_02(people):  # noqa: F811
    with on("2026-03-16"), pytest.raises(DomainError) as err:
        submit(institution=people["inst"], contact_phone="", contact_email="")
    assert err.value.rule == "SUP-02" and err.value.code == "contact_required"


def test_unfiled_institution_falls_back_to_its_region(people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["employer"])  # Wuhu employer, no filing
    assert c.region.code == "340200"


def test_ack_numbers_are_random_not_sequential(people):  # noqa: F811
    with on("2026-03-16"):
        numbers = {submit(institution=people["inst"]).ack_number for _ in range(5)}
    assert len(numbers) == 5


def test_due_date_moves_over_spring_festival__SUP_02(regions):  # noqa: F811
    """15 WD from Thursday 2026-02-12: Feb 14 and 28 are worked Saturdays, Feb 15–23 the holiday."""
    with on("2026-02-12"):
        c = submit(institution_name="某机构", region=regions["340100"])
    assert c.response_due == D("2026-03-11")  # Monday–Friday counting would give 2026-03-05


def test_due_date_moves_for_an_entered_closure_day__SUP_02(regions):  # noqa: F811
    with on("2026-03-09"):
        before = submit(institution_name="某机构", region=regions["340100"])
    CalendarDay.objects.create(date=D("2026-03-18"), is_working=False, name="临时停工")
    with on("2026-03-09"):
        after = submit(institution_name="某机构", region=regions["340100"])
    assert (before.response_due, after.response_due) == (D("2026-03-30"), D("2026-03-31"))


def test_overdue_flag_is_set_once_across_sweeps__SUP_02(filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
        done = submit(institution=people["inst"])
    with on("2026-03-17"):
        complaint_start(complaint=done, acting_user=people["city_hefei"])
        complaint_answer(complaint=done, outcome="not_substantiated", response="经查不属实",
                         acting_user=people["city_hefei"])
    run_deadlines(D("2026-04-07"))  # the due date itself: not yet overdue
    c.refresh_from_db()
    assert c.overdue_flagged_on is None
    run_deadlines(D("2026-04-08"))
    run_deadlines(D("2026-04-09"))
    run_deadlines(D("2026-04-08"))
    c.refresh_from_db()
    done.refresh_from_db()
    assert c.overdue_flagged_on == D("2026-04-08")
    assert done.overdue_flagged_on is None
    assert AuditEvent.objects.filter(action="complaint.overdue", object_id=str(c.pk)).count() == 1


def test_answer_emails_the_complainant_after_commit__SUP_02(filing, people, mailoutbox,  # noqa: F811
                                                            django_capture_on_commit_callbacks):
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
    with on("2026-03-18"):
        complaint_start(complaint=c, acting_user=people["city_hefei"])
        with django_capture_on_commit_callbacks(execute=True):
            complaint_answer(complaint=c, outcome="substantiated", response="已责令该机构整改并约谈负责人",
                             acting_user=people["city_hefei"])
    c.refresh_from_db()
    assert (c.status, c.outcome, c.answered_on, c.handler) == (
        "answered", "substantiated", D("2026-03-18"), people["city_hefei"])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zhao@example.cn"]
    assert c.ack_number in mailoutbox[0].subject and "已责令该机构整改并约谈负责人" in mailoutbox[0].body


def test_answer_needs_handling_outcome_and_response__SUP_02(filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
        with pytest.raises(DomainError) as err:
            complaint_answer(complaint=c, outcome="substantiated", response="x", acting_user=people["city_hefei"])
        assert err.value.code == "invalid_state"
        complaint_start(complaint=c, acting_user=people["city_hefei"])
        with pytest.raises(DomainError) as err:
            complaint_answer(complaint=c, outcome="substantiated", response=" ", acting_user=people["city_hefei"])
        assert err.value.rule == "SUP-02" and err.value.code == "response_required"


def test_other_office_may_not_handle__JUR_03(filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
        with pytest.raises(PermissionDeniedError) as err:
            complaint_start(complaint=c, acting_user=people["city_wuhu"])
    assert err.value.rule == "JUR-03"


def test_case_opened_from_complaint_is_linked__SUP_02_SUP_06(filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
        case = complaint_open_case(complaint=c, acting_user=people["city_hefei"])
    c.refresh_from_db()
    assert c.case == case
    assert (case.origin, case.institution, case.filing, case.region, case.state) == (
        "complaint", people["inst"], filing, filing.handling_region, "open")
    assert c.ack_number in case.summary
    with on("2026-03-16"), pytest.raises(DomainError) as err:
        complaint_open_case(complaint=c, acting_user=people["city_hefei"])
    assert err.value.code == "case_exists"
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="complaint.open_case", object_id=str(c.pk)).exists()


# -- pages ----------------------------------------------------------------------------------------------------
def test_public_form_files_a_complaint_and_shows_the_ack_number__SUP_02(client, filing, people):  # noqa: F811
    with on("2026-03-16"):
        response = client.post(reverse("supervision:complaint_new"), {
            "institution": people["inst"].pk, "facts": "考场无监控录像", "contact_email": "li@example.cn",
            "attachments": [SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
                            SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")]})
        assert response.status_code == 302
        page = client.get(response["Location"])
    c = Complaint.objects.get()
    assert c.attachments.count() == 2
    text = page.content.decode()
    assert c.ack_number in text and "2026-04-07" in text
    assert reverse("supervision:complaint_follow") in text


def test_public_form_refuses_a_disguised_attachment__SUP_02(client, filing, people):  # noqa: F811
    with on("2026-03-16"):
        response = client.post(reverse("supervision:complaint_new"), {
            "institution": people["inst"].pk, "facts": "考场无监控录像", "anonymous": "on",
            "attachments": [SimpleUploadedFile("evil.pdf", b"MZ\x90\0 not a pdf", content_type="application/pdf")]})
    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    assert "SUP-02" in response.content.decode()


def test_public_form_needs_contact_unless_anonymous__SUP_02(client, filing, people):  # noqa: F811
    with on("2026-03-16"):
        response = client.post(reverse("supervision:complaint_new"),
                               {"institution": people["inst"].pk, "facts": "考场无监控录像"})
    assert response.status_code == 400 and Complaint.objects.count() == 0


def test_public_form_is_csrf_protected(filing, people):  # noqa: F811
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("supervision:complaint_new"),
                                                      {"institution": people["inst"].pk, "facts": "x",
                                                       "anonymous": "on"})
    assert response.status_code == 403


def test_public_form_is_rate_limited(client, regions):  # noqa: F811
    from django.core.cache import cache

    cache.clear()
    data = {"institution_name": "某机构", "region": regions["340100"].pk, "facts": "x", "anonymous": "on"}
    codes = [client.post(reverse("supervision:complaint_new"), data).status_code for _ in range(6)]
    cache.clear()
    assert codes == [302] * 5 + [429]


def test_follow_up_shows_status_and_answer_but_no_contact__SUP_02(client, filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
    url = reverse("supervision:complaint_follow")
    page = client.post(url, {"ack_number": c.ack_number.lower()}).content.decode()
    assert "2026-04-07" in page and c.ack_number in page
    with on("2026-03-18"):
        complaint_start(complaint=c, acting_user=people["city_hefei"])
        complaint_answer(complaint=c, outcome="partly", response="部分属实，已约谈", acting_user=people["city_hefei"])
    page = client.post(url, {"ack_number": c.ack_number}).content.decode()
    assert "部分属实，已约谈" in page and "2026-03-18" in page
    for secret in ("赵投诉", "13911112222", "zhao@example.cn"):
        assert secret not in page
    assert client.post(url, {"ack_number": "TS20260316AAAAAAAA"}).status_code == 404


def test_contact_shown_only_to_the_handling_office__SUP_02(client, filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
    url = reverse("supervision:complaint_detail", args=[c.pk])
    client.force_login(people["city_hefei"])
    assert "13911112222" in client.get(url).content.decode()
    client.force_login(people["province_ah"])  # sees the complaint (jurisdiction), not the person
    page = client.get(url)
    assert page.status_code == 200 and c.ack_number in page.content.decode()
    assert "13911112222" not in page.content.decode() and "zhao@example.cn" not in page.content.decode()
    client.force_login(people["city_wuhu"])
    assert client.get(url).status_code == 404
    client.force_login(people["inst_user"])
    assert client.get(url).status_code == 403


def test_queue_sorted_by_due_date_with_overdue_flagged(client, filing, people):  # noqa: F811
    with on("2026-02-20"):
        late = submit(institution=people["inst"])
    with on("2026-03-16"):
        soon = submit(institution=people["inst"])
    client.force_login(people["city_hefei"])
    with on("2026-03-20"):
        page = client.get(reverse("supervision:complaints_queue")).content.decode()
    assert page.index(late.ack_number) < page.index(soon.ack_number)
    assert page.count("is-overdue") == 1


def test_staff_walk_start_answer_open_case_pages(client, filing, people, mailoutbox,  # noqa: F811
                                                 django_capture_on_commit_callbacks):
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
    client.force_login(people["city_hefei"])
    with on("2026-03-17"):
        assert client.post(reverse("supervision:complaint_start", args=[c.pk])).status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(reverse("supervision:complaint_answer", args=[c.pk]),
                            {"outcome": "substantiated", "response": "属实"})
        assert r.status_code == 302
        r = client.post(reverse("supervision:complaint_open_case", args=[c.pk]), {"summary": ""})
        assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "answered" and c.case is not None and c.handler == people["city_hefei"]
    assert len(mailoutbox) == 1


def test_public_form_offers_the_filed_institutions(client, filing, people):  # noqa: F811
    page = client.get(reverse("supervision:complaint_new"))
    text = page.content.decode()
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in text
    assert people["inst"].name in text and people["employer"].name not in text  # only filed ones are listed
    assert client.get(reverse("supervision:complaint_follow")).status_code == 200
    assert client.get(reverse("supervision:complaint_received")).status_code == 302  # nothing to acknowledge


def test_case_link_on_the_complaint_page(client, filing, people):  # noqa: F811
    with on("2026-03-16"):
        c = submit(institution=people["inst"])
        case = complaint_open_case(complaint=c, acting_user=people["city_hefei"])
    client.force_login(people["city_hefei"])
    text = client.get(reverse("supervision:complaint_detail", args=[c.pk])).content.decode()
    assert case.reference in text
    assert reverse("supervision:institution_file", args=[people["inst"].pk]) in text
