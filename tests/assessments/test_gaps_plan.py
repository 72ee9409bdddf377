"""The plan after `return_for_changes`, the filed venue (ELIG-10), the work type in the scope guard (ASM-02),
out-of-scope refusals recorded (SUP-07), and the pass mark and publicity days from the policy profile."""

import datetime as dt
from decimal import Decimal

import pytest

from assessments.models import AssessmentBatch
from assessments.services import (
    PlanItem,
    ScoreData,
    batch_approve,
    batch_conduct,
    batch_publish_results,
    batch_return,
    batch_submit,
    batch_update,
    candidates_add,
    results_record,
)
from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.regions.models import PolicyProfile
from institutions.models import FilingScope
from tests.assessments.conftest import STAFF, person, plan
from tests.assessments.test_pages import plan_post, submitted
from tests.institutions.conftest import on

D = dt.date.fromisoformat
VENUE = "合肥市蜀山区实训楼1号"


def returned(filing, people, occupations):
    batch = submitted(filing, people, occupations)
    with on("2026-04-01"):
        batch_return(batch=batch, reason="请补充第二名考评员", acting_user=people["city_hefei"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def _update(batch, people, occupations, **overrides):
    values = {"exam_start": D("2026-04-21"), "exam_end": D("2026-04-22"), "venue_address": VENUE,
              "candidate_source": "企业职工", "planned_count": 30,
              "items": [PlanItem(occupations["4-12-01-01"].pk, 4, "汽车机械维修工")], "staff": STAFF}
    values.update(overrides)
    with on("2026-04-02"):
        return batch_update(batch=batch, acting_user=people["inst_user"], **values)


# -- editing a returned plan -----------------------------------------------------------------------------------
def test_a_returned_plan_is_changed_and_submitted_again__ASM_01(filing, people, occupations):
    batch = returned(filing, people, occupations)
    assert batch.state == "draft" and batch.return_comment == "请补充第二名考评员"
    staff = [*STAFF, STAFF[1].__class__("assessor", "韩考评", "13900000009")]
    batch = _update(batch, people, occupations, staff=staff)
    assert (batch.exam_start, batch.exam_end, batch.planned_count, batch.candidate_source) == (
        D("2026-04-21"), D("2026-04-22"), 30, "企业职工")
    assert list(batch.items.values_list("level", flat=True)) == [4]
    assert batch.staff.filter(role="assessor").count() == 2
    event = AuditEvent.objects.get(action="assessmentbatch.update")
    assert set(event.data["changed"]) >= {"exam_start", "exam_end", "planned_count", "candidate_source"}
    with on("2026-04-02"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "submitted"


def test_only_a_draft_of_ones_own_is_changed__ASM_01_JUR_03(filing, people, occupations):
    batch = submitted(filing, people, occupations)
    with pytest.raises(DomainError) as err:
        _update(batch, people, occupations)
    assert err.value.rule == "ASM-01"
    with on("2026-04-02"), pytest.raises(PermissionDeniedError):
        batch_update(batch=batch, acting_user=people["other_user"], exam_start=D("2026-04-21"),
                     exam_end=D("2026-04-21"), venue_address=VENUE, candidate_source="x", planned_count=1,
                     items=[], staff=STAFF)


def test_the_edit_page_shows_the_return_comments_and_saves__ASM_01(client, filing, people, occupations):
    batch = returned(filing, people, occupations)
    client.force_login(people["inst_user"])
    with on("2026-04-02"):
        page = client.get(f"/my/batches/{batch.pk}/edit/")
        text = page.content.decode()
        assert page.status_code == 200 and "请补充第二名考评员" in text and 'value="钱监考"' in text
        assert f'value="{VENUE}"' in text and 'value="2026-04-20"' in text
        detail = client.get(f"/my/batches/{batch.pk}/").content.decode()
        assert "请补充第二名考评员" in detail and f"/my/batches/{batch.pk}/edit/" in detail
        data = plan_post(filing, planned_count="35", exam_start="2026-04-23", exam_end="2026-04-23")
        data["staff-INITIAL_FORMS"] = "3"
        response = client.post(f"/my/batches/{batch.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/my/batches/{batch.pk}/"
    batch = AssessmentBatch.objects.get(pk=batch.pk)
    assert (batch.planned_count, batch.exam_start, batch.state) == (35, D("2026-04-23"), "draft")
    assert batch.staff.count() == 3 and AssessmentBatch.objects.count() == 1


def test_the_edit_page_is_closed_once_submitted(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    client.force_login(people["inst_user"])
    response = client.get(f"/my/batches/{batch.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/my/batches/{batch.pk}/"
    client.force_login(people["other_user"])
    assert client.get(f"/my/batches/{batch.pk}/edit/").status_code == 404


# -- the venue -------------------------------------------------------------------------------------------------
def test_a_venue_that_was_not_filed_is_refused__ELIG_10(filing, people, occupations):
    with pytest.raises(DomainError) as err:
        with on("2026-04-01"):
            from assessments.services import batch_create

            batch_create(filing=filing, acting_user=people["inst_user"], exam_start=D("2026-04-20"),
                         exam_end=D("2026-04-20"), venue_address="合肥市包河区临时租用场地", candidate_source="社会人员",
                         planned_count=10, items=[PlanItem(occupations["4-12-01-01"].pk, 4, "汽车机械维修工")],
                         staff=STAFF)
    assert err.value.rule == "ELIG-10" and VENUE in err.value.message
    assert not AssessmentBatch.objects.exists()
    # spacing and punctuation do not matter
    batch = plan(filing, people, occupations)
    _update(batch, people, occupations, venue_address="合肥市 蜀山区，实训楼1号")
    with pytest.raises(DomainError) as err:
        _update(batch, people, occupations, venue_address="别处")
    assert err.value.rule == "ELIG-10"


def test_the_submit_guard_checks_the_venue_too__ELIG_10(filing, people, occupations):
    batch = plan(filing, people, occupations)
    AssessmentBatch.objects.filter(pk=batch.pk).update(venue_address="别的地址")
    with on("2026-04-01"), pytest.raises(DomainError) as err:
        batch_submit(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    assert err.value.rule == "ELIG-10"


def test_the_plan_form_names_the_filed_venues__ELIG_10(client, filing, people, occupations):
    client.force_login(people["inst_user"])
    with on("2026-04-01"):
        response = client.post("/my/batches/new/", plan_post(filing, venue_address="合肥市包河区某路8号"))
    text = response.content.decode()
    assert response.status_code == 200 and not AssessmentBatch.objects.exists()
    assert "ELIG-10" in text and VENUE in text


# -- the work type in the scope --------------------------------------------------------------------------------
def test_a_work_type_outside_the_filed_one_is_refused_and_recorded__ASM_02_SUP_07(filing, people, occupations):
    with on("2026-04-01"):
        from assessments.services import batch_create

        batch = batch_create(filing=filing, acting_user=people["inst_user"], exam_start=D("2026-04-20"),
                             exam_end=D("2026-04-20"), venue_address=VENUE, candidate_source="社会人员",
                             planned_count=10, items=[PlanItem(occupations["4-12-01-01"].pk, 4, "汽车电器维修工")],
                             staff=STAFF)
        with pytest.raises(DomainError) as err:
            batch_submit(batch=batch, acting_user=people["inst_user"])
    assert err.value.rule == "ASM-02"
    event = AuditEvent.objects.get(action="assessmentbatch.submit.refused")
    assert event.data == {"rule": "SUP-07", "refused_rule": "ASM-02", "reason": "outside_scope"}
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "draft"


def test_a_scope_row_without_work_type_covers_the_occupation__ASM_02(filing, people, occupations):
    FilingScope.objects.create(filing=filing, occupation=occupations["6-18-01-01"], work_type="", level=4,
                               added_on=D("2026-03-10"), added_by=filing.source_application)
    with on("2026-04-01"):
        from assessments.services import batch_create

        batch = batch_create(filing=filing, acting_user=people["inst_user"], exam_start=D("2026-04-20"),
                             exam_end=D("2026-04-20"), venue_address=VENUE, candidate_source="社会人员",
                             planned_count=10, items=[PlanItem(occupations["6-18-01-01"].pk, 4, "数控车工")],
                             staff=STAFF)
        batch_submit(batch=batch, acting_user=people["inst_user"])
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "submitted"


def test_a_level_outside_the_scope_is_recorded__SUP_07(filing, people, occupations):
    batch = plan(filing, people, occupations, levels=(2, 3))
    with on("2026-04-01"), pytest.raises(DomainError):
        batch_submit(batch=batch, acting_user=people["inst_user"])
    assert AuditEvent.objects.filter(action="assessmentbatch.submit.refused", data__rule="SUP-07",
                                     data__reason="outside_scope").count() == 1


def test_other_refusals_are_not_recorded_as_SUP_07(filing, people, occupations):
    late = plan(filing, people, occupations, exam="2026-04-15")  # ASM-01 lead time
    with on("2026-04-01"), pytest.raises(DomainError):
        batch_submit(batch=late, acting_user=people["inst_user"])
    assert not AuditEvent.objects.filter(action="assessmentbatch.submit.refused").exists()


# -- the policy profile ------------------------------------------------------------------------------------------
def test_pass_mark_and_publicity_days_come_from_the_profile__ASM_05(filing, people, occupations):
    PolicyProfile.objects.filter(province__code="340000").update(pass_mark=70, results_publicity_days=10)
    batch = plan(filing, people, occupations)
    assert batch.pass_mark == 70
    with on("2026-04-01"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
        batch_approve(batch=batch, acting_user=people["city_hefei"])
    candidates_add(batch=batch, rows=[person(1, level=4), person(2, level=4)], acting_user=people["inst_user"])
    with on("2026-04-20"):
        batch_conduct(batch=batch, acting_user=people["inst_user"])
        batch = AssessmentBatch.objects.get(pk=batch.pk)
        first, second = batch.candidates.order_by("pk")
        results_record(batch=batch, acting_user=people["inst_user"], scores=[
            ScoreData(first.pk, theory=Decimal(65), practical=Decimal(90)),  # passes at 60, fails at 70
            ScoreData(second.pk, theory=Decimal(70), practical=Decimal(70))])
    assert list(batch.candidates.order_by("pk").values_list("result", flat=True)) == ["fail", "pass"]
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
    assert (batch.publish_from, batch.publish_until) == (D("2026-04-21"), D("2026-04-30"))  # 10 days


def test_the_default_profile_keeps_60_and_7_days__ASM_05(filing, people, occupations):
    profile = PolicyProfile.objects.get(province__code="340000")
    assert (profile.pass_mark, profile.results_publicity_days) == (60, 7)
    assert plan(filing, people, occupations).pass_mark == 60
