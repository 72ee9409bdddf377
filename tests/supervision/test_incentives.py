# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""Clean-record validity periods (INC-01) and random supervision for a clean social organisation (INC-02)."""

import pytest

from assessments.models import AssessmentBatch
from assessments.transitions import batch_transition_run
from filing_portal.audit.models import AuditEvent
from institutions.models import Filing
from supervision.incentives import validity_period_close
from supervision.models import Case, ValidityPeriod
from tests.renewals.fixtures_app import (  # noqa: F401
    D,
    add_incentive,
    approved,
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


def _decided(filing, tier, day, article="21(1)"):
    return Case.objects.create(reference=f"CASE-{Case.objects.count() + 1:06d}", institution=filing.institution,
                               filing=filing, region=filing.handling_region, origin="staff", summary="违规",
                               opened_on=D(day), state="decided", tier=tier, article=article, decided_on=D(day))


def test_a_period_without_art_21_23_findings_is_clean__INC_01(filing):
    _decided(filing, "none", "2024-05-01", article="")  # decided "no violation": not a finding
    _decided(filing, "tier1", "2023-05-01")  # before the period
    period = validity_period_close(filing, D("2023-06-01"), D("2026-05-31"))
    assert (period.index, period.clean, period.findings) == (1, True, 0)


def test_a_tier_finding_in_the_period_is_not_clean_and_keeps_every_exam__INC_01_INC_02(filing):
    _decided(filing, "tier1", "2025-02-01")
    period = validity_period_close(filing, D("2023-06-01"), D("2026-05-31"))
    filing.refresh_from_db()
    assert (period.clean, period.findings, filing.supervision_mode) == (False, 1, "every_exam")


def test_closing_a_period_twice_updates_its_row__INC_01(filing):
    validity_period_close(filing, D("2023-06-01"), D("2026-05-31"))
    _decided(filing, "tier2", "2026-01-01", article="22(1)")
    validity_period_close(filing, D("2023-06-01"), D("2026-05-31"))
    period = ValidityPeriod.objects.get(filing=filing)
    assert (period.clean, period.findings) == (False, 1)


def test_a_clean_first_period_of_a_social_organisation_gives_random_supervision__INC_02(filing, people):
    validity_period_close(filing, D("2023-06-01"), D("2026-05-31"), acting_user=people["city_hefei"])
    filing.refresh_from_db()
    assert filing.supervision_mode == "random"
    event = AuditEvent.objects.filter(action="filing.supervision_mode").get()
    assert (event.from_state, event.to_state, event.comment) == ("every_exam", "random", "INC-02")


def test_an_employer_with_a_clean_first_period_keeps_every_exam__INC_02(people, occupations):
    filing = make_filing(people["employer"], occupations)
    validity_period_close(filing, D("2023-06-01"), D("2026-05-31"))
    filing.refresh_from_db()
    assert filing.supervision_mode == "every_exam"


def test_a_not_clean_later_period_returns_to_every_exam__INC_02(filing):
    validity_period_close(filing, D("2023-06-01"), D("2026-05-31"))
    _decided(filing, "tier1", "2027-01-01")
    validity_period_close(filing, D("2026-06-01"), D("2029-05-31"))
    filing.refresh_from_db()
    assert filing.supervision_mode == "every_exam"
    assert list(ValidityPeriod.objects.filter(filing=filing).values_list("index", "clean")) == [
        (1, True), (2, False)]


def test_after_renewal_a_clean_social_orgs_new_batch_is_randomly_supervised__INC_02(filing_with_batches, people,
                                                                                   occupations):
    approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    assert Filing.objects.get(pk=filing_with_batches.pk).supervision_mode == "random"
    batch = make_batch(filing_with_batches, occupations, exam="2026-08-01", state="submitted")
    with on("2026-07-01"):
        batch_transition_run(batch, "approve", people["city_hefei"])
    batch = AssessmentBatch.objects.get(pk=batch.pk)
    assert (batch.state, batch.supervision_mode) == ("scheduled", "random")


@pytest.mark.parametrize("tier", ["tier1", "tier2"])
def test_after_renewal_with_findings_new_batches_stay_supervised_every_exam__INC_02(filing_with_batches, people,
                                                                                   occupations, tier):
    _decided(filing_with_batches, tier, "2025-01-15", article="21(1)" if tier == "tier1" else "22(1)")
    approved(filing_with_batches, people["inst_user"], people["city_hefei"])
    batch = make_batch(filing_with_batches, occupations, exam="2026-08-01", state="submitted")
    with on("2026-07-01"):
        batch_transition_run(batch, "approve", people["city_hefei"])
    assert AssessmentBatch.objects.get(pk=batch.pk).supervision_mode == "every_exam"
