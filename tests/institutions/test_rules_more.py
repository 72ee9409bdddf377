"""Rules the first pass left open: ELIG-01 (registered in the province), ELIG-04 (employers' main business),
CHG-03 (change materials due within 5 WD of the change), CHG-07 (unapproved venue change), TERM-01/03 (voluntary
termination notified by the institution), TERM-04 (grounds of cancellation), TERM-05 (stop orders), FIL-11
(Sichuan's name suffix), NUM-01 (ministry-filed institutions' own code)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from stdnum.cn import uscc as stdnum_uscc

from certificates.models import FilingNumber
from filing_portal.audit.models import AuditEvent
from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.models import (
    Announcement,
    Attachment,
    Filing,
    FilingApplication,
    StopOrder,
    TerminationNotice,
)
from institutions.services import applications as svc
from institutions.services import filings as filing_services
from institutions.services.eligibility import EligibilityError, name_has_required_suffix
from tests.factories import InstitutionFactory, UserFactory, make_uscc
from tests.institutions.conftest import make_draft, on
from tests.institutions.test_workflow import walk_to_notice

D = dt.date.fromisoformat


def rules_of(err) -> set[str]:
    return {p.rule for p in err.value.problems}


def uscc_with_division(division: str, serial: str = "MA2T8Q6X") -> str:
    body = f"52{division}{serial}0"[:17]
    return body + stdnum_uscc.calc_check_digit(body)


@pytest.fixture
def filing(draft, people):
    walk_to_notice(draft, people)
    run_deadlines(D("2026-03-10"))
    return Filing.objects.get(institution=people["inst"])


def incentive(app, user):
    Attachment.objects.create(application=app, kind="incentive", original_name="激励办法.pdf",
                              content_type="application/pdf", size=10, sha256="0" * 64, uploaded_by=user,
                              file="x.pdf")


# -- ELIG-01 -------------------------------------------------------------------------------------------------

def test_applicant_registered_outside_the_province_is_refused__ELIG_01(people, occupations):
    inst = people["inst"]
    inst.uscc = uscc_with_division("510100")  # issued in Chengdu, Sichuan; the institution files in Hefei
    inst.save()
    app = make_draft(inst, occupations)
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-01"}
    assert "510100" in err.value.message
    assert FilingApplication.objects.get(pk=app.pk).state == "draft"


def test_applicant_registered_in_the_province_passes__ELIG_01(people, occupations):
    inst = people["inst"]
    inst.uscc = uscc_with_division("340104")  # a Hefei district registration authority
    inst.save()
    app = make_draft(inst, occupations)
    with on("2026-02-12"):
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert FilingApplication.objects.get(pk=app.pk).state == "submitted"


def test_institution_moved_out_of_the_filing_province_cannot_change_it__ELIG_01(filing, people, regions):
    inst = people["inst"]
    inst.region = regions["510100"]
    inst.save()
    with on("2026-04-01"):
        app = svc.application_create(institution=inst, acting_user=people["inst_user"], kind="info_change",
                                     filing=filing)
        FilingApplication.objects.filter(pk=app.pk).update(proposed_changes={"head": "周新"}, pledge_truthfulness=True,
                                                           pledge_operation=True)
        with pytest.raises(EligibilityError) as err:
            svc.application_submit(application=FilingApplication.objects.get(pk=app.pk),
                                   acting_user=people["inst_user"])
    assert "ELIG-01" in rules_of(err)


# -- ELIG-04 -------------------------------------------------------------------------------------------------

def test_employer_occupation_without_its_relation_to_the_main_business_is_refused__ELIG_04(people, occupations):
    app = make_draft(people["employer"], occupations, address="芜湖市鸠江区厂区3号")
    incentive(app, people["employer_user"])
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["employer_user"])
    assert rules_of(err) == {"ELIG-04"}
    assert len(err.value.problems) == 2  # the main business and the occupation's relation
    FilingApplication.objects.filter(pk=app.pk).update(main_business="汽车零部件制造与维修")
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=FilingApplication.objects.get(pk=app.pk),
                               acting_user=people["employer_user"])
    assert rules_of(err) == {"ELIG-04"} and "汽车维修工" in err.value.message
    app.occupations.update(business_relation="本企业售后维修车间的核心工种")
    with on("2026-02-12"):
        svc.application_submit(application=FilingApplication.objects.get(pk=app.pk),
                               acting_user=people["employer_user"])
    assert FilingApplication.objects.get(pk=app.pk).state == "submitted"


def test_social_organisations_need_no_main_business__ELIG_04(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    assert FilingApplication.objects.get(pk=draft.pk).state == "submitted"


def test_staff_see_the_main_business_and_relation_at_review__ELIG_04(client, people, occupations):
    app = make_draft(people["employer"], occupations, address="芜湖市鸠江区厂区3号",
                     main_business="汽车零部件制造与维修")
    incentive(app, people["employer_user"])
    app.occupations.update(business_relation="本企业售后维修车间的核心工种")
    with on("2026-02-12"):
        svc.application_submit(application=app, acting_user=people["employer_user"])
    client.force_login(people["city_wuhu"])
    body = client.get(f"/staff/applications/{app.pk}/").content.decode()
    assert "汽车零部件制造与维修" in body and "本企业售后维修车间的核心工种" in body and "ELIG-04" in body


# -- CHG-03 --------------------------------------------------------------------------------------------------

def info_change(filing, people, *, change_date):
    app = svc.application_create(institution=people["inst"], acting_user=people["inst_user"], kind="info_change",
                                 filing=filing)
    FilingApplication.objects.filter(pk=app.pk).update(
        proposed_changes={"head": "周新"}, change_date=change_date, pledge_truthfulness=True,
        pledge_operation=True)
    return FilingApplication.objects.get(pk=app.pk)


def test_change_materials_within_5_wd_are_on_time__CHG_03(filing, people):
    """2026-03-31 + 5 WD is 2026-04-08 (Qingming, Apr 4–6, is a holiday): submitted that day, on time."""
    with on("2026-04-01"):
        app = info_change(filing, people, change_date=D("2026-03-31"))
    with on("2026-04-08"):
        svc.application_submit(application=app, acting_user=people["inst_user"])
    app.refresh_from_db()
    assert app.change_materials_due == D("2026-04-08") and not app.change_materials_late


def test_change_materials_after_5_wd_are_flagged_late_not_refused__CHG_03(filing, people):
    """2026-03-31 + 5 WD is 2026-04-08; submitted 2026-04-09: late."""
    with on("2026-04-01"):
        app = info_change(filing, people, change_date=D("2026-03-31"))
    with on("2026-04-09"):
        svc.application_submit(application=app, acting_user=people["inst_user"])
    app.refresh_from_db()
    assert app.state == "submitted" and app.change_materials_late
    event = AuditEvent.objects.filter(action="filingapplication.submit", object_id=str(app.pk)).get()
    assert "CHG-03" in event.comment


def test_late_change_is_marked_on_the_queue_and_the_review__CHG_03(client, filing, people):
    with on("2026-04-01"):
        app = info_change(filing, people, change_date=D("2026-03-31"))
    with on("2026-04-09"):
        svc.application_submit(application=app, acting_user=people["inst_user"])
    client.force_login(people["city_hefei"])
    queue = client.get("/staff/applications/").content.decode()
    assert "CHG-03" in queue
    review = client.get(f"/staff/applications/{app.pk}/").content.decode()
    assert "CHG-03" in review and "2026-03-31" in review and "2026-04-08" in review


# -- CHG-07 --------------------------------------------------------------------------------------------------

def test_unapproved_venue_change_ends_the_filing_published_for_5_wd__CHG_07(filing, people):
    with on("2026-09-29"):
        filing_services.filing_terminate_for_venue_change(
            filing=filing, facts="实操考场擅自迁至芜湖市某临时厂房", acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.state == "terminated" and filing.termination_kind == "venue_change"
    assert "CHG-07" in filing.termination_reason
    assert FilingNumber.objects.get(number=filing.number).retired_on is not None  # NUM-03
    announcement = Announcement.objects.get(filing=filing, kind="termination")
    # 5 WD from 2026-09-29 (Tue): Sep 30, then the National Day holiday Oct 1–7; Oct 8, 9, the working Saturday
    # Oct 10, and Oct 12.
    assert announcement.published_on == D("2026-09-29") and announcement.published_until == D("2026-10-12")
    assert "临时厂房" in announcement.body


def test_venue_change_termination_needs_the_facts__CHG_07(filing, people):
    with pytest.raises(DomainError) as err:
        filing_services.filing_terminate_for_venue_change(filing=filing, facts=" ", acting_user=people["city_hefei"])
    assert err.value.rule == "CHG-07"
    assert Filing.objects.get(pk=filing.pk).state == "active"


# -- TERM-04 -------------------------------------------------------------------------------------------------

def test_revocation_states_its_ground__TERM_04(filing, people):
    with on("2026-06-01"):
        filing_services.filing_revoke(filing=filing, reason="经核查，申报材料中场地租赁合同系伪造",
                                      ground="false_materials", acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.state == "revoked" and filing.cancellation_ground == "false_materials"
    body = Announcement.objects.get(filing=filing, kind="revocation").body
    assert "TERM-04" in body and str(Filing.CancellationGround.FALSE_MATERIALS.label) in body


def test_forced_termination_states_its_ground__TERM_04(filing, people):
    filing_services.filing_terminate(filing=filing, reason="整改期满仍未整改", kind="forced",
                                     ground="violations_not_rectified", acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.cancellation_ground == "violations_not_rectified"
    assert "TERM-04" in Announcement.objects.get(filing=filing, kind="termination").body


def test_a_ground_outside_the_list_is_refused__TERM_04(filing, people):
    with pytest.raises(DomainError) as err:
        filing_services.filing_revoke(filing=filing, reason="x", ground="bad_weather", acting_user=people["city_hefei"])
    assert err.value.rule == "TERM-04"
    assert Filing.objects.get(pk=filing.pk).state == "active"


def test_revoke_from_the_page_with_a_ground__TERM_04(client, filing, people):
    client.force_login(people["city_hefei"])
    response = client.post(f"/staff/filings/{filing.pk}/actions/revoke/",
                           {"revoke-reason": "设备损坏逾期未修复", "revoke-ground": "equipment_failed"})
    assert response.status_code == 302
    assert Filing.objects.get(pk=filing.pk).cancellation_ground == "equipment_failed"


def test_revoke_through_the_api_with_a_ground__TERM_04(api_client, filing, people):
    api_client.force_authenticate(people["city_hefei"])
    response = api_client.post(f"/api/v1/filings/{filing.pk}/transitions/revoke/",
                               {"reason": "设备损坏逾期未修复", "ground": "equipment_failed"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert Filing.objects.get(pk=filing.pk).cancellation_ground == "equipment_failed"
    response = api_client.post(f"/api/v1/filings/{filing.pk}/transitions/revoke/",
                               {"reason": "x", "ground": "bad_weather"}, format="json")
    assert response.status_code in (400, 409)


# -- TERM-05 -------------------------------------------------------------------------------------------------

def test_stop_order_for_an_unfiled_body_is_published__TERM_05(people, regions):
    with on("2026-05-12"):
        order = filing_services.stop_order_record(
            name="合肥速通技能鉴定服务部", uscc=make_uscc("340100"), region=regions["340100"],
            facts="未经备案，在蜀山区某写字楼组织电工等级认定考试并收取费用", acting_user=people["city_hefei"])
    order = StopOrder.objects.get(pk=order.pk)
    assert order.ordered_on == D("2026-05-12") and order.ordered_by == people["city_hefei"]
    announcement = order.announcement
    assert announcement.kind == "stop_order" and announcement.institution is None
    assert "合肥速通技能鉴定服务部" in announcement.title and "蜀山区某写字楼" in announcement.body
    assert AuditEvent.objects.filter(action="stoporder.record").count() == 1


def test_stop_order_shows_on_the_public_announcements__TERM_05(client, people, regions):
    filing_services.stop_order_record(name="芜湖某培训部", region=regions["340200"], facts="擅自开展认定",
                                      acting_user=people["province_ah"])
    body = client.get("/announcements/").content.decode()
    assert "芜湖某培训部" in body


def test_stop_order_needs_staff_in_jurisdiction_and_the_facts__TERM_05(people, regions):
    with pytest.raises(PermissionDeniedError):
        filing_services.stop_order_record(name="某机构", region=regions["340100"], facts="擅自认定",
                                          acting_user=people["inst_user"])
    with pytest.raises(PermissionDeniedError) as err:
        filing_services.stop_order_record(name="某机构", region=regions["340100"], facts="擅自认定",
                                          acting_user=people["city_wuhu"])
    assert err.value.rule == "JUR-03"
    with pytest.raises(DomainError) as err:
        filing_services.stop_order_record(name="某机构", region=regions["340100"], facts=" ",
                                          acting_user=people["city_hefei"])
    assert err.value.rule == "TERM-05"
    assert not StopOrder.objects.exists() and not Announcement.objects.filter(kind="stop_order").exists()


# -- FIL-11 --------------------------------------------------------------------------------------------------

@pytest.fixture
def chengdu_inst(regions):
    return InstitutionFactory(name="成都锦江汽车维修有限公司", kind="S", region=regions["510100"],
                              uscc=make_uscc("510100"))


def test_sichuan_name_without_the_suffix_is_refused__FIL_11(chengdu_inst, occupations):
    user = UserFactory(username="inst_cd", role="institution", institution=chengdu_inst)
    app = make_draft(chengdu_inst, occupations, address="成都市锦江区实训基地")
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=user)
    assert rules_of(err) == {"FIL-11"}
    assert "职业技能考核鉴定所（站）" in err.value.message
    chengdu_inst.name = "成都锦江汽车维修有限公司职业技能考核鉴定站"
    chengdu_inst.save()
    with on("2026-04-07"):
        svc.application_submit(application=FilingApplication.objects.get(pk=app.pk), acting_user=user)
    assert FilingApplication.objects.get(pk=app.pk).state == "submitted"


@pytest.mark.parametrize(("name", "ok"), [
    ("成都天府职业技能考核鉴定所", True),
    ("成都蓉城汽车职业技能考核鉴定站", True),
    ("成都某公司职业技能考核鉴定所（站）", True),
    ("职业技能考核鉴定所", False),  # the full legal name comes first
    ("成都某公司职业技能评价中心", False),
    ("成都某公司职业技能考核鉴定处", False),
])
def test_name_suffix_forms__FIL_11(name, ok):
    assert name_has_required_suffix(name, "职业技能考核鉴定所（站）") is ok


def test_anhui_has_no_suffix_rule__FIL_11(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])  # 合肥新华职业技能评价中心
    assert FilingApplication.objects.get(pk=draft.pk).state == "submitted"


# -- TERM-01 / TERM-03 ---------------------------------------------------------------------------------------

def test_voluntary_termination_notified_then_confirmed__TERM_01_TERM_03(filing, people):
    with on("2026-07-01"):
        notice = filing_services.filing_termination_notify(filing=filing, reason="经营调整，不再开展评价业务",
                                                           terminate_on=D("2026-07-31"),
                                                           acting_user=people["inst_user"])
    assert Filing.objects.get(pk=filing.pk).state == "active"  # nothing ends before the office confirms
    with on("2026-07-02"):
        filing_services.filing_termination_confirm(notice=notice, acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.state == "terminated" and filing.termination_kind == "voluntary"
    assert filing.terminated_on == D("2026-07-02") and "2026-07-31" in filing.termination_reason
    assert TerminationNotice.objects.get(pk=notice.pk).status == "confirmed"
    body = Announcement.objects.get(filing=filing, kind="termination").body
    assert "经营调整" in body
    assert all(str(duty) in body for duty in filing_services.TERMINATION_DUTIES)  # TERM-03, published
    assert FilingNumber.objects.get(number=filing.number).retired_on is not None


def test_only_the_institution_notifies_and_only_its_office_confirms__TERM_01(filing, people):
    with pytest.raises(PermissionDeniedError):
        filing_services.filing_termination_notify(filing=filing, reason="x", terminate_on=D("2026-07-31"),
                                                  acting_user=people["other_user"])
    notice = filing_services.filing_termination_notify(filing=filing, reason="x", terminate_on=D("2026-07-31"),
                                                       acting_user=people["inst_user"])
    with pytest.raises(PermissionDeniedError):
        filing_services.filing_termination_confirm(notice=notice, acting_user=people["city_wuhu"])
    with pytest.raises(DomainError) as err:  # one open notice at a time
        filing_services.filing_termination_notify(filing=filing, reason="y", terminate_on=D("2026-08-31"),
                                                  acting_user=people["inst_user"])
    assert err.value.rule == "TERM-01"
    assert Filing.objects.get(pk=filing.pk).state == "active"


def test_institution_page_notifies_and_lists_the_duties__TERM_01_TERM_03(client, filing, people):
    client.force_login(people["inst_user"])
    url = f"/my/filings/{filing.pk}/terminate/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    with translation.override(settings.LANGUAGE_CODE):  # the page's language; the duties are lazy (TERM-03)
        duties = [str(duty) for duty in filing_services.TERMINATION_DUTIES]
    assert all(duty in body for duty in duties)
    response = client.post(url, {"reason": "经营调整", "terminate_on": "2026-07-31"})
    assert response.status_code == 302
    notice = TerminationNotice.objects.get(filing=filing)
    assert notice.reason == "经营调整" and notice.terminate_on == D("2026-07-31")
    client.force_login(people["other_user"])
    assert client.get(url).status_code == 404


def test_staff_confirm_the_notice_on_the_filing_page__TERM_01(client, filing, people):
    notice = filing_services.filing_termination_notify(filing=filing, reason="经营调整", terminate_on=D("2026-07-31"),
                                                       acting_user=people["inst_user"])
    client.force_login(people["city_hefei"])
    page = client.get(f"/staff/filings/{filing.pk}/").content.decode()
    assert "经营调整" in page and "2026-07-31" in page
    response = client.post(f"/staff/filings/{filing.pk}/termination-notices/{notice.pk}/confirm/")
    assert response.status_code == 302
    assert Filing.objects.get(pk=filing.pk).state == "terminated"


def test_termination_duties_are_lazy_and_follow_the_language__TERM_03():
    from django.utils.functional import Promise

    assert all(isinstance(duty, Promise) for duty in filing_services.TERMINATION_DUTIES)


# -- NUM-01: ministry-filed institutions ---------------------------------------------------------------------

def test_ministry_institution_needs_its_own_four_digit_code__NUM_01(people):
    inst = people["inst"]
    inst.affiliation = "ministry"
    with pytest.raises(ValidationError) as err:
        inst.full_clean()
    assert "ministry_code" in err.value.message_dict
    inst.ministry_code = "12a4"
    with pytest.raises(ValidationError):
        inst.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(inst).objects.filter(pk=inst.pk).update(affiliation="ministry", ministry_code="")
    inst.ministry_code = "0123"
    inst.full_clean()
    inst.save()


def test_ministry_institution_number_carries_its_code__NUM_01(draft, people):
    inst = people["inst"]
    inst.affiliation, inst.ministry_code = "ministry", "0123"
    inst.save()
    walk_to_notice_province(draft, people)
    run_deadlines(D("2026-03-10"))
    filing = Filing.objects.get(institution=inst)
    assert filing.number == "S012334000001"
    assert filing.filing_number.institution_code == "0123"


def walk_to_notice_province(app, people):
    """A ministry-affiliated unit is filed with the province (JUR-01)."""
    staff, expert = people["province_ah"], people["expert1"]
    with on("2026-02-12"):
        svc.application_submit(application=app, acting_user=people["inst_user"])
    with on("2026-02-13"):
        svc.application_accept(application=app, acting_user=staff)
        svc.application_record_opinion(application=app, stage="initial_review", passed=True, opinion="同意",
                                       expert_names="张专家", acting_user=expert)
        svc.application_pass_initial_review(application=app, acting_user=staff)
        svc.application_record_evaluation(application=app, opinion="满足", expert_names="评估组", acting_user=staff)
    with on("2026-03-02"):
        svc.application_start_public_notice(application=app, acting_user=staff)


def test_stop_order_from_the_staff_page__TERM_05(client, people, regions):
    client.force_login(people["city_hefei"])
    page = client.get("/staff/stop-orders/")
    assert page.status_code == 200
    response = client.post("/staff/stop-orders/", {"stop-name": "合肥某技能服务部", "stop-uscc": "",
                                                    "stop-region": regions["340100"].pk, "stop-facts": "擅自组织认定考试"})
    assert response.status_code == 302
    order = StopOrder.objects.get()
    assert order.name == "合肥某技能服务部" and order.announcement.kind == "stop_order"
    # Wuhu is not in Hefei staff's choices (JUR-03); the facts are required (TERM-05).
    response = client.post("/staff/stop-orders/", {"stop-name": "x", "stop-region": regions["340200"].pk,
                                                    "stop-facts": "y"})
    assert response.status_code == 400
    response = client.post("/staff/stop-orders/", {"stop-name": "x", "stop-region": regions["340100"].pk,
                                                    "stop-facts": ""})
    assert response.status_code == 409 and "TERM-05" in response.content.decode()
    assert StopOrder.objects.count() == 1
    client.force_login(people["inst_user"])
    assert client.get("/staff/stop-orders/").status_code == 403


def test_venue_change_termination_from_the_page_is_published_for_5_wd__CHG_07(client, filing, people):
    client.force_login(people["city_hefei"])
    with on("2026-09-29"):
        response = client.post(f"/staff/filings/{filing.pk}/actions/terminate/",
                               {"terminate-kind": "venue_change", "terminate-reason": "考场擅自迁址"})
    assert response.status_code == 302
    announcement = Announcement.objects.get(filing=filing, kind="termination")
    assert announcement.published_until == D("2026-10-12")
