"""Assessment batches from plan to certificates, with the calendar's real dates (ASM-01…08, JUR-04, SUP-07)."""

import datetime as dt
from decimal import Decimal

import pytest

from assessments.models import AssessmentBatch
from assessments.services import (
    CandidateImportError,
    PlanPerson,
    ScoreData,
    batch_approve,
    batch_conduct,
    batch_issue_certificates,
    batch_publish_results,
    batch_report_overdue,
    batch_report_results,
    batch_submit,
    candidates_add,
    result_objection_raise,
    result_objection_resolve,
    results_record,
)
from certificates.models import Certificate
from certificates.selectors import certificate_verify_by_number
from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.services.filings import filing_suspend
from tests.assessments.conftest import STAFF, person, plan
from tests.institutions.conftest import on

D = dt.date.fromisoformat


def test_plan_is_filed_10_wd_before_the_exam__ASM_01(filing, people, occupations):
    late = plan(filing, people, occupations, exam="2026-04-15")  # 9 WD after 2026-04-01 (Qingming Apr 4–6 off)
    with on("2026-04-01"), pytest.raises(DomainError) as err:
        batch_submit(batch=late, acting_user=people["inst_user"])
    assert err.value.rule == "ASM-01"
    ok = plan(filing, people, occupations, exam="2026-04-16")  # the 10th working day
    with on("2026-04-01"):
        batch_submit(batch=ok, acting_user=people["inst_user"])
    assert AssessmentBatch.objects.get(pk=ok.pk).state == "submitted"


def test_levels_outside_the_scope_are_refused__ASM_02(filing, people, occupations):
    batch = plan(filing, people, occupations, levels=(2, 3))
    with on("2026-04-01"), pytest.raises(DomainError) as err:
        batch_submit(batch=batch, acting_user=people["inst_user"])
    assert err.value.rule == "ASM-02"


@pytest.mark.parametrize("staff", [
    [PlanPerson("invigilator", "钱监考", "139", is_trainer=True), *STAFF[1:]],
    [PlanPerson("invigilator", "孙考评", "13900000002"), *STAFF[1:]],  # one person, two roles
    STAFF[:2],  # no quality supervisor
])
def test_invigilators_and_roles__ASM_03(filing, people, occupations, staff):
    batch = plan(filing, people, occupations, staff=staff)
    with on("2026-04-01"), pytest.raises(DomainError) as err:
        batch_submit(batch=batch, acting_user=people["inst_user"])
    assert err.value.rule == "ASM-03"


def test_a_suspended_filing_may_not_plan_and_the_refusal_is_recorded__REN_02_SUP_07(filing, people, occupations):
    filing_suspend(filing=filing, reason="整改", acting_user=people["city_hefei"])
    filing.refresh_from_db()
    with pytest.raises(DomainError) as err:
        plan(filing, people, occupations)
    assert err.value.rule == "REN-02"
    event = AuditEvent.objects.get(action="assessmentbatch.create.refused")
    assert event.data["rule"] == "SUP-07"


def test_technician_levels_are_copied_to_the_province__JUR_04(filing, people, occupations):
    from institutions.models import FilingScope

    FilingScope.objects.create(filing=filing, occupation=occupations["4-12-01-01"], work_type="汽车机械维修工",
                               level=2, added_on=D("2026-03-10"), added_by=filing.source_application)
    batch = plan(filing, people, occupations, levels=(2, 3))
    with on("2026-04-01"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
    assert AssessmentBatch.objects.get(pk=batch.pk).copied_to_province


@pytest.fixture
def scheduled(filing, people, occupations):
    batch = plan(filing, people, occupations)
    with on("2026-04-01"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
        with pytest.raises(PermissionDeniedError):
            batch_approve(batch=batch, acting_user=people["city_wuhu"])
        batch_approve(batch=batch, acting_user=people["city_hefei"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def test_candidates_all_or_nothing_with_every_bad_row_named__CERT_02(scheduled, people):
    good = [person(i) for i in range(3)]
    wrong_digit = person(7)
    wrong_digit.id_number = wrong_digit.id_number[:-1] + ("0" if wrong_digit.id_number[-1] != "0" else "1")
    wrong_gender = person(8, gender="M")
    wrong_gender.gender = "F"
    outside = person(9, level=5)
    with pytest.raises(CandidateImportError) as err:
        candidates_add(batch=scheduled, rows=[*good, wrong_digit, wrong_gender, outside, person(1)],
                       acting_user=people["inst_user"])
    assert set(err.value.errors) == {4, 5, 6, 7}
    assert "CERT-02" in err.value.errors[4]["id_number"] and "gender" in err.value.errors[5]
    assert "ASM-02" in err.value.errors[6]["occupation"] and "2" in err.value.errors[7]["id_number"]
    assert not scheduled.candidates.exists()
    assert len(candidates_add(batch=scheduled, rows=good, acting_user=people["inst_user"])) == 3


def test_an_employer_assesses_its_own_staff__ELIG_02(people, occupations):
    from assessments.services import candidate_problems, employer_names

    class FakeBatch:
        institution = people["employer"]

    allowed = employer_names(FakeBatch())
    assert candidate_problems(None, person(1, employer="别的公司"), items={("4-12-01-01", 3)},
                              allowed_employers=allowed)["employer"].startswith("ELIG-02")
    assert "employer" not in candidate_problems(None, person(1, employer=people["employer"].name),
                                                items={("4-12-01-01", 3)}, allowed_employers=allowed)


def conduct_with_results(batch, people, n=4):
    candidates_add(batch=batch, rows=[person(i, level=3 if i % 2 else 4) for i in range(n)],
                   acting_user=people["inst_user"])
    with on("2026-04-20"):
        batch_conduct(batch=batch, acting_user=people["inst_user"])
        batch = AssessmentBatch.objects.get(pk=batch.pk)
        scores = [ScoreData(c.pk, theory=Decimal(75), practical=Decimal(59 if i == 0 else 80))
                  for i, c in enumerate(batch.candidates.order_by("pk"))]
        results_record(batch=batch, scores=scores, acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def test_conduct_only_from_the_exam_date__ASM_01(scheduled, people):
    with on("2026-04-19"), pytest.raises(DomainError) as err:
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
    assert err.value.rule == "ASM-01"


def test_every_candidate_assessed_in_the_same_subjects__ASM_07(scheduled, people):
    candidates_add(batch=scheduled, rows=[person(1)], acting_user=people["inst_user"])
    with on("2026-04-20"):
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
        batch = AssessmentBatch.objects.get(pk=scheduled.pk)
        cid = batch.candidates.get().pk
        with pytest.raises(CandidateImportError) as err:
            results_record(batch=batch, scores=[ScoreData(cid, theory=Decimal(80))], acting_user=people["inst_user"])
        assert "ASM-07" in err.value.errors[1]["practical"]
        with pytest.raises(DomainError) as err:
            batch_publish_results(batch=batch, acting_user=people["inst_user"])
        assert err.value.rule == "ASM-07"


def test_publication_7_days_then_report_within_10_wd__ASM_05(scheduled, people):
    batch = conduct_with_results(scheduled, people)
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
    assert (batch.publish_from, batch.publish_until) == (D("2026-04-21"), D("2026-04-27"))
    # 10 WD after Mon 2026-04-27 over Labour Day (May 1–5 off, Sat May 9 worked)
    assert batch.report_due == D("2026-05-13")
    with on("2026-04-27"), pytest.raises(DomainError) as err:
        batch_report_results(batch=batch, acting_user=people["inst_user"])
    assert err.value.rule == "ASM-05"
    with on("2026-05-13"):
        assert not batch_report_overdue(AssessmentBatch.objects.get(pk=batch.pk))
    with on("2026-05-14"):
        assert batch_report_overdue(AssessmentBatch.objects.get(pk=batch.pk))
        batch_report_results(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])


def test_an_open_result_objection_blocks_the_report__ASM_05(scheduled, people):
    batch = conduct_with_results(scheduled, people)
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
        objection = result_objection_raise(batch=batch, contact="13900000000", content="考生4号替考")
    with on("2026-04-28"):
        with pytest.raises(DomainError):
            batch_report_results(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
        result_objection_resolve(objection=objection, upheld=False, resolution="经核查监控录像，无替考",
                                 acting_user=people["city_hefei"])
        batch_report_results(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])


def test_passers_get_consecutive_certificates_linked_to_batch__ASM_06_NUM_07(scheduled, people):
    batch = conduct_with_results(scheduled, people, n=6)
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        count = batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk),
                                         acting_user=people["inst_user"])
    assert count == 5  # candidate 0 failed the practical (59)
    certs = Certificate.objects.filter(batch=batch).order_by("number")
    # levels alternate 4, 3, 4, 3, 4, 3; the first (level 4) failed
    assert [c.number[-7:] for c in certs] == ["3000001", "3000002", "3000003", "4000001", "4000002"]
    assert all(c.filing_id == batch.filing_id and c.issue_date == D("2026-04-28") for c in certs)
    linked = batch.candidates.filter(certificate__isnull=False)
    assert linked.count() == 5 and all(c.certificate.holder_name == c.name for c in linked)
    first = certs.first()
    assert certificate_verify_by_number(number=first.number, name=first.holder_name) == first


def test_a_suspension_stops_reporting_and_is_recorded__SUP_07(scheduled, people):
    batch = conduct_with_results(scheduled, people)
    filing_suspend(filing=batch.filing, reason="违规整改", acting_user=people["city_hefei"])
    with on("2026-04-21"), pytest.raises(DomainError) as err:
        batch_publish_results(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    assert err.value.rule == "REN-02"
    assert AuditEvent.objects.filter(action="assessmentbatch.publish_results.refused").exists()
