"""Cases, tiers and sanctions (SUP-03…06; DESIGN.md "Supervision case").

`case_open` is the one way a case comes into being — from staff, a complaint, an inspection, a recorded batch
violation or the daily sweep's detections (which open it `proposed`, for staff to confirm or dismiss).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filing_portal.audit.services import audit_record, audit_record_many, rows_insert
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import transition_run

from .models import Case, Tier, region_in_jurisdiction
from .references import next_reference

BAN_YEARS = 3  # ELIG-11



def cases_propose_many(proposals: list[dict]) -> int:
    """The sweep's batched `case_open(proposed=True, ...)`: one insert and one audit insert for many proposals.

    Each proposal holds `institution_id`, `filing_id`, `region_id`, `summary`, `proposed_tier`, `detection` and
    `detection_key`. Keys already proposed are skipped (idempotent). References are numbered in one block after
    the last one; all in one transaction, so a concurrent writer taking a reference makes the whole block
    retry once. Returns the number of cases proposed.
    """
    if not proposals:
        return 0
    for _attempt in range(2):
        try:
            with transaction.atomic():
                existing = set(Case.objects.filter(detection_key__in=[p["detection_key"] for p in proposals])
                               .values_list("detection_key", flat=True))
                todo = [p for p in proposals if p["detection_key"] not in existing]
                if not todo:
                    return 0
                stem, first = next_reference(Case, "AJ").rsplit("-", 1)
                first = int(first)
                # Plain rows, not model instances (COPY on PostgreSQL): every column at its default, then the
                # proposal's values.
                now = timezone.now()
                template = {f.attname: (now if getattr(f, "auto_now_add", False) else f.get_default())
                            for f in Case._meta.concrete_fields if not f.primary_key}
                today = clock.today()
                rows = [{**template, "reference": f"{stem}-{first + i:06d}", "state": Case.State.PROPOSED,
                         "opened_on": today, "origin": Case.Origin.DETECTION, **p} for i, p in enumerate(todo)]
                ids = rows_insert(Case, rows, return_ids=True)
                audit_record_many(entries=[
                    {"action": "case.open", "object_type": Case._meta.label_lower, "object_id": pk,
                     "object_repr": row["reference"], "to_state": Case.State.PROPOSED,
                     "comment": row["summary"][:200],
                     "data": {"origin": row["origin"], "detection": row["detection"],
                              "proposed_tier": row["proposed_tier"]}}
                    for pk, row in zip(ids, rows, strict=True)])
                return len(rows)
        except IntegrityError:
            continue
    raise DomainError(_("Could not number the cases; try again."), rule="SUP-06", code="busy")


def case_open(*, institution, region, origin: str, summary: str, acting_user=None, filing=None,
              proposed: bool = False, proposed_tier: str = "", detection: str = "", detection_key: str | None = None,
              inspection=None, batch=None, batch_violation=None, escalated_from=None) -> Case | None:
    """Open a case (state `open`), or propose one (state `proposed`) when the sweep detected it.

    With a `detection_key` the call is idempotent: a second call with the same key returns None and changes
    nothing (the sweep can run any number of times). `acting_user` None means the system.
    """
    if acting_user is not None and not region_in_jurisdiction(region, acting_user):
        raise PermissionDeniedError(_("The institution is outside your jurisdiction."), rule="JUR-03")
    if not (summary or "").strip():
        raise DomainError(_("Say what the case is about."), rule="SUP-06", code="reason_required")
    if detection_key and Case.objects.filter(detection_key=detection_key).exists():
        return None
    state = Case.State.PROPOSED if proposed else Case.State.OPEN
    for _attempt in range(3):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=next_reference(Case, "AJ"), state=state, institution=institution, filing=filing,
                    region=region, origin=origin, summary=summary.strip(), opened_on=clock.today(),
                    opened_by=acting_user, proposed_tier=proposed_tier, detection=detection,
                    detection_key=detection_key, inspection=inspection, batch=batch,
                    batch_violation=batch_violation, escalated_from=escalated_from)
                audit_record(actor=acting_user, action="case.open", obj=case, to_state=state,
                             comment=summary.strip()[:200],
                             data={"origin": origin, "detection": detection, "proposed_tier": proposed_tier})
                return case
        except IntegrityError:
            if detection_key and Case.objects.filter(detection_key=detection_key).exists():
                return None
            continue  # a concurrent writer took the reference: try the next one
    raise DomainError(_("Could not number the case; try again."), rule="SUP-06", code="busy")


# == the article items (FJ23 Art.21–23) ==================================================================
@dataclass(frozen=True)
class Article:
    """One numbered item of FJ23 Art.21–23: the tier it belongs to, a short msgid and the source text."""

    key: str  # "21.8"
    tier: str
    title: object  # lazy msgid
    source: str  # the Chinese text, printed on notices
    ground: str = ""  # TERM-04 ground of cancellation a tier-3 revocation under this item names

    @property
    def label(self) -> str:
        article, item = self.key.split(".")
        return _("FJ23 Art.%(article)s(%(item)s)") % {"article": article, "item": item}

    @property
    def source_label(self) -> str:
        article, item = self.key.split(".")
        return f"《福建省职业技能等级评价机构管理办法》第{CN_NUMBERS[int(article)]}条第（{CN_NUMBERS[int(item)]}）项"


CN_NUMBERS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
              11: "十一", 12: "十二", 21: "二十一", 22: "二十二", 23: "二十三", 24: "二十四"}

_ARTICLE_ROWS = [
    # Art.21: minor (情节轻微) — interview of the head; results of the batch may be declared void (SUP-03)
    ("21.1", Tier.TIER1, gettext_lazy("Assessment plan not published in time, or not followed"),
     "未及时公开评价计划，或未按公开的评价计划执行的", ""),
    ("21.2", Tier.TIER1, gettext_lazy("National occupational standard or assessment norms not applied"),
     "未执行国家职业技能标准或评价规范的", ""),
    ("21.3", Tier.TIER1, gettext_lazy("Lax organisation: exam rooms, staffing or equal assessment of a batch"),
     "评价组织管理松懈，或未严格按规定提供考场和配备工作人员确保对同批次考生采用相同考核评价方式并使其处于同等"
     "考核评价环节进行评价，造成不良影响，或其他违反考务管理办法规定行为，情节轻微的", ""),
    ("21.4", Tier.TIER1, gettext_lazy("Candidates' misconduct not handled in time, affecting fairness"),
     "未按有关规定及时做好参评人员违纪违规处理，影响公平公正的", ""),
    ("21.5", Tier.TIER1, gettext_lazy("Question bank not reported or below the standard's requirements"),
     "试题资源未报备的或未达到国家职业技能标准等有关要求的", ""),
    ("21.6", Tier.TIER1, gettext_lazy("Confidentiality pledge not followed"), "未规范执行保密承诺的", ""),
    ("21.7", Tier.TIER1, gettext_lazy("Invigilation not by assessors and internal supervisors, or by trainers"),
     "未按规范要求安排考评人员与内部质量督导员或使用培训师资开展监考", ""),
    ("21.8", Tier.TIER1, gettext_lazy("Lax eligibility checks, minor (first finding, at most 5%)"),
     "对参评人员的参评资格审核不严，情节轻微（首次发现且不超过5%）的", ""),
    ("21.9", Tier.TIER1, gettext_lazy("Complete exam video not provided"), "未按要求提供考试完整监控视频的", ""),
    # Art.22 (and 24): rectification notice, activities suspended, no new occupations or levels (SUP-04)
    ("22.1", Tier.TIER2, gettext_lazy("An Art.21 act that is serious, or repeated after the interview"),
     "第二十一条所列情况，情节严重的，或约谈后再次发生的", ""),
    ("22.2", Tier.TIER2, gettext_lazy("Exam sites added without approval, or assessing outside the filed area"),
     "未按规定增设考点，擅自在备案地之外开展评价的", ""),
    ("22.3", Tier.TIER2, gettext_lazy("Routine supervision or special inspection refused"),
     "未按规定接受日常督导、专项督查的", ""),
    ("22.4", Tier.TIER2, gettext_lazy("No assessment activity for a year without good reason"),
     "一年内无正当理由不开展评价活动的", ""),
    ("22.5", Tier.TIER2, gettext_lazy("Complaints not handled in time, with adverse effect"),
     "未及时处理投诉举报并造成不良影响的", ""),
    ("22.6", Tier.TIER2, gettext_lazy("Violations found by quality supervision not rectified in time"),
     "未按期完成质量督导中发现或反映的违规问题整改的", ""),
    ("22.7", Tier.TIER2, gettext_lazy("False advertising such as a \"guaranteed pass\""),
     "利用广告或其他方法，进行评价“包过”“保过”等虚假宣传的", ""),
    ("22.8", Tier.TIER2, gettext_lazy("The institution's name used for \"fake certificate\" training"),
     "使用评价机构名义，组织开展“山寨证书”培训评价的", ""),
    ("22.9", Tier.TIER2, gettext_lazy("Major incidents not reported as required"), "未按规定执行要情上报的", ""),
    # Art.23: the filing receipt revoked, no new filing for 3 years, published (SUP-05, ELIG-11)
    ("23.1", Tier.TIER3, gettext_lazy("Art.22 violated again after a written notice"),
     "已被出具书面通知后再次违反第二十二条规定的", "violations_not_rectified"),
    ("23.2", Tier.TIER3, gettext_lazy("False materials or false pledges when filing"),
     "备案时提交虚假材料或作出虚假承诺的", "false_materials"),
    ("23.3", Tier.TIER3, gettext_lazy("Helping candidates forge applications, or condoning irregular entries"),
     "协助参评人员伪造申报资料，或者纵容参评人员违规报名的", ""),
    ("23.4", Tier.TIER3, gettext_lazy("Selling certificates or faking certificate data"), "贩卖证书或证书数据造假的", ""),
    ("23.5", Tier.TIER3, gettext_lazy("Certificate data misused, personal data leaked or sold as a service"),
     "超范围使用证书数据、泄露个人隐私、利用证书数据等提供有偿服务的", ""),
    ("23.6", Tier.TIER3, gettext_lazy("Facilities cannot meet the requirements and were not fixed in time"),
     "软硬件配备无法满足评价要求，且未按期完成整改的", "equipment_failed"),
    ("23.7", Tier.TIER3, gettext_lazy("No assessment for two years, renewal not applied for, or evaluation failed"),
     "两年内无正当理由未开展评价、未按期限要求申请备案延期或者定期评估不合格的", ""),
    ("23.8", Tier.TIER3, gettext_lazy("Disorder in the exam room: widespread misconduct or organised cheating"),
     "考场秩序混乱，出现大面积违规违纪行为或者组织舞弊的", ""),
    ("23.9", Tier.TIER3, gettext_lazy("Serious safety incident or leaked exam questions"),
     "出现重大安全事故、发生试题泄密等情况的", ""),
    ("23.10", Tier.TIER3, gettext_lazy("Assessment archives altered or forged"), "篡改、伪造技能人才评价全过程档案资料的", ""),
    ("23.11", Tier.TIER3, gettext_lazy("Three failed external supervisions in a calendar year, or a failed "
                                       "double-random inspection"),
     "一个自然年度内，评价机构外督总体评价结果出现三次及以上“不合格”情形的或省市中心“双随机一公开”专项督导评价结果为"
     "“不合格”的", ""),
    ("23.12", Tier.TIER3, gettext_lazy("Other breaches of the work pledges with serious social harm"),
     "其他不履行工作承诺，造成严重不良社会影响的", ""),
]
ARTICLES: dict[str, Article] = {key: Article(key, tier, title, source, ground)
                                for key, tier, title, source, ground in _ARTICLE_ROWS}
ART24_SOURCE = "评价机构在备案期内发生第二十二条、二十三条所规定违规违纪情况的，原则上备案期内不得增设考点、不得新增评价职业" \
               "（工种）及等级。"
TIER_RULES = {Tier.TIER1: "SUP-03", Tier.TIER2: "SUP-04", Tier.TIER3: "SUP-05", Tier.NONE: "SUP-06"}


def articles_for_tier(tier: str) -> list[Article]:
    return [a for a in ARTICLES.values() if a.tier == tier]


def article_check(tier: str, article: str) -> Article | None:
    """Every decision names one article item valid for its tier; tier "none" names none (SUP-03…06)."""
    if tier not in Tier.values:
        raise DomainError(_("Choose the tier of the decision."), rule="SUP-06", code="unknown_tier")
    if tier == Tier.NONE:
        if article:
            raise DomainError(_("A decision of no violation names no article."), rule="SUP-06",
                              code="article_tier")
        return None
    found = ARTICLES.get((article or "").strip())
    if found is None or found.tier != tier:
        numbers = {Tier.TIER1: "21", Tier.TIER2: "22", Tier.TIER3: "23"}[tier]
        raise DomainError(_("A %(tier)s decision names an item of FJ23 Art.%(article)s (e.g. %(article)s.1).")
                          % {"tier": Tier(tier).label, "article": numbers}, rule=TIER_RULES[tier],
                          code="article_tier")
    return found


# == the workflow (DESIGN.md "Supervision case") =========================================================
def _set(case: Case, **fields) -> Case:
    """Record fields the FSM method does not take (who acted, the tier's details) on the transitioned case."""
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
        for name, value in fields.items():
            setattr(case, name, value)
    return case


def _reason(text: str, rule: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message, rule=rule, code="reason_required")
    return text


@transaction.atomic
def case_confirm(*, case: Case, acting_user, comment: str = "", ip: str | None = None) -> Case:
    """Staff confirm a case the sweep proposed: it is open (SUP-06)."""
    case = transition_run(instance=case, name="confirm", acting_user=acting_user, ip=ip,
                          params={"comment": (comment or "").strip()})
    return _set(case, confirmed_by=acting_user)


@transaction.atomic
def case_dismiss(*, case: Case, reason: str, acting_user, ip: str | None = None) -> Case:
    """Staff dismiss a proposed or open case, saying why (SUP-06)."""
    reason = _reason(reason, "SUP-06", _("Say why the case is dismissed."))
    return transition_run(instance=case, name="dismiss", acting_user=acting_user, ip=ip, params={"reason": reason})


@transaction.atomic
def case_investigate(*, case: Case, acting_user, comment: str = "", ip: str | None = None) -> Case:
    """An open case is investigated by the acting staff member."""
    case = transition_run(instance=case, name="investigate", acting_user=acting_user, ip=ip,
                          params={"comment": (comment or "").strip()})
    return _set(case, investigator=acting_user)


def _filing_of(case: Case, rule: str):
    from institutions.models import Filing

    filing = case.filing or (Filing.objects.filter(institution_id=case.institution_id)
                             .order_by("-valid_from", "-pk").first())
    if filing is None:
        raise DomainError(_("The institution holds no filing this sanction could apply to."), rule=rule,
                          code="no_filing")
    return filing


def _filing_state_check(filing, states: tuple[str, ...], rule: str, what: str) -> None:
    """Tier 2 applies to an active filing, tier 3 to an active, suspended or expired one."""
    if filing.state not in states:
        raise DomainError(_("The filing %(number)s is %(state)s: it cannot be %(what)s.")
                          % {"number": filing.number, "state": filing.get_state_display(), "what": what},
                          rule=rule, code="filing_state")


def _sanction_text(article: Article, decision: str) -> str:
    return f"{article.source_label}：{article.source}。{decision}"


def _tier1(case: Case, acting_user, *, interview_on, interviewee: str, interview_record: str, void_batch,
           void_reason: str, ip) -> dict:
    """SUP-03 (FJ23 Art.21): the head is interviewed; a batch's certificates may be declared void."""
    from certificates.services import certificate_void

    if interview_on is None or not (interviewee or "").strip() or not (interview_record or "").strip():
        raise DomainError(_("A tier-1 decision records the interview: its date, the person interviewed and the "
                            "record."), rule="SUP-03", code="interview_required")
    fields = {"interview_on": interview_on, "interviewee": interviewee.strip(),
              "interview_record": interview_record.strip()}
    if void_batch is not None:
        if void_batch.institution_id != case.institution_id:
            raise DomainError(_("The batch %(batch)s is not one of this institution's.")
                              % {"batch": void_batch.plan_number}, rule="SUP-03", code="foreign_batch")
        reason = _reason(void_reason, "SUP-03", _("Give the reason the batch's certificates are void."))
        count = 0
        for certificate in void_batch.certificates.filter(status="valid").order_by("number"):
            certificate_void(certificate=certificate, reason=f"{case.reference}：{reason}", acting_user=acting_user,
                             ip=ip)
            count += 1
        fields.update(voided_batch=void_batch, voided_count=count)
    return fields


def _tier2(case: Case, acting_user, *, article: Article, decision: str, rectification_due, ip) -> dict:
    """SUP-04 (FJ23 Art.22, 24): rectification notice with a due date; the filing suspended and published;
    no new occupations, levels or sites until the end of the validity period."""
    from filing_portal.regions.jurisdiction import profile_for
    from filing_portal.workdays.calendar import due_date
    from institutions.models import Filing
    from institutions.services.filings import filing_suspend

    filing = _filing_of(case, "SUP-04")
    _filing_state_check(filing, (Filing.State.ACTIVE,), "SUP-04", _("suspended"))
    today = clock.today()
    if rectification_due is None:
        rectification_due = due_date(today, profile_for(filing.handling_region).rectification_wd).date
    elif rectification_due <= today:
        raise DomainError(_("The rectification is due after today."), rule="SUP-04", code="due_date")
    if connection.vendor == "postgresql":  # one numbering at a time: two decisions never get the same number
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('supervision.case.notice_number'))")
    notice_number = next_reference(Case, "ZG", field="notice_number")
    filing_suspend(filing=filing, acting_user=acting_user, ip=ip,
                   reason=_("Rectification notice %(number)s, due %(due)s: %(text)s")
                   % {"number": notice_number, "due": rectification_due.isoformat(),
                      "text": _sanction_text(article, decision)})
    filing.refresh_from_db()
    bar_reason = _("%(article)s, case %(case)s (FJ23 Art.24)") % {"article": article.label, "case": case.reference}
    Filing.objects.filter(pk=filing.pk).update(expansion_barred_until=filing.expires_on,
                                               expansion_barred_reason=bar_reason)
    filing.expansion_barred_until, filing.expansion_barred_reason = filing.expires_on, bar_reason
    audit_record(actor=acting_user, action="filing.expansion_bar", obj=filing, comment=bar_reason, ip=ip,
                 data={"until": filing.expires_on, "case": case.reference})
    return {"filing": filing, "notice_number": notice_number, "rectification_due": rectification_due}


def _revoke(case: Case, acting_user, *, article: Article, decision: str, ip) -> dict:
    """SUP-05 (FJ23 Art.23): the filing revoked, its number retired and published; a 3-year ban (ELIG-11)."""
    from institutions.models import Filing
    from institutions.services.filings import filing_revoke

    filing = _filing_of(case, "SUP-05")
    _filing_state_check(filing, (Filing.State.ACTIVE, Filing.State.SUSPENDED, Filing.State.EXPIRED), "SUP-05",
                        _("revoked"))
    filing = filing_revoke(filing=filing, acting_user=acting_user, ip=ip, ground=article.ground,
                           reason=f"{case.reference}：{_sanction_text(article, decision)}")
    return {"filing": filing, "ban_until": filing.revoked_on + relativedelta(years=BAN_YEARS)}


@transaction.atomic
def case_decide(*, case: Case, tier: str, article: str = "", decision: str, acting_user, interview_on=None,
                interviewee: str = "", interview_record: str = "", void_batch=None, void_reason: str = "",
                rectification_due: dt.date | None = None, ip: str | None = None) -> Case:
    """Decide an investigated case: the tier, the article item it applies (FJ23 Art.21–23) and the decision,
    with the sanction applied in the same transaction and the decider recorded (SUP-03…06).

    tier none and tier 1 and 3 close the case; tier 2 waits for the rectification.
    """
    found = article_check(tier, article)
    decision = _reason(decision, TIER_RULES.get(tier, "SUP-06"), _("Write the decision."))
    case = Case.objects.select_related("filing", "institution").get(pk=case.pk)
    if case.state != Case.State.INVESTIGATING:  # refuse before any sanction is applied
        transition_run(instance=case, name="decide", acting_user=acting_user, ip=ip,
                       params={"tier": tier, "article": found.key if found else "", "decision": decision})
    if not region_in_jurisdiction(case.region, acting_user):
        raise PermissionDeniedError(_("The case is outside your jurisdiction."), rule="JUR-03")
    fields: dict = {"decided_by": acting_user}
    if tier == Tier.TIER1:
        fields.update(_tier1(case, acting_user, interview_on=interview_on, interviewee=interviewee,
                             interview_record=interview_record, void_batch=void_batch, void_reason=void_reason,
                             ip=ip))
    elif tier == Tier.TIER2:
        fields.update(_tier2(case, acting_user, article=found, decision=decision,
                             rectification_due=rectification_due, ip=ip))
    elif tier == Tier.TIER3:
        fields.update(_revoke(case, acting_user, article=found, decision=decision, ip=ip))
    case = transition_run(instance=case, name="decide", acting_user=acting_user, ip=ip, params={
        "tier": tier, "article": found.key if found else "", "decision": decision,
        **{k: (v.pk if hasattr(v, "pk") else v) for k, v in fields.items() if k != "decided_by"}})
    case = _set(case, **fields)
    if tier != Tier.TIER2:
        case = transition_run(instance=case, name="close", acting_user=None, ip=ip,
                              comment=_("closed with the decision"))
    if tier == Tier.TIER3 and case.escalated_from_id:
        original = Case.objects.get(pk=case.escalated_from_id)
        if original.state in (Case.State.DECIDED, Case.State.RECTIFICATION_SUBMITTED):
            transition_run(instance=original, name="escalate", acting_user=acting_user, ip=ip,
                           params={"reason": _("revoked by case %(case)s") % {"case": case.reference}})
            _set(original, ban_until=case.ban_until)
    return case


def _own_case_check(case: Case, acting_user) -> None:
    role = getattr(acting_user, "role", None)
    if role == "institution":
        if acting_user.institution_id != case.institution_id:
            raise PermissionDeniedError(_("Only the institution the case is about submits its rectification."),
                                        rule="SUP-04")
    elif not region_in_jurisdiction(case.region, acting_user):
        raise PermissionDeniedError(_("The case is outside your jurisdiction."), rule="JUR-03")


@transaction.atomic
def case_submit_rectification(*, case: Case, report: str, acting_user, ip: str | None = None) -> Case:
    """SUP-04: the institution (or staff for it) submits what it rectified, before the office verifies it."""
    _own_case_check(case, acting_user)
    if case.tier != Tier.TIER2:
        raise DomainError(_("Only a tier-2 case waits for a rectification."), rule="SUP-04", code="not_tier2")
    report = _reason(report, "SUP-04", _("Describe what was rectified."))
    return transition_run(instance=case, name="submit_rectification", acting_user=acting_user, ip=ip,
                          params={"report": report}, comment=report[:200])


@transaction.atomic
def case_verify_rectification(*, case: Case, acting_user, comment: str = "", ip: str | None = None) -> Case:
    """SUP-04: the rectification is verified; the filing is reinstated. The bar on new occupations, levels and
    sites stays until the end of the validity period (FJ23 Art.24)."""
    from institutions.models import Filing
    from institutions.services.filings import filing_reinstate

    case = transition_run(instance=case, name="verify", acting_user=acting_user, ip=ip,
                          params={"comment": (comment or "").strip()})
    case = _set(case, verified_by=acting_user)
    filing = case.filing and Filing.objects.get(pk=case.filing_id)
    if filing is not None and filing.state == Filing.State.SUSPENDED:
        filing_reinstate(filing=filing, acting_user=acting_user, ip=ip,
                         reason=_("Rectification %(number)s verified (case %(case)s)")
                         % {"number": case.notice_number, "case": case.reference})
    return case


@transaction.atomic
def case_reject_rectification(*, case: Case, reason: str, acting_user, ip: str | None = None) -> Case:
    """SUP-04: the rectification is not sufficient; the case waits again with the same due date."""
    reason = _reason(reason, "SUP-04", _("Say why the rectification is not sufficient."))
    return transition_run(instance=case, name="reject_rectification", acting_user=acting_user, ip=ip,
                          params={"reason": reason})


ESCALATION_GROUNDS = ("overdue", "repeat")


@transaction.atomic
def case_escalate(*, case: Case, reason: str, acting_user, ground: str = "overdue", article: str = "23.1",
                  ip: str | None = None) -> Case:
    """SUP-05 (FJ23 Art.23(1), TERM-04): a tier-2 rectification overdue, or the violation repeated after the
    notice: the case is escalated and the filing revoked as tier 3, with the 3-year ban (ELIG-11)."""
    reason = _reason(reason, "SUP-05", _("Say why the case is escalated."))
    case = Case.objects.select_related("filing").get(pk=case.pk)
    if case.tier != Tier.TIER2:
        raise DomainError(_("Only a tier-2 case is escalated."), rule="SUP-05", code="not_tier2")
    if ground not in ESCALATION_GROUNDS:
        raise DomainError(_("Escalate for an overdue rectification or a repeated violation."), rule="SUP-05",
                          code="unknown_ground")
    if case.state not in (Case.State.DECIDED, Case.State.RECTIFICATION_SUBMITTED):
        transition_run(instance=case, name="escalate", acting_user=acting_user, ip=ip, params={"reason": reason})
    if ground == "overdue" and not (case.rectification_due and clock.today() > case.rectification_due):
        raise DomainError(_("The rectification is due %(date)s: it is not overdue.")
                          % {"date": case.rectification_due.isoformat() if case.rectification_due else "—"},
                          rule="SUP-05", code="not_overdue")
    found = article_check(Tier.TIER3, article)
    if not region_in_jurisdiction(case.region, acting_user):
        raise PermissionDeniedError(_("The case is outside your jurisdiction."), rule="JUR-03")
    fields = _revoke(case, acting_user, article=found, decision=reason, ip=ip)
    fields.pop("filing")
    case = transition_run(instance=case, name="escalate", acting_user=acting_user, ip=ip,
                          params={"reason": reason, "ground": ground, "article": found.key,
                                  "ban_until": fields["ban_until"]})
    case = _set(case, **fields)
    for pending in case.escalations.filter(state__in=(Case.State.PROPOSED, Case.State.OPEN)):
        transition_run(instance=pending, name="dismiss", acting_user=acting_user, ip=ip,
                       params={"reason": _("escalated directly in case %(case)s") % {"case": case.reference}})
    return case
