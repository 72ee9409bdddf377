"""Demo scenario of the assessments app: inst_s's batches in every state (draft, submitted, scheduled,
conducted, results_published, results_reported, certificates_issued, cancelled), one with certificates issued; dates set through the business clock so the history is what it would
have been."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stdnum.cn import ric

from filing_portal.accounts.models import User
from filing_portal.core import clock
from filing_portal.workdays.calendar import add_working_days
from institutions.models import Filing

from .models import AssessmentBatch
from .services import (
    CandidateData,
    PlanItem,
    PlanPerson,
    ScoreData,
    batch_approve,
    batch_cancel,
    batch_conduct,
    batch_create,
    batch_issue_certificates,
    batch_publish_results,
    batch_report_results,
    batch_submit,
    candidates_add,
    results_record,
)

STAFF = [PlanPerson("invigilator", "钱文", "13955100001", "合肥市第八中学"),
         PlanPerson("assessor", "孙立", "13955100002", "合肥新华职业技能评价中心"),
         PlanPerson("assessor", "韩梅", "13955100003", "合肥新华职业技能评价中心"),
         PlanPerson("supervisor", "周正", "13955100004", "合肥新华职业技能评价中心")]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚"]


def _people(n: int, seed: int) -> list[CandidateData]:
    rows = []
    for i in range(n):
        male = (i + seed) % 3 != 0
        district = ("340102", "340103", "340104", "340111", "340121")[i % 5]  # Hefei's districts and Changfeng
        body = f"{district}19{88 + i % 10:02d}{(i % 12) + 1:02d}{(i % 27) + 1:02d}" \
               f"{(seed * 7 + i) % 100:02d}{(1 if male else 2) + 2 * (i % 4)}"
        rows.append(CandidateData(
            name=SURNAMES[(i + seed) % len(SURNAMES)] + GIVEN[(i * 3 + seed) % len(GIVEN)],
            gender="M" if male else "F", id_type="201", id_number=body + ric.calc_check_digit(body + "0"),
            occupation_code="4-12-01-01", level=3 if i % 3 else 4, work_type="汽车机械维修工",
            employer="合肥江淮汽车服务有限公司" if i % 2 else "个人", city="合肥市"))
    return rows


def seed_demo(stdout) -> None:
    if AssessmentBatch.objects.exists():
        stdout.write("assessments: demo batches exist already")
        return
    inst_user = User.objects.get(username="inst_s")
    staff = User.objects.get(username="city_hefei")
    filing = Filing.objects.get(institution=inst_user.institution, state="active")
    occupation_id = filing.scope.filter(active=True).values_list("occupation_id", flat=True).first()
    items = [PlanItem(occupation_id, 3, "汽车机械维修工"), PlanItem(occupation_id, 4, "汽车机械维修工")]
    today = clock.today()

    def plan(planned_on: dt.date, exam: dt.date, count: int):
        with clock.as_of(planned_on):
            return batch_create(filing=filing, acting_user=inst_user, exam_start=exam, exam_end=exam,
                                venue_address="合肥市蜀山区长江西路100号3楼", candidate_source="社会人员及合作企业职工",
                                planned_count=count, items=items, staff=STAFF)

    # certificates_issued: the whole journey in September–October 2026.
    done = plan(dt.date(2026, 8, 20), dt.date(2026, 9, 12), 24)
    with clock.as_of(dt.date(2026, 8, 20)):
        batch_submit(batch=done, acting_user=inst_user)
        batch_approve(batch=done, acting_user=staff)
        candidates_add(batch=done, rows=_people(24, 1), acting_user=inst_user)
    with clock.as_of(dt.date(2026, 9, 12)):
        batch_conduct(batch=done, acting_user=inst_user)
        done = AssessmentBatch.objects.get(pk=done.pk)
        results_record(batch=done, acting_user=inst_user, scores=[
            ScoreData(c.pk, theory=Decimal(62 + (i * 7) % 35), practical=Decimal(55 + (i * 11) % 40))
            for i, c in enumerate(done.candidates.order_by("pk"))])
    with clock.as_of(dt.date(2026, 9, 15)):
        done = batch_publish_results(batch=done, acting_user=inst_user)
    with clock.as_of(dt.date(2026, 9, 25)):
        batch_report_results(batch=done, acting_user=inst_user)
        issued = batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=done.pk), acting_user=inst_user)
    # results_published: public now.
    published = plan(today - dt.timedelta(days=40), today - dt.timedelta(days=10), 12)
    with clock.as_of(today - dt.timedelta(days=40)):
        batch_submit(batch=published, acting_user=inst_user)
        batch_approve(batch=published, acting_user=staff)
        candidates_add(batch=published, rows=_people(12, 2), acting_user=inst_user)
    with clock.as_of(today - dt.timedelta(days=10)):
        batch_conduct(batch=published, acting_user=inst_user)
        published = AssessmentBatch.objects.get(pk=published.pk)
        results_record(batch=published, acting_user=inst_user, scores=[
            ScoreData(c.pk, theory=Decimal(70 + i % 20), practical=Decimal(58 + (i * 5) % 30))
            for i, c in enumerate(published.candidates.order_by("pk"))])
    with clock.as_of(today - dt.timedelta(days=2)):
        batch_publish_results(batch=published, acting_user=inst_user)
    # results_reported: published and reported in time, certificates not issued yet.
    reported = plan(today - dt.timedelta(days=80), today - dt.timedelta(days=50), 10)
    with clock.as_of(today - dt.timedelta(days=80)):
        batch_submit(batch=reported, acting_user=inst_user)
        batch_approve(batch=reported, acting_user=staff)
        candidates_add(batch=reported, rows=_people(10, 4), acting_user=inst_user)
    with clock.as_of(today - dt.timedelta(days=50)):
        batch_conduct(batch=reported, acting_user=inst_user)
        reported = AssessmentBatch.objects.get(pk=reported.pk)
        results_record(batch=reported, acting_user=inst_user, scores=[
            ScoreData(c.pk, theory=Decimal(66 + i * 3), practical=Decimal(61 + (i * 7) % 30))
            for i, c in enumerate(reported.candidates.order_by("pk"))])
    with clock.as_of(today - dt.timedelta(days=47)):
        reported = batch_publish_results(batch=reported, acting_user=inst_user)
    with clock.as_of(reported.publish_until + dt.timedelta(days=2)):
        batch_report_results(batch=reported, acting_user=inst_user)
    # conducted: the exam was held, results not entered yet.
    held = plan(today - dt.timedelta(days=30), today - dt.timedelta(days=3), 6)
    with clock.as_of(today - dt.timedelta(days=30)):
        batch_submit(batch=held, acting_user=inst_user)
        batch_approve(batch=held, acting_user=staff)
        candidates_add(batch=held, rows=_people(6, 5), acting_user=inst_user)
    with clock.as_of(today - dt.timedelta(days=3)):
        batch_conduct(batch=held, acting_user=inst_user)
    # scheduled, submitted, draft, cancelled: upcoming exams.
    exam = add_working_days(today, 15)
    scheduled = plan(today, exam, 30)
    batch_submit(batch=scheduled, acting_user=inst_user)
    batch_approve(batch=scheduled, acting_user=staff)
    candidates_add(batch=scheduled, rows=_people(8, 3), acting_user=inst_user)
    batch_submit(batch=plan(today, add_working_days(today, 20), 20), acting_user=inst_user)
    plan(today, add_working_days(today, 25), 15)
    cancelled = plan(today, add_working_days(today, 30), 10)
    batch_cancel(batch=cancelled, reason="报名人数不足，取消本批次", acting_user=inst_user)
    stdout.write(f"assessments: {AssessmentBatch.objects.count()} batches; {issued} certificates issued in "
                 f"{done.plan_number}")
