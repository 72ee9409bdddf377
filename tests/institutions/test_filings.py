"""The filing record's lifecycle and changes during validity (TERM, CHG, NUM-03, PUB-02)."""

import datetime as dt

import pytest

from certificates.models import FilingNumber
from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.models import Announcement, Filing, FilingApplication
from institutions.services import applications as svc
from institutions.services import filings as fsvc
from institutions.services.eligibility import EligibilityError
from tests.institutions.conftest import make_draft, on
from tests.institutions.test_workflow import walk_to_notice

D = dt.date.fromisoformat


@pytest.fixture
def filing(draft, people):
    walk_to_notice(draft, people)
    run_deadlines(D("2026-03-10"))
    return Filing.objects.get(institution=people["inst"])


def test_revocation_retires_the_number_and_is_published__NUM_03_PUB_02(filing, people):
    with on("2026-05-06"):
        fsvc.filing_revoke(filing=filing, reason="以虚假材料取得备案", acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.state == "revoked" and filing.revoked_on == D("2026-05-06")
    number = FilingNumber.objects.get(number=filing.number)
    assert (number.status, number.retired_reason) == ("retired", "revoked")
    assert Announcement.objects.filter(kind="revocation", filing=filing).exists()


def test_voluntary_termination_lists_the_follow_up_duties__TERM_01_TERM_03(filing, people):
    fsvc.filing_terminate(filing=filing, reason="机构主动申请终止", acting_user=people["province_ah"])
    filing.refresh_from_db()
    assert filing.state == "terminated" and filing.termination_kind == "voluntary"
    body = Announcement.objects.get(kind="termination").body
    assert "TERM-03" in body and "REC-02" in body
    assert FilingNumber.objects.get(number=filing.number).retired_reason == "terminated"


def test_suspend_and_reinstate__SUP_04(filing, people):
    with pytest.raises(PermissionDeniedError):
        fsvc.filing_suspend(filing=filing, reason="整改", acting_user=people["city_wuhu"])
    fsvc.filing_suspend(filing=filing, reason="资格审核不严，限期整改", acting_user=people["city_hefei"])
    assert Filing.objects.get(pk=filing.pk).state == "suspended"
    assert not fsvc.filing_may_report(Filing.objects.get(pk=filing.pk))
    fsvc.filing_reinstate(filing=Filing.objects.get(pk=filing.pk), acting_user=people["city_hefei"])
    assert Filing.objects.get(pk=filing.pk).state == "active"


def test_expiry_sweep_stops_reporting__REN_02(filing):
    run_deadlines(D("2029-03-09"))
    assert Filing.objects.get(pk=filing.pk).state == "active"
    run_deadlines(D("2029-03-10"))
    expired = Filing.objects.get(pk=filing.pk)
    assert expired.state == "expired" and not fsvc.filing_may_report(expired)


def test_renewal_keeps_the_number_and_adds_three_years__REN_08_REN_09(filing, people):
    fsvc.filing_renew(filing=filing, acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.number == "S000034010001" and filing.expires_on == D("2032-03-09")


def test_scope_change_waits_a_year_unless_overridden__CHG_04_CHG_01(filing, people, occupations):
    change = make_draft(people["inst"], occupations, kind="scope_change", filing=filing, code="6-18-01-01",
                        address="合肥市蜀山区焊接实训中心")
    with on("2026-09-01"), pytest.raises(EligibilityError) as err:
        svc.application_submit(application=change, acting_user=people["inst_user"])
    assert {p.rule for p in err.value.problems} == {"CHG-04"}
    svc.application_override_change_rules(application=change, reason="承担省级补贴性培训任务，急需开展焊工认定",
                                          acting_user=people["city_hefei"])
    with on("2026-09-01"):
        svc.application_submit(application=FilingApplication.objects.get(pk=change.pk), acting_user=people["inst_user"])
    assert FilingApplication.objects.get(pk=change.pk).state == "submitted"


def test_scope_changes_freeze_90_days_before_expiry__CHG_05(filing, people, occupations):
    change = make_draft(people["inst"], occupations, kind="scope_change", filing=filing, code="6-18-01-01",
                        address="合肥市蜀山区焊接实训中心")
    with on("2028-12-20"), pytest.raises(EligibilityError) as err:
        svc.application_submit(application=change, acting_user=people["inst_user"])
    assert {p.rule for p in err.value.problems} == {"CHG-05"}


def test_added_occupations_expire_with_the_filing__CHG_06(filing, people, occupations):
    change = make_draft(people["inst"], occupations, kind="scope_change", filing=filing, code="6-18-01-01",
                        address="合肥市蜀山区焊接实训中心")
    with on("2027-04-01"):
        svc.application_submit(application=change, acting_user=people["inst_user"])
    change = walk_after_submit(change, people, day="2027-04-01")
    run_deadlines(D("2027-04-20"))
    filing.refresh_from_db()
    assert FilingApplication.objects.get(pk=change.pk).state == "approved"
    assert filing.expires_on == D("2029-03-09")  # not extended
    assert filing.scope.filter(occupation__code="6-18-01-01", added_on__gte=D("2027-04-01")).count() == 3


def walk_after_submit(app, people, *, day):
    with on(day):
        app = FilingApplication.objects.get(pk=app.pk)
        svc.application_accept(application=app, acting_user=people["city_hefei"])
        svc.application_record_opinion(application=app, stage="initial_review", passed=True, opinion="同意",
                                       expert_names="专家组", acting_user=people["expert1"])
        svc.application_pass_initial_review(application=app, acting_user=people["city_hefei"])
        svc.application_record_evaluation(application=app, opinion="合格", expert_names="评估组",
                                          acting_user=people["city_hefei"])
        svc.application_start_public_notice(application=app, acting_user=people["city_hefei"])
    return FilingApplication.objects.get(pk=app.pk)


def test_info_change_is_approved_then_published__CHG_02(filing, people, occupations):
    change = FilingApplication.objects.create(institution=people["inst"], kind="info_change", filing=filing,
                                              proposed_changes={"head": "赵新所长", "contact_phone": "0551-63000000"},
                                              pledge_truthfulness=True, pledge_operation=True)
    svc.application_submit(application=change, acting_user=people["inst_user"])
    with pytest.raises(DomainError):
        svc.application_accept(application=FilingApplication.objects.get(pk=change.pk),
                               acting_user=people["city_hefei"])
    svc.application_approve_change(application=FilingApplication.objects.get(pk=change.pk),
                                   acting_user=people["city_hefei"])
    people["inst"].refresh_from_db()
    assert people["inst"].head == "赵新所长"
    assert "赵新所长" in Announcement.objects.get(kind="info_change").body


def test_a_filed_institution_applies_for_changes_not_a_second_filing__CHG_01(filing, people):
    with pytest.raises(DomainError) as err:
        svc.application_create(institution=people["inst"], acting_user=people["inst_user"])
    assert err.value.rule == "CHG-01"
