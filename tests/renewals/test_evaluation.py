# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""The office's evaluation: due 30 WD after receipt (REN-07), approval renews the filing with the same number
and 3 more years from the old expiry (REN-08, REN-09, CHG-06), rejection needs reasons; REN-05 bars approval."""

import datetime as dt

import pytest

from filing_portal.core.deadlines import run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.workdays import calendar
from filing_portal.workdays.models import CalendarDay, CalendarYear
from institutions.models import Announcement, Filing, FilingApplication, FilingScope
from renewals.models import RenewalApplication
from renewals.services import (
    renewal_approve,
    renewal_evaluation_due_recompute,
    renewal_reject,
    renewal_start_evaluation,
)
from supervision.models import Case, ValidityPeriod
from tests.renewals.fixtures_app import (  # noqa: F401
    D,
    approved,
    filing,
    filing_with_batches,
    make_filing,
    occupations,
    on,
    people,
    regions,
    six_batches,
    submitted,
)


@pytest.fixture(autouse=True)
def fresh_calendar_caches():
    calendar.clear_caches()
    yield
    calendar.clear_caches()


def test_renewed_on_day_59_of_grace_with_the_same_number_and_new_expiry__REN_03_REN_08_REN_09(
        filing_with_batches, people):
    filing = filing_with_batches
    number = filing.number
    run_deadlines(D("2026-06-01"))  # the day after the last valid day 2026-05-31
    filing.refresh_from_db()
    assert filing.state == "expired"
    application = submitted(filing, people["inst_user"], "2026-07-29")  # 2026-05-31 + 59 days
    assert application.in_grace is True
    run_deadlines(D("2026-08-01"))  # after the grace period: a pending renewal keeps the filing from lapsing
    filing.refresh_from_db()
    assert filing.state == "expired"
    with on("2026-08-03"):
        renewal_start_evaluation(application=application, acting_user=people["city_hefei"])
        application = renewal_approve(application=application, acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert application.state == "approved" and application.new_expires_on == D("2029-05-31")
    assert (filing.state, filing.number, filing.expires_on, filing.renewed_count) == (
        "active", number, D("2029-05-31"), 1)
    announcement = Announcement.objects.get(filing=filing, kind="renewed")
    assert number in announcement.body and "2029-05-31" in announcement.body


def test_approval_in_the_window_counts_from_the_old_expiry__REN_08(filing_with_batches, people):
    application = approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    filing_with_batches.refresh_from_db()
    assert filing_with_batches.expires_on == D("2029-05-31") == application.new_expires_on


def test_occupations_added_in_the_period_renew_with_the_filing__CHG_06(filing_with_batches, people, occupations):
    filing = filing_with_batches
    change = FilingApplication.objects.create(institution=filing.institution, kind="scope_change", filing=filing)
    added = FilingScope.objects.create(filing=filing, occupation=occupations["4-10-01-03"], level=4,
                                       added_on=D("2025-03-01"), added_by=change)
    approved(filing, people["inst_user"], people["city_hefei"])
    added.refresh_from_db()
    filing.refresh_from_db()
    assert added.active is True and filing.expires_on == D("2029-05-31")
    assert set(filing.scope.filter(active=True).values_list("occupation__code", "level")) == {
        ("4-12-01-01", 3), ("4-12-01-01", 4), ("4-10-01-03", 4)}


def test_evaluation_due_30_working_days_after_receipt_and_a_holiday_moves_it__REN_07(people, occupations):
    filing = make_filing(people["inst"], occupations, expires_on=D("2026-10-31"))
    six_batches(filing, occupations)
    application = submitted(filing, people["inst_user"], "2026-09-15")
    with on("2026-09-16"):
        application = renewal_start_evaluation(application=application, acting_user=people["city_hefei"])
    # Mid-Autumn (09-25) and National Day (10-01…07) inside the 30 WD: Monday–Friday would give 2026-10-27
    assert application.evaluation_due == D("2026-11-02") and application.evaluation_due_provisional is False
    assert application.state == "under_evaluation" and application.evaluator == people["city_hefei"]


def test_evaluation_in_a_year_nobody_scheduled_is_provisional_and_an_entered_holiday_moves_it__REN_07(
        people, occupations):
    filing = make_filing(people["inst"], occupations, valid_from=D("2024-01-01"), expires_on=D("2027-03-31"))
    six_batches(filing, occupations)
    application = submitted(filing, people["inst_user"], "2027-03-01")
    with on("2027-03-02"):
        first = renewal_start_evaluation(application=application, acting_user=people["city_hefei"])
    assert first.evaluation_due_provisional is True
    CalendarYear.objects.create(year=2027)
    CalendarDay.objects.create(date=D("2027-04-05"), is_working=False, name="清明节")
    calendar.clear_caches()
    assert renewal_evaluation_due_recompute(2027) == 1
    assert renewal_evaluation_due_recompute(2027) == 0  # idempotent
    again = RenewalApplication.objects.get(pk=application.pk)
    assert again.evaluation_due_provisional is False
    assert again.evaluation_due == first.evaluation_due + dt.timedelta(days=1)


def test_only_the_office_that_holds_the_filing_evaluates__JUR_03(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    for user in (people["city_wuhu"], people["inst_user"]):
        with on("2026-04-02"), pytest.raises(PermissionDeniedError):
            renewal_start_evaluation(application=application, acting_user=user)
    with on("2026-04-02"):
        renewal_start_evaluation(application=application, acting_user=people["province_ah"])


def test_rejection_needs_reasons__REN_05(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    staff = people["city_hefei"]
    with on("2026-04-02"):
        renewal_start_evaluation(application=application, acting_user=staff)
        with pytest.raises(DomainError) as err:
            renewal_reject(application=application, acting_user=staff, reasons="  ")
        assert err.value.rule == "REN-05"
        application = renewal_reject(application=application, acting_user=staff, reasons="工作总结与事实不符")
    assert application.state == "rejected" and application.decision_reasons == "工作总结与事实不符"
    filing_with_batches.refresh_from_db()
    assert filing_with_batches.expires_on == D("2026-05-31")


def _case(filing, **fields):
    defaults = {"reference": f"CASE-2026-{Case.objects.count() + 1:06d}", "institution": filing.institution,
                "filing": filing, "region": filing.handling_region, "origin": "staff", "summary": "违规",
                "opened_on": D("2025-01-10")}
    return Case.objects.create(**{**defaults, **fields})


def test_an_overdue_rectification_blocks_submission_and_approval__REN_05(filing_with_batches, people):
    application = submitted(filing_with_batches, people["inst_user"])
    with on("2026-04-02"):
        renewal_start_evaluation(application=application, acting_user=people["city_hefei"])
    case = _case(filing_with_batches, state="decided", tier="tier2", article="22(1)", decided_on=D("2026-03-01"),
                 rectification_due=D("2026-03-20"))
    with on("2026-04-03"), pytest.raises(DomainError) as err:
        renewal_approve(application=application, acting_user=people["city_hefei"])
    assert err.value.rule == "REN-05" and case.reference in err.value.message


def test_a_termination_case_blocks_the_submission__REN_05(filing_with_batches, people):
    _case(filing_with_batches, state="open", proposed_tier="tier3")
    with pytest.raises(DomainError) as err:
        submitted(filing_with_batches, people["inst_user"])
    assert err.value.rule == "REN-05"


def test_an_employer_without_incentive_evidence_is_not_accepted__REN_05(people, occupations):
    from tests.renewals.fixtures_app import add_incentive

    filing = make_filing(people["employer"], occupations)
    six_batches(filing, occupations)
    with pytest.raises(DomainError) as err:
        submitted(filing, people["employer_user"])
    assert err.value.rule == "REN-05"
    RenewalApplication.objects.filter(filing=filing).delete()
    add_incentive(filing, people["employer_user"])
    assert submitted(filing, people["employer_user"]).state == "submitted"


def test_approval_closes_the_first_period_with_its_clean_record__INC_01(filing_with_batches, people):
    approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    period = ValidityPeriod.objects.get(filing=filing_with_batches)
    assert (period.index, period.starts_on, period.ends_on, period.clean, period.findings) == (
        1, D("2023-06-01"), D("2026-05-31"), True, 0)


def test_a_second_renewal_counts_batches_from_the_new_period(filing_with_batches, people, occupations):
    approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    filing = Filing.objects.get(pk=filing_with_batches.pk)
    from renewals.eligibility import period_start, renewal_eligibility

    assert period_start(filing) == D("2026-06-01")
    check = renewal_eligibility(filing)[0]
    assert check.rule == "REN-04" and check.figures["batches"] == 0 and check.blocking


def test_publishing_the_year_recomputes_the_provisional_evaluation_due_date__REN_07(
        people, occupations, django_capture_on_commit_callbacks):
    """The recompute is registered with the calendar: publishing 2027's schedule moves the due date."""
    from filing_portal.workdays.services import calendar_year_publish

    filing = make_filing(people["inst"], occupations, valid_from=D("2024-01-01"), expires_on=D("2027-03-31"))
    six_batches(filing, occupations)
    application = submitted(filing, people["inst_user"], "2027-03-01")
    with on("2027-03-02"):
        first = renewal_start_evaluation(application=application, acting_user=people["city_hefei"])
    CalendarDay.objects.create(date=D("2027-04-05"), is_working=False, name="清明节")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_publish(year=2027, acting_user=people["admin"])
    again = RenewalApplication.objects.get(pk=application.pk)
    assert (again.evaluation_due, again.evaluation_due_provisional) == (
        first.evaluation_due + dt.timedelta(days=1), False)
