"""The staff workbench: the review queue, the review page and the filing records
(DESIGN.md "Filing application", "Filing record"; FIL-01…08, JUR-03, CHG-02/04, SUP-04/05, TERM-01/02, NUM-03)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import FilingNumber
from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.workflow import available_transitions
from institutions.models import Announcement, Filing, FilingApplication, Objection
from institutions.services import applications as svc
from tests.factories import InstitutionFactory, make_uscc
from tests.institutions.conftest import make_draft, on
from tests.institutions.test_workflow import walk_to_notice

D = dt.date.fromisoformat
QUEUE = reverse("institutions:staff_queue")
# Shown elsewhere than as buttons: objections are decided per objection, raising one is the public's.
NOT_BUTTONS = {"raise_objection", "dismiss_objection"}


def review_url(app):
    return reverse("institutions:staff_application", args=[app.pk])


def action_url(app, name):
    return reverse("institutions:staff_application_action", args=[app.pk, name])


def filing_action_url(filing, name):
    return reverse("institutions:staff_filing_action", args=[filing.pk, name])


def browser(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def buttons(response) -> set[str]:
    return set(re.findall(r'data-transition="(\w+)"', response.content.decode()))


def state_of(app) -> str:
    return FilingApplication.objects.get(pk=app.pk).state


@pytest.fixture
def hefei(people):
    return browser(people["city_hefei"])


@pytest.fixture
def submitted(draft, people):
    """Submitted on 2026-02-12: the acceptance check is due 2026-03-04 (10 WD over Spring Festival)."""
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    draft.refresh_from_db()
    return draft


@pytest.fixture
def in_notice(draft, people):
    """In public notice from 2026-03-03 to 2026-03-09."""
    return walk_to_notice(draft, people)


@pytest.fixture
def filing(draft, people):
    walk_to_notice(draft, people)
    run_deadlines(D("2026-03-10"))
    return Filing.objects.get(institution=people["inst"])


# -- the queue ------------------------------------------------------------------------------------------

def test_queue_shows_the_acceptance_due_date_then_overdue__FIL_02(submitted, hefei):
    assert submitted.acceptance_due == D("2026-03-04")
    with on("2026-02-13"):
        r = hefei.get(QUEUE)
    assert r.status_code == 200
    page = r.content.decode()
    assert "合肥新华职业技能评价中心" in page and "2026-03-04" in page
    assert "Due in 9 working days" in page  # Feb 14 and 28 are worked, Feb 15–23 are the holiday
    assert "Overdue" not in page
    assert "汽车维修工" in page and "三级、四级、五级" in page and "合肥市" in page
    row = r.context["applications"][0]
    assert (row.due, row.due_mark.status) == (D("2026-03-04"), "later")

    with on("2026-03-04"):
        assert "Due today" in hefei.get(QUEUE).content.decode()
    with on("2026-03-20"):
        r = hefei.get(QUEUE)
    assert r.context["applications"][0].due_mark.status == "overdue"
    assert "Overdue by 12 working days" in r.content.decode()


def test_queue_tabs_count_per_state_and_filter_by_kind_and_name__FIL_02(submitted, people, occupations, hefei):
    other = make_draft(people["other"], occupations, address="合肥市包河区另一实训楼")
    with on("2026-02-12"):
        svc.application_submit(application=other, acting_user=people["other_user"])
    with on("2026-02-13"):
        svc.application_accept(application=other, acting_user=people["city_hefei"])
        r = hefei.get(QUEUE)
    tabs = {t["state"]: t["count"] for t in r.context["tabs"]}
    assert tabs[""] == 2 and tabs["submitted"] == 1 and tabs["initial_review"] == 1 and tabs["public_notice"] == 0
    with on("2026-02-13"):
        r = hefei.get(QUEUE, {"state": "initial_review"})
        assert [a.pk for a in r.context["applications"]] == [other.pk]
        r = hefei.get(QUEUE, {"q": "新华"})
        assert [a.pk for a in r.context["applications"]] == [submitted.pk]
        r = hefei.get(QUEUE, {"kind": "info_change"})
        assert r.context["applications"] == []


def test_wuhu_staff_do_not_see_a_hefei_application_province_staff_do__JUR_03(submitted, people):
    wuhu = browser(people["city_wuhu"])
    assert "合肥新华" not in wuhu.get(QUEUE).content.decode()
    assert wuhu.get(review_url(submitted)).status_code == 404
    assert wuhu.post(action_url(submitted, "accept")).status_code == 404
    assert state_of(submitted) == "submitted"

    province = browser(people["province_ah"])
    assert "合肥新华" in province.get(QUEUE).content.decode()
    assert province.get(review_url(submitted)).status_code == 200


def test_institution_users_cannot_open_the_workbench__JUR_03(submitted, people):
    inst = browser(people["inst_user"])
    assert inst.get(QUEUE).status_code == 403
    assert inst.get(review_url(submitted)).status_code == 403
    assert Client().get(QUEUE).status_code == 302  # to the login page


def test_queue_queries_do_not_grow_with_the_page__FIL_02(people, occupations, regions, hefei,
                                                        django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            inst = InstitutionFactory(kind="S", region=regions["340100"], uscc=make_uscc("340100"))
            app = make_draft(inst, occupations, address=f"合肥市测试路{inst.pk}号")
            FilingApplication.objects.filter(pk=app.pk).update(
                state="public_notice", handling_region=regions["340100"], notice_ends_on=D("2026-03-09"),
                acceptance_due=D("2026-03-04"))
            Objection.objects.create(application=app, contact="13900000000", content="异议")

    add(1)
    with on("2026-03-03"), CaptureQueriesContext(connection) as one:
        assert len(hefei.get(QUEUE).context["applications"]) == 1
    add(29)
    # session, user, region, counts per state, page count, page, occupations, calendar window (2)
    with on("2026-03-03"), django_assert_max_num_queries(12), CaptureQueriesContext(connection) as thirty:
        r = hefei.get(QUEUE)
    assert len(r.context["applications"]) == 30
    assert all(a.open_objections == 1 for a in r.context["applications"])
    assert len(thirty.captured_queries) == len(one.captured_queries)


# -- the review page ----------------------------------------------------------------------------------

def test_review_page_shows_every_section_and_the_history__FIL_01(submitted, hefei):
    with on("2026-02-13"):
        r = hefei.get(review_url(submitted))
    page = r.content.decode()
    for text in ("合肥新华职业技能评价中心", "4-12-01-01", "汽车机械维修工", "三级/高级工", "合肥市蜀山区实训楼1号",
                 "李所长", "张考评", "2026-03-04", "Submitted", "Attachments", "Expert opinions", "Objections"):
        assert text in page, text
    assert [row.label for row in r.context["timeline"]] == ["Submitted"]


def test_buttons_shown_match_available_transitions__FIL_01(submitted, people, hefei):
    with on("2026-02-13"):
        r = hefei.get(review_url(submitted))
        expected = set(available_transitions(submitted, people["city_hefei"])) - NOT_BUTTONS
    assert expected == {"request_supplement", "accept", "reject"}
    assert buttons(r) == expected

    with on("2026-02-13"):
        svc.application_accept(application=submitted, acting_user=people["city_hefei"])
        app = FilingApplication.objects.get(pk=submitted.pk)
        r = hefei.get(review_url(app))
        assert buttons(r) == set(available_transitions(app, people["city_hefei"])) - NOT_BUTTONS == {"reject"}
    # FIL-01: "pass the initial review" is shown but disabled until a passing opinion is recorded
    assert 'data-transition-disabled="pass_initial_review"' in r.content.decode()
    assert "record_opinion-expert_names" in r.content.decode()

    # an expert sees the application in initial review and may only record opinions
    with on("2026-02-13"):
        r = browser(people["expert1"]).get(review_url(app))
    assert r.status_code == 200 and buttons(r) == set()
    assert "record_opinion-opinion" in r.content.decode()


def test_walk_the_review_through_the_pages__FIL_03_FIL_01_FIL_05_FIL_07(submitted, people, hefei):
    with on("2026-02-13"):
        r = hefei.post(action_url(submitted, "request_supplement"),
                       {"request_supplement-items": "场地租赁合同\r\n\r\n考评员证书\r\n"})
        assert r.status_code == 302
        app = FilingApplication.objects.get(pk=submitted.pk)
        assert app.state == "supplement_requested"
        assert app.supplement_items == ["场地租赁合同", "考评员证书"] and app.supplement_due == D("2026-02-27")
        page = hefei.get(review_url(app)).content.decode()
        assert "场地租赁合同" in page and "考评员证书" in page and "2026-02-27" in page

        svc.application_resubmit(application=app, acting_user=people["inst_user"])
        # FIL-03: one notice only
        r = hefei.post(action_url(app, "request_supplement"), {"request_supplement-items": "又缺一项"})
        assert r.status_code == 409 and "FIL-03" in r.content.decode()

        assert hefei.post(action_url(app, "accept")).status_code == 302
        assert state_of(app) == "initial_review"

        r = hefei.post(action_url(app, "pass_initial_review"))
        assert r.status_code == 409 and "FIL-01" in r.content.decode()
        assert state_of(app) == "initial_review"

        expert = browser(people["expert1"])
        r = expert.post(action_url(app, "record_opinion"), {
            "record_opinion-expert_names": "张专家、李专家", "record_opinion-opinion": "材料齐全，条件符合",
            "record_opinion-passed": "yes"})
        assert r.status_code == 302
        assert app.opinions.get().passed

        assert hefei.post(action_url(app, "pass_initial_review")).status_code == 302
        assert state_of(app) == "technical_evaluation"

        r = hefei.post(action_url(app, "record_evaluation"), {
            "record_evaluation-expert_names": "评估组", "record_evaluation-opinion": "现场设施满足要求"})
        assert r.status_code == 302
        app = FilingApplication.objects.get(pk=app.pk)
        assert app.state == "comprehensive_review" and app.completion_due is not None

        assert hefei.post(action_url(app, "start_public_notice")).status_code == 302
        app = FilingApplication.objects.get(pk=app.pk)
        assert app.state == "public_notice"
        assert (app.notice_starts_on, app.notice_ends_on) == (D("2026-02-14"), D("2026-02-27"))
        r = hefei.get(review_url(app))
    labels = [row.label for row in r.context["timeline"]]
    assert labels[:3] == ["Submitted", "Supplement requested", "Submitted again with the supplement"]
    assert labels[-1] == "Public notice started"


def test_an_opinion_needs_its_text_and_experts__FIL_01(submitted, people, hefei):
    with on("2026-02-13"):
        svc.application_accept(application=submitted, acting_user=people["city_hefei"])
        r = hefei.post(action_url(submitted, "record_opinion"), {"record_opinion-passed": "yes"})
    assert r.status_code == 409 and "FIL-01" in r.content.decode()
    assert not submitted.opinions.exists()


def test_reject_without_reasons_shows_FIL_06_and_keeps_the_state(submitted, hefei):
    with on("2026-02-13"):
        r = hefei.post(action_url(submitted, "reject"), {"reject-reason": "  "})
    assert r.status_code == 409
    assert "FIL-06" in r.content.decode()
    assert state_of(submitted) == "submitted"
    with on("2026-02-13"):
        r = hefei.post(action_url(submitted, "reject"), {"reject-reason": "场地为临时租用"})
    assert r.status_code == 302
    app = FilingApplication.objects.get(pk=submitted.pk)
    assert (app.state, app.reject_reason) == ("rejected", "场地为临时租用")


def test_completing_during_the_notice_shows_FIL_07_and_changes_nothing(in_notice, hefei):
    assert in_notice.notice_ends_on == D("2026-03-09")
    with on("2026-03-05"):
        r = hefei.get(review_url(in_notice))
        assert "complete_notice" not in buttons(r)
        r = hefei.post(action_url(in_notice, "complete_notice"))
    assert r.status_code == 409 and "FIL-07" in r.content.decode()
    assert state_of(in_notice) == "public_notice"
    assert not Filing.objects.exists()


def test_an_expert_may_not_take_a_staff_transition__JUR_03(submitted, people):
    with on("2026-02-13"):
        svc.application_accept(application=submitted, acting_user=people["city_hefei"])
        expert = browser(people["expert1"])
        r = expert.post(action_url(submitted, "reject"), {"reject-reason": "不符合"})
    assert r.status_code == 403
    assert state_of(submitted) == "initial_review"
    assert expert.get(review_url(FilingApplication.objects.get(pk=submitted.pk))).status_code == 200


def test_dismiss_an_objection_then_complete_the_filing__FIL_07_FIL_08(in_notice, people, hefei):
    with on("2026-03-04"):
        objection = svc.objection_raise(application=in_notice, contact="13900000000", content="该机构场地为临时租用")
        page = hefei.get(review_url(in_notice)).content.decode()
        assert "该机构场地为临时租用" in page and f"dismiss-{objection.pk}-reason" in page
        url = reverse("institutions:staff_objection_action", args=[in_notice.pk, objection.pk, "dismiss"])
        r = hefei.post(url, {f"dismiss-{objection.pk}-reason": ""})
        assert r.status_code == 409 and "FIL-07" in r.content.decode()
        assert hefei.post(url, {f"dismiss-{objection.pk}-reason": "经核查场地为自有"}).status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.resolution) == ("dismissed", "经核查场地为自有")
    with on("2026-03-10"):
        r = hefei.get(review_url(in_notice))
        assert "complete_notice" in buttons(r)
        assert hefei.post(action_url(in_notice, "complete_notice")).status_code == 302
    assert state_of(in_notice) == "approved"
    assert Filing.objects.get(institution=people["inst"]).number == "S000034010001"


def test_uphold_an_objection_rejects_the_application__FIL_07_FIL_06(in_notice, hefei):
    with on("2026-03-04"):
        objection = svc.objection_raise(application=in_notice, contact="a@b.cn", content="材料造假")
        url = reverse("institutions:staff_objection_action", args=[in_notice.pk, objection.pk, "uphold"])
        assert hefei.post(url, {f"uphold-{objection.pk}-reason": "经核实材料造假"}).status_code == 302
    objection.refresh_from_db()
    app = FilingApplication.objects.get(pk=in_notice.pk)
    assert objection.status == "upheld" and app.state == "rejected" and app.reject_reason == "经核实材料造假"


def test_info_change_shows_old_and_new_and_is_approved__CHG_02(filing, people, hefei):
    change = FilingApplication.objects.create(institution=people["inst"], kind="info_change", filing=filing,
                                              proposed_changes={"head": "赵新所长"},
                                              pledge_truthfulness=True, pledge_operation=True)
    with on("2026-04-01"):
        svc.application_submit(application=change, acting_user=people["inst_user"])
        r = hefei.get(review_url(change))
        rows = r.context["proposed_changes"]
        assert [(row["old"], row["new"]) for row in rows] == [("李所长", "赵新所长")]
        assert buttons(r) == {"approve_change", "reject"}
        assert hefei.post(action_url(change, "approve_change")).status_code == 302
    people["inst"].refresh_from_db()
    assert people["inst"].head == "赵新所长" and state_of(change) == "approved"


# -- filing records -------------------------------------------------------------------------------------

def test_filing_list_and_page_show_the_record__FIL_08_FIL_09(filing, people, hefei):
    with on("2026-03-10"):
        r = hefei.get(reverse("institutions:staff_filings"))
        page = r.content.decode()
        assert filing.number in page and "2029-03-09" in page and "汽车维修工" in page
        assert r.context["filings"][0].days_left == (D("2029-03-09") - D("2026-03-10")).days
        r = hefei.get(reverse("institutions:staff_filing", args=[filing.pk]))
    assert buttons(r) == {"suspend", "revoke", "terminate"}
    assert "is filed" in r.content.decode()  # the announcement published at filing
    assert browser(people["city_wuhu"]).get(reverse("institutions:staff_filing", args=[filing.pk])).status_code == 404


def test_suspend_and_reinstate_from_the_page__SUP_04(filing, hefei):
    with on("2026-05-06"):
        r = hefei.post(filing_action_url(filing, "suspend"), {"suspend-reason": ""})
        assert r.status_code == 409 and "SUP-04" in r.content.decode()
        assert hefei.post(filing_action_url(filing, "suspend"), {"suspend-reason": "资格审核不严，限期整改"}).status_code == 302
        filing.refresh_from_db()
        assert filing.state == "suspended" and filing.suspended_on == D("2026-05-06")
        r = hefei.get(reverse("institutions:staff_filing", args=[filing.pk]))
        assert "资格审核不严，限期整改" in r.content.decode() and buttons(r) == {"reinstate", "revoke", "terminate"}
        assert hefei.post(filing_action_url(filing, "reinstate"), {"reinstate-reason": "整改到位"}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).state == "active"


def test_revoke_from_the_page_retires_the_number__SUP_05_NUM_03(filing, hefei):
    with on("2026-05-06"):
        r = hefei.post(filing_action_url(filing, "revoke"), {"revoke-reason": ""})
        assert r.status_code == 409 and "SUP-05" in r.content.decode()
        assert Filing.objects.get(pk=filing.pk).state == "active"
        r = hefei.post(filing_action_url(filing, "revoke"), {"revoke-reason": "以虚假材料取得备案"})
    assert r.status_code == 302
    filing.refresh_from_db()
    assert filing.state == "revoked"
    assert FilingNumber.objects.get(number=filing.number).status == "retired"
    assert Announcement.objects.filter(kind="revocation", filing=filing).exists()


def test_forced_termination_from_the_page__TERM_02(filing, people):
    province = browser(people["province_ah"])
    r = province.post(filing_action_url(filing, "terminate"),
                      {"terminate-kind": "forced", "terminate-reason": "严重违规"})
    assert r.status_code == 302
    filing.refresh_from_db()
    assert (filing.state, filing.termination_kind) == ("terminated", "forced")
    assert FilingNumber.objects.get(number=filing.number).retired_reason == "terminated"


def test_override_a_scope_change_blocked_by_the_first_year__CHG_04(filing, people, occupations, hefei):
    change = make_draft(people["inst"], occupations, kind="scope_change", filing=filing, code="6-18-01-01",
                        address="合肥市蜀山区焊接实训中心")
    url = reverse("institutions:staff_filing", args=[filing.pk])
    with on("2026-09-01"):
        page = hefei.get(url).content.decode()
        assert "CHG-04" in page and f"override-{change.pk}-reason" in page
        override = reverse("institutions:staff_change_override", args=[filing.pk, change.pk])
        r = hefei.post(override, {f"override-{change.pk}-reason": ""})
        assert r.status_code == 409 and "CHG-04" in r.content.decode()
        assert hefei.post(override, {f"override-{change.pk}-reason": "承担省级补贴性培训任务"}).status_code == 302
        svc.application_submit(application=FilingApplication.objects.get(pk=change.pk),
                               acting_user=people["inst_user"])
    assert state_of(change) == "submitted"
    assert browser(people["city_wuhu"]).post(override, {f"override-{change.pk}-reason": "x"}).status_code == 404
