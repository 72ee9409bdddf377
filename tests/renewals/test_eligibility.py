# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""The eligibility panel (REN-04, REN-05): each check computed from the data, with its rule and figures."""

from renewals.eligibility import renewal_eligibility
from supervision.models import Case
from tests.renewals.fixtures_app import (  # noqa: F401
    D,
    add_incentive,
    filing,
    filing_with_batches,
    make_batch,
    make_filing,
    occupations,
    on,
    people,
    regions,
    six_batches,
)


def by_key(checks):
    return {c.key: c for c in checks}


def test_six_reported_batches_meet_the_condition__REN_04(filing_with_batches):
    checks = by_key(renewal_eligibility(filing_with_batches))
    batches = checks["batches"]
    assert (batches.rule, batches.ok, batches.level, batches.figures["batches"]) == ("REN-04", True, "ok", 6)
    assert batches.figures["from"] == "2023-06-01" and batches.figures["until"] == "2026-05-31"
    assert not any(c.blocking for c in checks.values())


def test_fewer_batches_block_unless_explained_then_warn__REN_04(filing, occupations, people):
    six_batches(filing, occupations, n=5)
    make_batch(filing, occupations, exam="2025-09-01", state="results_published")  # not reported: not counted
    assert by_key(renewal_eligibility(filing))["batches"].level == "block"
    from renewals.services import renewal_application_start

    with on("2026-04-01"):
        application = renewal_application_start(filing=filing, acting_user=people["inst_user"])
    application.shortfall_explanation = "2024年因疫情停考。"
    check = by_key(renewal_eligibility(filing, application=application))["batches"]
    assert (check.level, check.ok, check.blocking, check.figures["batches"]) == ("warning", False, False, 5)


def test_certificates_not_uploaded_are_named__REN_04(filing, occupations):
    six_batches(filing, occupations, n=5)
    late = make_batch(filing, occupations, exam="2025-11-01", uploaded=False)
    check = by_key(renewal_eligibility(filing))["uploaded"]
    assert (check.ok, check.level, check.figures["certificates"], check.figures["uploaded"]) == (
        False, "warning", 12, 10)
    assert check.figures["batches_not_uploaded"] == [late.plan_number] and late.plan_number in check.message


def test_a_social_organisation_needs_no_incentive_scheme_an_employer_does__REN_05(filing, people, occupations):
    assert by_key(renewal_eligibility(filing))["incentive"].ok is True
    employer_filing = make_filing(people["employer"], occupations)
    check = by_key(renewal_eligibility(employer_filing))["incentive"]
    assert (check.rule, check.ok, check.blocking) == ("REN-05", False, True)
    add_incentive(employer_filing, people["employer_user"])
    assert by_key(renewal_eligibility(employer_filing))["incentive"].ok is True


def _case(filing, **fields):
    return Case.objects.create(**{"reference": f"CASE-{Case.objects.count() + 1:06d}", "institution": filing.institution,
                                  "filing": filing, "region": filing.handling_region, "origin": "staff",
                                  "summary": "违规", "opened_on": D("2025-01-10"), **fields})


def test_rectification_completed_in_time_does_not_block_an_overdue_one_does__REN_05(filing_with_batches):
    _case(filing_with_batches, state="closed", tier="tier2", article="22(1)", decided_on=D("2025-01-20"),
          rectification_due=D("2025-03-01"), rectification_submitted_on=D("2025-02-20"))
    with on("2026-04-01"):
        assert by_key(renewal_eligibility(filing_with_batches))["rectification"].ok is True
        late = _case(filing_with_batches, state="decided", tier="tier2", article="22(1)", decided_on=D("2026-01-05"),
                     rectification_due=D("2026-02-01"))
        check = by_key(renewal_eligibility(filing_with_batches))["rectification"]
    assert (check.ok, check.blocking, check.figures["cases"]) == (False, True, [late.reference])


def test_a_confirmed_tier_3_case_is_a_termination_case_a_mere_proposal_is_not__REN_05(filing_with_batches):
    case = _case(filing_with_batches, state="proposed", proposed_tier="tier3", origin="detection")
    assert by_key(renewal_eligibility(filing_with_batches))["termination"].ok is True
    Case.objects.filter(pk=case.pk).update(state="open")  # staff confirmed what the sweep detected
    check = by_key(renewal_eligibility(filing_with_batches))["termination"]
    assert (check.rule, check.blocking, check.figures["cases"]) == ("REN-05", True, [case.reference])
