# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""The renewal application: start (pre-filled), window and grace (REN-01, REN-03), submission (REN-04, REN-06),
the plans (REN-06)."""

import pytest

from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.models import Filing
from renewals.models import RenewalApplication
from renewals.services import (
    renewal_application_start,
    renewal_plan_choices,
    renewal_plans_choose,
    renewal_submit,
)
from renewals.windows import renewal_may_apply
from tests.renewals.fixtures_app import (  # noqa: F401
    EXPIRES,
    D,
    filing,
    filing_with_batches,
    fill,
    inst,
    make_batch,
    make_filing,
    occupations,
    on,
    people,
    regions,
    six_batches,
    submitted,
)


def test_start_prefills_the_form_from_the_portal__REN_06(filing_with_batches, people):
    user = people["inst_user"]
    with on("2026-03-02"):  # the window's first day: 90 days before 2026-05-31
        application = renewal_application_start(filing=filing_with_batches, acting_user=user)
    inst = people["inst"]
    assert (application.institution_name, application.uscc, application.address,
            application.legal_representative, application.head) == (
        inst.name, inst.uscc, "合肥市蜀山区长江西路100号", "王法人", "李所长")
    assert application.expires_on == EXPIRES and application.state == "draft"
    assert application.reference.startswith("REN-2026-")
    plans = list(application.plans.all())
    assert len(plans) == 6 and [p.position for p in plans] == [1, 2, 3, 4, 5, 6]
    assert plans[0].year == 2025 and plans[0].occupation == "汽车维修工" and plans[0].work_type == "汽车机械维修工"
    assert (plans[0].level, plans[0].assessed, plans[0].passed, plans[0].uploaded) == ("三级", 3, 2, True)


def test_start_before_the_window_is_refused__REN_01(filing, people):
    with on("2026-03-01"), pytest.raises(DomainError) as err:
        renewal_application_start(filing=filing, acting_user=people["inst_user"])
    assert err.value.rule == "REN-01" and "2026-03-02" in err.value.message


def test_months_window_of_jilin_opens_three_months_before__REN_01(regions, occupations):
    from tests.factories import InstitutionFactory, make_uscc

    changchun = regions["220100"]
    assert changchun.province_region.policy_profile.renewal_window_unit == "months"
    jl = InstitutionFactory(name="长春技能评价中心", kind="S", region=changchun, uscc=make_uscc("220100"))
    filing = make_filing(jl, occupations, expires_on=D("2026-06-15"))
    assert renewal_may_apply(filing, D("2026-03-14"))[:2] == (False, "REN-01")
    assert renewal_may_apply(filing, D("2026-03-15"))[0] is True  # 3 months before 2026-06-15


def test_only_the_filings_institution_starts_it__REN_01(filing, people):
    with on("2026-04-01"), pytest.raises(PermissionDeniedError):
        renewal_application_start(filing=filing, acting_user=people["other_user"])


def test_one_renewal_in_progress_per_filing__REN_01(filing, people):
    with on("2026-04-01"):
        renewal_application_start(filing=filing, acting_user=people["inst_user"])
        with pytest.raises(DomainError) as err:
            renewal_application_start(filing=filing, acting_user=people["inst_user"])
    assert err.value.code == "renewal_open"


def test_submit_needs_the_pledge_and_the_three_summary_sections__REN_06(filing_with_batches, people):
    user = people["inst_user"]
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing_with_batches, acting_user=user)
        with pytest.raises(DomainError) as err:
            renewal_submit(application=application, acting_user=user)
        assert err.value.rule == "REN-06"
        fill(application, user, summary_problems="")
        with pytest.raises(DomainError) as err:
            renewal_submit(application=application, acting_user=user)
        assert err.value.rule == "REN-06"
        fill(application, user)
        application = renewal_submit(application=application, acting_user=user)
    assert application.state == "submitted" and application.submitted_on == D("2026-04-01")
    assert application.in_grace is False


def test_fewer_than_6_batches_needs_a_written_explanation__REN_04(filing, occupations, people):
    six_batches(filing, occupations, n=4)
    user = people["inst_user"]
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing, acting_user=user)
        fill(application, user)
        with pytest.raises(DomainError) as err:
            renewal_submit(application=application, acting_user=user)
        assert err.value.rule == "REN-04" and "4" in err.value.message
        fill(application, user, shortfall_explanation="2024年受疫情影响停考两批次。")
        application = renewal_submit(application=application, acting_user=user)
    assert application.state == "submitted"


def test_submission_in_the_grace_period_is_marked__REN_03(filing_with_batches, people):
    with on("2026-06-10"):
        run_deadlines(D("2026-06-10"))
    filing_with_batches.refresh_from_db()
    assert filing_with_batches.state == "expired"
    application = submitted(filing_with_batches, people["inst_user"], "2026-06-10")
    assert application.in_grace is True and application.state == "submitted"


def test_after_the_grace_period_the_renewal_is_refused_on_day_61__REN_03(filing_with_batches, people):
    user = people["inst_user"]
    with on("2026-07-29"):  # day 59 of grace: the form can still be started
        application = renewal_application_start(filing=filing_with_batches, acting_user=user)
        fill(application, user)
    with on("2026-08-01"), pytest.raises(DomainError) as err:  # day 62
        renewal_submit(application=application, acting_user=user)
    assert err.value.rule == "REN-03"
    RenewalApplication.objects.filter(pk=application.pk).delete()
    with on("2026-07-31"), pytest.raises(DomainError) as err:  # day 61: 2026-05-31 + 61
        renewal_application_start(filing=filing_with_batches, acting_user=user)
    assert err.value.rule == "REN-03" and "2026-07-30" in err.value.message


@pytest.mark.parametrize(("state", "rule"), [("lapsed", "REN-03"), ("revoked", "SUP-05"),
                                            ("terminated", "TERM-01"), ("suspended", "SUP-04")])
def test_a_filing_not_active_or_expired_is_not_renewed__REN_01(people, occupations, state, rule):
    filing = make_filing(people["inst"], occupations, state=state)
    with on("2026-04-01"), pytest.raises(DomainError) as err:
        renewal_application_start(filing=filing, acting_user=people["inst_user"])
    assert err.value.rule == rule


def test_a_filing_revoked_after_the_start_refuses_the_submit__REN_01(filing_with_batches, people):
    user = people["inst_user"]
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing_with_batches, acting_user=user)
        fill(application, user)
    Filing.objects.filter(pk=filing_with_batches.pk).update(state="revoked")
    with on("2026-04-02"), pytest.raises(DomainError) as err:
        renewal_submit(application=application, acting_user=user)
    assert err.value.rule == "SUP-05"


def test_the_applicant_chooses_up_to_6_reported_batches__REN_06(filing, occupations, people):
    batches = six_batches(filing, occupations, n=8)
    make_batch(filing, occupations, exam="2025-06-01", state="conducted")  # not reported: not offered
    user = people["inst_user"]
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing, acting_user=user)
        assert len(renewal_plan_choices(application)) == 8
        oldest = [b.pk for b in sorted(batches, key=lambda b: b.exam_start)[:3]]
        plans = renewal_plans_choose(application=application, batch_ids=oldest, acting_user=user)
        assert [p.batch_id for p in plans] == oldest
        with pytest.raises(DomainError) as err:
            renewal_plans_choose(application=application, batch_ids=[b.pk for b in batches[:7]], acting_user=user)
        assert err.value.rule == "REN-06"


def test_a_batch_of_another_filing_is_not_a_plan__REN_06(filing, occupations, people):
    other = make_filing(people["other"], occupations)
    foreign = make_batch(other, occupations, exam="2025-03-01")
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing, acting_user=people["inst_user"])
        with pytest.raises(DomainError) as err:
            renewal_plans_choose(application=application, batch_ids=[foreign.pk], acting_user=people["inst_user"])
    assert err.value.rule == "REN-06"


def test_batches_before_the_validity_period_do_not_count__REN_04(filing, occupations, people):
    make_batch(filing, occupations, exam="2023-05-01")  # before valid_from 2023-06-01
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing, acting_user=people["inst_user"])
    assert application.plans.count() == 0


def test_uploaded_flag_follows_the_certificates__REN_06(filing, occupations, people):
    make_batch(filing, occupations, exam="2025-03-01", uploaded=False)
    with on("2026-04-01"):
        application = renewal_application_start(filing=filing, acting_user=people["inst_user"])
    assert application.plans.get().uploaded is False
