"""The sweep's detections, run with `run_deadlines --as-of` (FJ23 Art.22(4), 23(7), 23(1), 21(8); SUP-04…06)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import AssessmentBatch, BatchViolation
from filing_portal.core.errors import DomainError
from institutions.models import Filing
from supervision.cases import case_confirm, case_decide, case_dismiss, case_investigate
from supervision.detections import (
    detect_batch_violations,
    detect_inactive_filings,
    detect_rectification_overdue,
)
from supervision.models import Case
from tests.supervision.conftest_draws import make_filing
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


def sweep(day: str) -> None:
    call_command("run_deadlines", "--as-of", day)


def proposed(detection: str):
    return Case.objects.filter(detection=detection, state="proposed")


def test_one_then_two_years_after_the_last_batch__SUP_04_SUP_05(filing, issued_batch, people):  # noqa: F811
    sweep("2027-04-19")
    assert not Case.objects.exists()
    sweep("2027-04-20")  # one year after the exam of 2026-04-20 (FJ23 Art.22(4))
    case = proposed("inactive_1y").get()
    assert (case.proposed_tier, case.filing, case.origin, case.opened_by) == ("tier2", filing, "detection", None)
    assert case.detection_key == f"inactive_1y:{filing.pk}:2026-04-20" and "2026-04-20" in case.summary
    sweep("2027-04-20")
    sweep("2027-05-01")
    assert Case.objects.count() == 1  # idempotent
    sweep("2028-04-19")
    assert not proposed("inactive_2y").exists()
    sweep("2028-04-20")  # two years (FJ23 Art.23(7))
    assert proposed("inactive_2y").get().proposed_tier == "tier3"
    sweep("2028-04-21")
    assert Case.objects.count() == 2


def test_without_a_batch_the_validity_start_counts_and_a_new_batch_rearms__SUP_04(
        filing, people, occupations):  # noqa: F811
    sweep("2027-03-10")  # valid from 2026-03-10, never assessed
    first = proposed("inactive_1y").get()
    case_dismiss(case=first, reason="疫情期间停考，有正当理由", acting_user=people["city_hefei"])
    sweep("2027-03-11")
    assert Case.objects.count() == 1  # dismissed stays dismissed
    # a batch examined later starts a new period: one year after it, a new proposal
    batch = AssessmentBatch.objects.create(
        plan_number="PLAN-T-1", filing=filing, institution=filing.institution, handling_region=filing.handling_region,
        state="certificates_issued", exam_start=D("2027-05-10"), exam_end=D("2027-05-10"), venue_address="x",
        candidate_source="社会人员", planned_count=10)
    sweep("2028-05-09")
    assert Case.objects.count() == 1
    sweep("2028-05-10")
    assert proposed("inactive_1y").get().detection_key == f"inactive_1y:{filing.pk}:{batch.exam_start}"


def test_only_active_filings_for_one_year_suspended_ones_for_two__SUP_04_SUP_05(filing, people):  # noqa: F811
    Filing.objects.filter(pk=filing.pk).update(state="suspended")
    sweep("2027-03-10")
    assert not Case.objects.exists()
    sweep("2028-03-10")
    assert proposed("inactive_2y").get().filing == filing
    Filing.objects.filter(pk=filing.pk).update(state="revoked")
    sweep("2030-03-10")
    assert Case.objects.count() == 1


def test_staff_confirm_and_decide_a_proposal__SUP_06(filing, people):  # noqa: F811
    staff = people["city_hefei"]
    sweep("2027-03-10")
    case = proposed("inactive_1y").get()
    with pytest.raises(DomainError) as err:
        case_dismiss(case=case, reason=" ", acting_user=staff)
    assert err.value.rule == "SUP-06"
    with on("2027-03-11"):
        case = case_confirm(case=case, acting_user=staff)
        assert (case.state, case.confirmed_by) == ("open", staff)
        case = case_investigate(case=case, acting_user=staff)
        case = case_decide(case=case, tier="tier2", article="22.4", decision="一年未开展评价，责令整改",
                           acting_user=staff)
    assert Filing.objects.get(pk=filing.pk).state == "suspended"


def test_overdue_rectification_proposes_an_escalation_once__SUP_04(filing, people):  # noqa: F811
    staff = people["city_hefei"]
    case = investigating_case(filing, staff)
    with on("2026-05-06"):
        case = case_decide(case=case, tier="tier2", article="22.3", decision="整改", acting_user=staff)
    assert case.rectification_due == D("2026-06-02")
    sweep("2026-06-02")
    assert not proposed("rectification_overdue").exists()
    sweep("2026-06-03")
    sweep("2026-06-04")
    escalation = proposed("rectification_overdue").get()
    assert (escalation.escalated_from, escalation.proposed_tier) == (case, "tier3")
    assert Case.objects.get(pk=case.pk).rectification_overdue_on == D("2026-06-03")
    with on("2026-06-05"):
        escalation = case_investigate(case=case_confirm(case=escalation, acting_user=staff), acting_user=staff)
        escalation = case_decide(case=escalation, tier="tier3", article="23.1", decision="逾期未整改，撤销备案",
                                 acting_user=staff)
    original = Case.objects.get(pk=case.pk)
    assert escalation.state == "closed" and original.state == "escalated"
    assert original.ban_until == escalation.ban_until == D("2029-06-05")
    assert Filing.objects.get(pk=filing.pk).state == "revoked"


def test_a_recorded_lax_eligibility_violation_proposes_a_tier1_case__SUP_03(filing, issued_batch):  # noqa: F811
    violation = BatchViolation.objects.create(batch=issued_batch, rule="ASM-08", recorded_on=D("2026-05-10"),
                                              detail="6名考生中2名不符合条件", ineligible_count=2, assessed_count=6)
    sweep("2026-05-11")
    sweep("2026-05-12")
    case = proposed("lax_eligibility").get()
    assert (case.batch_violation, case.batch, case.proposed_tier, case.origin) == (
        violation, issued_batch, "tier1", "violation")
    assert issued_batch.plan_number in case.summary


def test_the_inactivity_detection_runs_a_bounded_number_of_queries(filing, people, regions):  # noqa: F811
    def count(day):
        with on(day), CaptureQueriesContext(connection) as ctx:
            detect_inactive_filings(D(day))
        return len(ctx.captured_queries)

    few = count("2026-12-01")
    for i in range(5):
        make_filing(people["other"] if i % 2 else people["employer"], regions["340100"])
    assert count("2026-12-01") == few == 1  # nothing detected: one annotated query
    count("2027-03-10")  # six filings inactive for a year: each proposed once
    assert Case.objects.filter(detection="inactive_1y").count() == 6


def test_every_detection_is_one_query_when_nothing_is_due(filing, people):  # noqa: F811
    investigating_case(filing, people["city_hefei"])
    for detect in (detect_inactive_filings, detect_rectification_overdue, detect_batch_violations):
        with on("2026-12-01"), CaptureQueriesContext(connection) as ctx:
            assert detect(D("2026-12-01")) == 0
        assert len(ctx.captured_queries) == 1, detect.__name__


def test_proposing_many_cases_takes_the_same_queries_for_2_or_8_idle_filings__SUP_06(filing, people, regions):  # noqa: F811
    """The sweep proposes in batches: the queries do not grow with the number of idle filings."""
    def sweep_counting(day):
        with on(day), CaptureQueriesContext(connection) as ctx:
            created = detect_inactive_filings(D(day))
        return created, len(ctx.captured_queries)

    make_filing(people["other"], regions["340100"])
    created, small = sweep_counting("2027-03-10")
    assert created == 2
    Case.objects.all().delete()
    for i in range(6):
        make_filing(people["other"] if i % 2 else people["employer"], regions["340100"])
    created, large = sweep_counting("2027-03-10")
    assert created == 8 and large == small
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"AJ-2027-{n:06d}" for n in range(1, 9)]
    assert sweep_counting("2027-03-10") == (0, 1)  # idempotent: what was proposed is skipped in the one query
