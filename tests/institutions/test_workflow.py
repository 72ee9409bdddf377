"""The filing application workflow with the calendar's real dates (FIL-01…08, JUR-01/03)."""

import datetime as dt

import pytest

from certificates.models import FilingNumber
from filing_portal.audit.models import AuditEvent
from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.models import Announcement, Filing, FilingApplication
from institutions.services import applications as svc
from tests.institutions.conftest import on

D = dt.date.fromisoformat


def walk_to_notice(app, people, *, notice_day="2026-03-02"):
    with on("2026-02-12"):
        svc.application_submit(application=app, acting_user=people["inst_user"])
    with on("2026-02-13"):
        svc.application_accept(application=app, acting_user=people["city_hefei"])
        svc.application_record_opinion(application=app, stage="initial_review", passed=True,
                                       opinion="材料齐全，条件符合", expert_names="张专家、李专家",
                                       acting_user=people["expert1"])
        svc.application_pass_initial_review(application=app, acting_user=people["city_hefei"])
        svc.application_record_evaluation(application=app, opinion="现场设施满足要求", expert_names="评估组",
                                          acting_user=people["city_hefei"])
    with on(notice_day):
        svc.application_start_public_notice(application=app, acting_user=people["city_hefei"])
    app.refresh_from_db()
    return app


def test_submit_sets_office_and_acceptance_due_over_spring_festival__FIL_02_JUR_01(draft, people):
    """Anhui: 10 WD; Feb 14 and Feb 28 2026 are working Saturdays, Feb 15–23 are the holiday."""
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert draft.handling_region.code == "340100"  # Hefei handles level 3–5 (JUR-01)
    assert draft.acceptance_due == D("2026-03-04")
    assert not draft.due_dates_provisional


def test_supplement_due_in_5_wd_and_expiry_terminates__FIL_03_FIL_04(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    with on("2026-02-13"):
        svc.application_request_supplement(application=draft, items=["场地租赁合同", "考评员证书"],
                                           acting_user=people["city_hefei"])
    draft.refresh_from_db()
    assert draft.state == "supplement_requested" and draft.supplement_due == D("2026-02-27")
    assert draft.supplement_items == ["场地租赁合同", "考评员证书"]
    run_deadlines(D("2026-02-27"))
    assert FilingApplication.objects.get(pk=draft.pk).state == "supplement_requested"
    run_deadlines(D("2026-02-28"))
    run_deadlines(D("2026-02-28"))  # idempotent
    draft.refresh_from_db()
    assert draft.state == "terminated"
    assert "5" in draft.termination_reason and draft.termination_clause
    assert AuditEvent.objects.filter(action="filingapplication.expire").count() == 1


def test_only_one_supplement_request__FIL_03(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
        svc.application_request_supplement(application=draft, items=["A"], acting_user=people["city_hefei"])
        svc.application_resubmit(application=draft, acting_user=people["inst_user"])
        with pytest.raises(DomainError) as err:
            svc.application_request_supplement(application=draft, items=["B"], acting_user=people["city_hefei"])
    assert err.value.rule == "FIL-03"


def test_supplement_needs_items__FIL_03(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
        with pytest.raises(DomainError) as err:
            svc.application_request_supplement(application=draft, items=["  "], acting_user=people["city_hefei"])
    assert err.value.rule == "FIL-03"


def test_pass_initial_review_needs_the_expert_opinion__FIL_01(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
        svc.application_accept(application=draft, acting_user=people["city_hefei"])
        with pytest.raises(DomainError) as err:
            svc.application_pass_initial_review(application=draft, acting_user=people["city_hefei"])
    assert err.value.rule == "FIL-01"


def test_completion_due_15_wd_after_evaluation__FIL_05(draft, people):
    app = walk_to_notice(draft, people)
    # 15 WD after Fri 2026-02-13: Sat 14 (a working Saturday), then Feb 24 … Mar 12 after the festival
    assert app.completion_due == D("2026-03-12")


def test_notice_lasts_5_wd_then_the_sweep_files_it__FIL_07_FIL_08_FIL_09(draft, people):
    app = walk_to_notice(draft, people)
    assert (app.notice_starts_on, app.notice_ends_on) == (D("2026-03-03"), D("2026-03-09"))
    with on("2026-03-09"), pytest.raises(DomainError) as err:
        svc.application_complete_notice(application=app, acting_user=people["city_hefei"])
    assert err.value.rule == "FIL-07"
    run_deadlines(D("2026-03-09"))
    assert FilingApplication.objects.get(pk=app.pk).state == "public_notice"
    run_deadlines(D("2026-03-10"))
    app.refresh_from_db()
    assert app.state == "approved"
    filing = Filing.objects.get(institution=people["inst"])
    assert filing.number == "S000034010001" and filing.state == "active"
    assert (filing.valid_from, filing.expires_on) == (D("2026-03-10"), D("2029-03-09"))
    assert filing.pilot_until == D("2027-03-10")  # Anhui: 1-year pilot for new social organisations (FIL-10)
    assert sorted(filing.scope.values_list("level", flat=True)) == [3, 4, 5]
    assert Announcement.objects.filter(kind="filed", filing=filing).exists()
    assert FilingNumber.objects.get(number="S000034010001").institution == people["inst"]


def test_open_objection_blocks_completion_until_dismissed__FIL_07(draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        objection = svc.objection_raise(application=app, contact="13900000000", content="该机构场地为临时租用")
    run_deadlines(D("2026-03-10"))
    assert FilingApplication.objects.get(pk=app.pk).state == "public_notice"
    with on("2026-03-10"):
        with pytest.raises(DomainError):
            svc.objection_dismiss(objection=objection, reason="  ", acting_user=people["city_hefei"])
        svc.objection_dismiss(objection=objection, reason="经核实场地为自有产权", acting_user=people["city_hefei"])
    run_deadlines(D("2026-03-10"))
    assert FilingApplication.objects.get(pk=app.pk).state == "approved"
    assert AuditEvent.objects.filter(action="filingapplication.raise_objection", actor_role="public").exists()


def test_upheld_objection_rejects_with_reasons__FIL_06(draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        objection = svc.objection_raise(application=app, contact="a@b.cn", content="材料造假")
        svc.objection_uphold(objection=objection, reason="经核实提交了虚假的考评员证书", acting_user=people["city_hefei"])
    app.refresh_from_db()
    assert app.state == "rejected" and "虚假" in app.reject_reason


def test_rejection_needs_reasons__FIL_06(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
        with pytest.raises(DomainError) as err:
            svc.application_reject(application=draft, reason=" ", acting_user=people["city_hefei"])
    assert err.value.rule == "FIL-06"


def test_submit_needs_the_pledges__FIL_12(people, occupations):
    from tests.institutions.conftest import make_draft

    app = make_draft(people["inst"], occupations, signed=False)
    with pytest.raises(DomainError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert err.value.rule == "FIL-12"
    svc.application_sign_pledges(application=app, acting_user=people["inst_user"], signed_by="王法人")
    svc.application_submit(application=app, acting_user=people["inst_user"])


def test_staff_of_another_city_cannot_act__JUR_03(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
        with pytest.raises(PermissionDeniedError):
            svc.application_accept(application=draft, acting_user=people["city_wuhu"])
        svc.application_accept(application=draft, acting_user=people["province_ah"])  # the province sees its cities


def test_technician_levels_go_to_the_province__JUR_01(people, occupations):
    from tests.institutions.conftest import make_draft

    app = make_draft(people["inst"], occupations, levels=(2, 3))
    app.occupations.update(prior_senior_evaluation=True)
    svc.application_submit(application=app, acting_user=people["inst_user"])
    app.refresh_from_db()
    assert app.handling_region.code == "340000"
    with pytest.raises(PermissionDeniedError):
        svc.application_accept(application=app, acting_user=people["city_hefei"])


def test_withdraw_by_the_institution(draft, people):
    svc.application_withdraw(application=draft, acting_user=people["inst_user"])
    assert FilingApplication.objects.get(pk=draft.pk).state == "withdrawn"
    with pytest.raises(DomainError):
        svc.application_submit(application=FilingApplication.objects.get(pk=draft.pk),
                               acting_user=people["inst_user"])
