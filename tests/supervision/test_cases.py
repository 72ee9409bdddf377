"""Cases walked tier by tier to their effect on the filing record (SUP-03…06, ELIG-11, PUB-02, TERM-04)."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from certificates.models import Certificate, FilingNumber
from certificates.selectors import certificate_verify_by_number
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.models import Announcement, Filing
from institutions.services.applications import application_submit
from institutions.services.eligibility import EligibilityError
from supervision.cases import (
    ARTICLES,
    article_check,
    case_decide,
    case_dismiss,
    case_escalate,
    case_reject_rectification,
    case_submit_rectification,
    case_verify_rectification,
)
from supervision.models import Case
from tests.assessments.conftest import plan
from tests.institutions.conftest import make_draft
from tests.supervision.fixtures import (  # noqa: F401
    draft,
    filing,
    investigating_case,
    issued_batch,
    occupations,
    on,
    people,
    regions,
    scheduled,
)

D = dt.date.fromisoformat


def test_the_article_table_has_every_item_of_art_21_to_23__SUP_03_SUP_04_SUP_05():
    counts = {art: sum(1 for key in ARTICLES if key.startswith(f"{art}.")) for art in ("21", "22", "23")}
    assert counts == {"21": 9, "22": 9, "23": 12}
    assert {a.tier for k, a in ARTICLES.items() if k.startswith("21.")} == {"tier1"}
    assert ARTICLES["22.4"].source == "一年内无正当理由不开展评价活动的"
    assert ARTICLES["23.7"].tier == "tier3" and "两年内" in ARTICLES["23.7"].source
    assert ARTICLES["21.8"].source_label.endswith("第二十一条第（八）项")


@pytest.mark.parametrize(("tier", "article", "rule"), [
    ("tier1", "22.1", "SUP-03"), ("tier2", "21.1", "SUP-04"), ("tier3", "22.6", "SUP-05"), ("tier2", "", "SUP-04"),
    ("none", "21.1", "SUP-06"), ("tier9", "21.1", "SUP-06"),
])
def test_a_decision_names_an_item_of_its_tier__SUP_03_SUP_04_SUP_05(tier, article, rule):
    with pytest.raises(DomainError) as err:
        article_check(tier, article)
    assert err.value.rule == rule


def test_tier2_suspends_then_verified_rectification_reinstates_but_the_bar_stays__SUP_04(
        filing, people, occupations):  # noqa: F811
    staff, inst = people["city_hefei"], people["inst_user"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier2", article="22.3", decision="拒不接受日常督导，责令整改",
                           acting_user=staff)
    filing.refresh_from_db()
    assert (case.state, case.tier, case.article, case.decided_by) == ("decided", "tier2", "22.3", staff)
    assert case.notice_number == "ZG-2026-000001"
    assert case.rectification_due == D("2026-06-02")  # 20 WD after 2026-05-06 (Saturday 2026-05-09 is worked)
    assert filing.state == "suspended" and "ZG-2026-000001" in filing.suspension_reason
    assert filing.expansion_barred_until == filing.expires_on == D("2029-03-09")
    assert Announcement.objects.filter(filing=filing, kind=Announcement.Kind.SUSPENSION).exists()  # PUB-02
    # a suspended filing plans no batch (REN-02, SUP-07)
    with pytest.raises(DomainError) as err:
        plan(filing, people, occupations)
    assert err.value.rule == "REN-02"
    # only the institution concerned (or staff) submits the rectification
    with on("2026-05-20"), pytest.raises(PermissionDeniedError) as err:
        case_submit_rectification(case=case, report="已整改", acting_user=people["other_user"])
    assert err.value.rule == "SUP-04"
    with on("2026-05-20"), pytest.raises(DomainError) as err:
        case_submit_rectification(case=case, report="  ", acting_user=inst)
    assert err.value.rule == "SUP-04"
    with on("2026-05-20"):
        case = case_submit_rectification(case=case, report="已建立督导配合制度，指定联络人", acting_user=inst)
        case = case_reject_rectification(case=case, reason="未附制度文件", acting_user=staff)
        assert case.state == "decided"
        case = case_submit_rectification(case=case, report="补充制度文件", acting_user=inst)
    with on("2026-05-25"):
        case = case_verify_rectification(case=case, acting_user=staff)
    filing.refresh_from_db()
    assert (case.state, case.verified_by, case.verified_on) == ("closed", staff, D("2026-05-25"))
    assert filing.state == "active"
    assert filing.expansion_barred_until == D("2029-03-09")  # FJ23 Art.24: for the rest of the validity
    # a scope change is refused by SUP-04 after reinstatement
    change = make_draft(people["inst"], occupations, kind="scope_change", filing=filing, code="6-18-01-01",
                        levels=(4,))
    with on("2027-06-01"), pytest.raises(EligibilityError) as err:
        application_submit(application=change, acting_user=inst)
    assert "SUP-04" in [p.rule for p in err.value.problems]


def test_tier2_applies_only_to_an_active_filing__SUP_04(filing, people):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    Filing.objects.filter(pk=filing.pk).update(state="expired")
    with on("2026-05-06"), pytest.raises(DomainError) as err:
        case_decide(case=case, tier="tier2", article="22.4", decision="整改", acting_user=staff)
    assert (err.value.rule, err.value.code) == ("SUP-04", "filing_state")
    assert Case.objects.get(pk=case.pk).state == "investigating"


def test_tier3_revokes_retires_the_number_and_bans_for_3_years__SUP_05_ELIG_11(filing, people, occupations):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier3", article="23.2", decision="备案时提交虚假场地证明",
                           acting_user=staff)
    filing.refresh_from_db()
    assert (case.state, case.tier, case.article, case.decided_by) == ("closed", "tier3", "23.2", staff)
    assert filing.state == "revoked" and filing.revoked_on == D("2026-05-06")
    assert filing.cancellation_ground == "false_materials"  # TERM-04
    assert case.ban_until == D("2029-05-06") == filing.revoked_on + relativedelta(years=3)
    assert FilingNumber.objects.get(number=filing.number).status == "retired"  # NUM-03
    assert Announcement.objects.filter(filing=filing, kind=Announcement.Kind.REVOCATION).exists()  # PUB-02
    again = make_draft(people["inst"], occupations)
    with on("2027-01-04"), pytest.raises(EligibilityError) as err:
        application_submit(application=again, acting_user=people["inst_user"])
    assert "ELIG-11" in [p.rule for p in err.value.problems]
    # a revoked filing is not revoked twice
    second = investigating_case(Filing.objects.get(pk=filing.pk), staff, day="2026-05-07")
    with on("2026-05-07"), pytest.raises(DomainError) as err:
        case_decide(case=second, tier="tier3", article="23.4", decision="再次", acting_user=staff)
    assert (err.value.rule, err.value.code) == ("SUP-05", "filing_state")


def test_tier1_interview_voids_the_batch_certificates__SUP_03(filing, issued_batch, people):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"), pytest.raises(DomainError) as err:
        case_decide(case=case, tier="tier1", article="21.9", decision="约谈", acting_user=staff)
    assert (err.value.rule, err.value.code) == ("SUP-03", "interview_required")
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier1", article="21.9", decision="约谈负责人，宣布当次证书无效",
                           acting_user=staff, interview_on=D("2026-05-06"), interviewee="李所长",
                           interview_record="承认未提供完整监控视频，承诺整改", void_batch=issued_batch,
                           void_reason="考试监控视频缺失")
    assert (case.state, case.tier, case.decided_by) == ("closed", "tier1", staff)
    assert (case.voided_batch, case.voided_count, case.interviewee) == (issued_batch, 5, "李所长")
    certificates = Certificate.objects.filter(batch=issued_batch)
    assert set(certificates.values_list("status", flat=True)) == {"voided"}
    first = certificates.first()
    assert certificate_verify_by_number(number=first.number, name=first.holder_name).status == "voided"
    assert Filing.objects.get(pk=filing.pk).state == "active"  # tier 1 leaves the filing as it is


def test_tier_none_closes_and_dismiss_needs_a_reason__SUP_06(filing, people):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"):
        case = case_decide(case=case, tier="none", decision="经核查不构成违规", acting_user=staff)
    assert (case.state, case.tier, case.article) == ("closed", "none", "")
    other = investigating_case(filing, staff, summary="另一件")
    with pytest.raises(DomainError) as err:
        case_dismiss(case=other, reason="x", acting_user=staff)
    assert err.value.rule == "SUP-06" and err.value.code == "invalid_state"  # investigating: decide it
    with pytest.raises(PermissionDeniedError):
        case_decide(case=other, tier="none", decision="x", acting_user=people["city_wuhu"])


def test_overdue_rectification_escalates_to_revocation__SUP_04_SUP_05_TERM_04(filing, people):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier2", article="22.6", decision="限期整改", acting_user=staff)
    with on("2026-06-02"), pytest.raises(DomainError) as err:
        case_escalate(case=case, reason="逾期未整改", acting_user=staff)
    assert (err.value.rule, err.value.code) == ("SUP-05", "not_overdue")
    with on("2026-06-04"):
        case = case_escalate(case=case, reason="逾期未整改", acting_user=staff)
    filing.refresh_from_db()
    assert case.state == "escalated" and case.ban_until == D("2029-06-04")
    assert filing.state == "revoked" and filing.cancellation_ground == "violations_not_rectified"
    assert Announcement.objects.filter(filing=filing, kind=Announcement.Kind.REVOCATION).exists()


def test_a_repeat_after_the_notice_escalates_before_the_due_date__SUP_05(filing, people):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier2", article="22.7", decision="虚假宣传", acting_user=staff)
        with pytest.raises(DomainError) as err:
            case_escalate(case=case, reason="整改期内再次发布包过广告", ground="repeat", article="22.7",
                          acting_user=staff)
        assert err.value.rule == "SUP-05"
        case = case_escalate(case=case, reason="整改期内再次发布包过广告", ground="repeat", acting_user=staff)
    assert case.state == "escalated"
    assert Filing.objects.get(pk=filing.pk).state == "revoked"
