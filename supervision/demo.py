"""Demo scenario of supervision (DESIGN.md "Demo data", issue 6 item 11): the inspector pool, a published
双随机一公开 draw with its inspections (one failed), an open and an answered complaint, one decided case of
each tier and one case proposed by the daily sweep.

Everything goes through the services with the business clock set to the days the steps happened, so the
audit trail, the due dates and the public pages are what a real history would have produced. Idempotent:
every part looks for what it made on an earlier run first, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.accounts.models import User
from filing_portal.core import clock
from filing_portal.regions.models import Region
from institutions.demo import _draft, _institution, _user_for, _walk
from institutions.models import Filing, Institution

from . import draws, inspections
from .cases import case_decide, case_investigate, case_open
from .complaints import complaint_answer, complaint_open_case, complaint_start, complaint_submit
from .detections import filings_with_last_activity
from .models import Case, Complaint, Draw, Inspection, InspectionFinding, InspectorProfile, Tier

DRAW_TITLE = "2026年度职业技能等级评价机构“双随机、一公开”抽查（第四季度）"
# key, name, USCC seed (institutions.demo._code), address, days ago its application was submitted: the filed
# Hefei institutions of this scenario ("idle" has held its filing for over a year without an exam)
INSTITUTIONS = [
    ("tier1", "合肥精工职业技能评价中心", "4H6K8M1", "合肥市包河区繁华大道 18 号", 270),
    ("tier2", "合肥新锐职业技能评价中心", "4H6K8M2", "合肥市瑶海区临泉路 66 号", 270),
    ("tier3", "合肥速达职业技能鉴定站", "4H6K8M3", "合肥市庐阳区阜南路 9 号", 270),
    ("idle", "合肥巢湖职业技能评价中心", "4H6K8M4", "合肥市巢湖市健康中路 120 号", 430),
]
# username, code, full name, employer (a key of INSTITUTIONS: a conflict of interest) or employer name
INSPECTORS = [
    ("inspector1", "DD-0001", "督导员 赵督导", "安徽省职业技能鉴定指导中心"),
    ("inspector2", "DD-0002", "督导员 钱建国", "安徽职业技术学院"),
    ("inspector3", "DD-0003", "督导员 孙丽华", "合肥职业技术学院"),
    ("inspector4", "DD-0004", "督导员 周文斌", "安徽省技工教育研究会"),
    ("inspector5", "DD-0005", "督导员 吴海燕", "芜湖职业技术学院"),
    ("inspector6", "DD-0006", "督导员 郑国强", "tier1"),
]
ALL_COMPLIANT = {item: (True, "") for item in InspectionFinding.Item.values}
FAILED_FINDINGS = {
    **ALL_COMPLIANT,
    "video": (False, "抽查近三个月两个批次，理论考场监控视频均缺失 40 分钟以上，无法回放完整考试过程。"),
    "records": (False, "评价工作台账未按批次建立，部分考生报名资格审核材料缺失。"),
    "staffing": (False, "一名监考人员系同期培训班授课教师。"),
}
OPEN_COMPLAINT = "该机构在微信公众号和招生群发布“交钱包过、不过退费”广告，并要求报名者另交 800 元培训费。"
ANSWERED_COMPLAINT = ("2026年我在该中心参加汽车维修工四级认定，理论考试监考的是给我们上培训课的老师，考场也没有"
                      "全程录像。")


def _service(service):
    """The body of a `durable` service, called inside seed_demo's one transaction.

    Top-level services are `atomic(durable=True)` so nobody nests them by accident (STYLE.md); seed_demo
    nests them on purpose — the whole scenario is one transaction. `__wrapped__` (functools.wraps) is the
    undecorated function: the same checks, transitions and audit records.
    """
    return getattr(service, "__wrapped__", service)


def _filed(key: str, name: str, seed: str, address: str, staff, expert, start: dt.date) -> Filing:
    """A filed Hefei institution (through the filing workflow, as institutions.demo does), once."""
    institution = _institution(name, "S", "340100", seed, address=address)
    user = _user_for(institution, f"inst_sup_{key}")
    filing = Filing.objects.filter(institution=institution).order_by("pk").first()
    if filing is None:
        _walk(_draft(institution, user), user, staff, expert, until="approved", start=start)
        filing = Filing.objects.get(institution=institution)
    return filing


def _inspectors(anhui: Region, filings: dict[str, Filing]) -> list[InspectorProfile]:
    """inspector1 and five more, in the Anhui pool; DD-0006 works for a filed institution (a conflict)."""
    template = User.objects.get(username="inspector1")  # the others get the demo password seed_demo gave it
    profiles = []
    for username, code, full_name, employer in INSPECTORS:
        user = User.objects.filter(username=username).first() or User(username=username)
        if username != template.username:  # inspector1 is seed_demo's own; the others as it makes its users
            user.role, user.last_name, user.first_name = "inspector", full_name, ""
            user.password = template.password
            user.save()
        institution = filings[employer].institution if employer in filings else None
        profile, _created = InspectorProfile.objects.update_or_create(user=user, defaults={
            "code": code, "region": anhui, "employer": institution,
            "employer_name": institution.name if institution else employer, "active": True})
        profiles.append(profile)
    return profiles


def _draw(province, anhui: Region, pool: list[InspectorProfile], ours: set[int], today: dt.date) -> Draw:
    """Defined, committed, run, every inspection recorded (one fail), results published."""
    draw = Draw.objects.filter(title=DRAW_TITLE, region=anhui).first()
    if draw is not None:
        return draw
    created_on, run_on = today - dt.timedelta(days=75), today - dt.timedelta(days=74)
    with clock.as_of(created_on):
        draw = _service(draws.draw_create)(
            title=DRAW_TITLE, sample_size=3, team_size=2, inspectors=pool, acting_user=province, region=anhui,
            inspect_from=today - dt.timedelta(days=70), inspect_until=today - dt.timedelta(days=40))
        draw = _service(draws.draw_commit)(draw=draw, acting_user=province)
    with clock.as_of(run_on):
        draw = _service(draws.draw_run)(draw=Draw.objects.get(pk=draw.pk), acting_user=province)
    # committed_at / drawn_at come from the wall clock: put them on the story's days for the public pages
    Draw.objects.filter(pk=draw.pk).update(
        committed_at=timezone.make_aware(dt.datetime.combine(created_on, dt.time(9, 30))),
        drawn_at=timezone.make_aware(dt.datetime.combine(run_on, dt.time(9, 0))))
    selected = list(draw.inspections.order_by("pk"))  # selection order
    # the fail goes to one of this scenario's own institutions, not inst_s or the renewal-window filing
    # (four of the six filings are the scenario's, so every sample of three holds one)
    failed = next((i for i in selected if i.institution_id in ours), selected[0])
    for n, inspection in enumerate(selected):
        day = today - dt.timedelta(days=65 - 5 * n)
        recorder = inspection.team.order_by("code").first().user
        with clock.as_of(day):
            if inspection.pk == failed.pk:
                _service(inspections.inspection_record)(
                    inspection=inspection, acting_user=recorder, inspected_on=day, findings=FAILED_FINDINGS,
                    outcome=Inspection.Outcome.FAIL,
                    summary="考试监控视频不完整，台账缺失，使用培训教师监考；责令限期整改并复查。")
            else:
                _service(inspections.inspection_record)(
                    inspection=inspection, acting_user=recorder, inspected_on=day, findings=ALL_COMPLIANT,
                    outcome=Inspection.Outcome.PASS, summary="制度公开、场地设备、人员配备和档案管理符合要求。")
    with clock.as_of(today - dt.timedelta(days=35)):
        draw = _service(draws.draw_publish_results)(draw=Draw.objects.get(pk=draw.pk), acting_user=province)
    return draw


def _complaints(city, filings: dict[str, Filing], today: dt.date) -> tuple[Complaint, Complaint]:
    """An answered complaint (a case opened from it, decided tier 1) and one received a few days ago."""
    tier1 = filings["tier1"]
    answered = Complaint.objects.filter(institution=tier1.institution, facts=ANSWERED_COMPLAINT).first()
    if answered is None:
        with clock.as_of(today - dt.timedelta(days=50)):
            answered = complaint_submit(facts=ANSWERED_COMPLAINT, institution=tier1.institution,
                                        contact_name="王先生", contact_phone="13856001234")
        with clock.as_of(today - dt.timedelta(days=49)):
            answered = complaint_start(complaint=answered, acting_user=city)
        with clock.as_of(today - dt.timedelta(days=46)):
            case = complaint_open_case(complaint=answered, acting_user=city)
            case_investigate(case=case, acting_user=city, comment="调取考场监控视频和监考安排表")
        with clock.as_of(today - dt.timedelta(days=40)):
            case_decide(case=case, tier=Tier.TIER1, article="21.7", acting_user=city,
                        decision="约谈机构负责人，责令立即停止使用培训师资监考，健全考场监控。",
                        interview_on=today - dt.timedelta(days=41), interviewee="李明（机构负责人）",
                        interview_record="负责人承认 2026 年第三季度两个批次由培训教师监考、部分考场未全程录像，"
                                         "承诺一个月内调整考务人员并补齐监控设备。")
            answered = complaint_answer(
                complaint=answered, outcome=Complaint.Outcome.SUBSTANTIATED, acting_user=city,
                response=f"经核查，您反映的情况属实。我中心已立案（{case.reference}）并约谈该机构负责人，"
                         "责令其立即整改。感谢您的监督。")
    complained = filings["idle"].institution
    received = Complaint.objects.filter(institution=complained, facts=OPEN_COMPLAINT).first()
    if received is None:
        with clock.as_of(today - dt.timedelta(days=3)):
            received = complaint_submit(facts=OPEN_COMPLAINT, institution=complained, anonymous=True)
    return answered, received


def _case(filing: Filing, city, *, summary: str, opened: dt.date, decided: dt.date, tier: str, article: str,
          decision: str) -> Case:
    """A staff case on `filing`, investigated and decided (tier 2 or 3), once per institution and tier."""
    case = Case.objects.filter(institution_id=filing.institution_id, tier=tier).first()
    if case is not None:
        return case
    with clock.as_of(opened):
        case = case_open(institution=filing.institution, region=filing.handling_region, filing=filing,
                         origin=Case.Origin.STAFF, summary=summary, acting_user=city)
        case = case_investigate(case=case, acting_user=city)
    with clock.as_of(decided):
        return case_decide(case=case, tier=tier, article=article, decision=decision, acting_user=city)


def _propose_idle(filing: Filing, today: dt.date) -> Case | None:
    """The case the daily sweep proposes for a filing without an exam for a year (FJ23 Art.22(4)), for staff
    to confirm or dismiss — with the sweep's own detection key, so the sweep never proposes it again.

    Only for this filing: the sweep itself would also propose revoking the demo's older filings without
    batches (institutions' renewal-window filing among them), which REN-05 would then refuse to renew.
    """
    filing = filings_with_last_activity(today, ("active",)).filter(pk=filing.pk).first()
    if filing is None or filing.last_activity > today - relativedelta(years=1):
        return None
    key = f"{Case.Detection.INACTIVE_1Y}:{filing.pk}:{filing.last_activity.isoformat()}"
    existing = Case.objects.filter(detection_key=key).first()
    if existing is not None:
        return existing
    # the sweep's own summary (detections.detect_inactive_filings)
    summary = (_("No assessment batch since %(date)s (%(years)d year(s) by %(today)s): FJ23 Art.%(article)s.")
               % {"date": filing.last_activity.isoformat(), "years": 1, "today": today.isoformat(),
                  "article": "22(4)"})
    with clock.as_of(today):
        return case_open(institution=filing.institution, filing=filing, region=filing.handling_region,
                         origin=Case.Origin.DETECTION, summary=summary, proposed=True,
                         proposed_tier=Tier.TIER2, detection=Case.Detection.INACTIVE_1Y, detection_key=key)


def seed_demo(stdout) -> None:
    today = clock.today()
    anhui = Region.objects.get(code="340000")
    province, city = User.objects.get(username="province_ah"), User.objects.get(username="city_hefei")
    expert = User.objects.get(username="expert1")
    filings = {key: _filed(key, name, seed, address, city, expert, today - dt.timedelta(days=days))
               for key, name, seed, address, days in INSTITUTIONS}
    pool = _inspectors(anhui, filings)
    ours = {f.institution_id for f in filings.values()}
    draw = _draw(province, anhui, pool, ours, today)
    answered, received = _complaints(city, filings, today)

    def day(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    tier2 = _case(filings["tier2"], city, summary="网络平台发布“包过”“不过退费”等虚假宣传（经网上巡查核实）。",
                  opened=day(20), decided=day(8), tier=Tier.TIER2, article="22.7",
                  decision="责令限期整改，整改期间暂停评价活动，备案期内不得新增职业（工种）和等级。")
    tier3 = _case(filings["tier3"], city, summary="备案材料中的实训场地租赁合同经出租方确认系伪造。",
                  opened=day(40), decided=day(15), tier=Tier.TIER3, article="23.2",
                  decision="撤销备案，注销备案编号，三年内不得再次申请备案，并向社会公布。")
    proposed = _propose_idle(filings["idle"], today)
    institution_count = Institution.objects.filter(pk__in=ours).count()
    stdout.write(f"supervision: {len(pool)} inspectors; draw {draw.reference} {draw.state} "
                 f"({len(draw.population)} filings, {len(draw.selection)} drawn); complaints "
                 f"{answered.ack_number} {answered.status}, {received.ack_number} {received.status}; cases "
                 f"{tier2.reference} {tier2.tier}, {tier3.reference} {tier3.tier}; "
                 f"{proposed.reference if proposed else 'none'} {proposed.state if proposed else ''}; "
                 f"{institution_count} institutions of the scenario")
