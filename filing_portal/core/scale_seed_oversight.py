"""seed_scale's last part: the renewals, supervision and notifications that hang off the seeded filings.

Written once after the chunks (one transaction, one audit event `seed_scale.oversight` with its counts), so the
staff queues and API lists of renewals, cases, complaints, draws, inspections and notifications have rows to
page through at province size (bench/bench_lists.py proves their query counts on them). Like the chunks, rows
go in with COPY and hold the states a real history leaves:

* renewals: a share of the active filings inside their renewal window (REN-01: the profile's window before
  expiry) have a renewal application, each by the institution's own user: a draft, submitted, or under
  evaluation with its due date (REN-07: the profile's working days after submission);
* complaints (SUP-02): received, being handled, or answered with an outcome and a response; the response is due
  the profile's working days after receipt;
* cases (SUP-06): opened by staff, being investigated, closed with a decision of no sanction, or dismissed;
* one published 双随机一公开 draw per province (SUP-01): the population is the province's active filings, the
  pool six inspectors, the seed random and its commitment its SHA-256; the selection is `draw_compute`'s, so
  the public verification of the draw holds. Each selected filing has its random inspection (with its team and,
  once inspected, its findings), and some recent batches an external exam supervision (ASM-04);
* notifications: `NOTIFICATIONS_PER_STAFF` to every seeded staff user, the older half read.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import random
from collections.abc import Iterator

from django.db import connection, transaction

from filing_portal.accounts.models import User
from filing_portal.audit.services import audit_record
from filing_portal.regions.jurisdiction import profile_for, renewal_window_start
from filing_portal.regions.models import Region
from filing_portal.workdays.calendar import due_date

from .scale_seed import Context, Table, _events, _name, _weighted, reserve_ids

OVERSIGHT = "seed_scale.oversight"
RENEWAL_SHARE = 0.5  # of the active filings inside their renewal window
RENEWAL_STATES = [("draft", 20), ("submitted", 40), ("under_evaluation", 40)]
COMPLAINT_SHARE = 0.01  # of the filings
COMPLAINT_STATES = [("received", 30), ("handling", 30), ("answered", 40)]
CASE_SHARE = 0.01
CASE_STATES = [("open", 30), ("investigating", 30), ("closed", 25), ("dismissed", 15)]
DRAW_SAMPLE, DRAW_TEAM, INSPECTORS_PER_PROVINCE = 20, 2, 6
EXAM_SUPERVISION_SHARE = 0.2  # of the batches conducted in the last 30 days
NOTIFICATIONS_PER_STAFF = 120
COMPLAINT_FACTS = ["该机构在招生群发布“交钱包过”广告，并要求报名者另交培训费。",
                   "理论考试监考的是给我们上培训课的老师，考场也没有全程录像。",
                   "考试结束两个月仍未公示成绩，机构电话无人接听。"]
COMPLAINT_OUTCOMES = ["substantiated", "partly", "not_substantiated"]
CASE_SUMMARIES = ["评价质量督导发现考务管理不规范", "投诉反映考评人员与培训教师未分离", "现场检查发现考场视频资料缺失"]


def _share(rng: random.Random, items: list, share: float) -> list:
    """`share` of `items` (at least one when there are any), in their order."""
    if not items:
        return []
    chosen = set(rng.sample(range(len(items)), max(1, round(share * len(items)))))
    return [item for k, item in enumerate(items) if k in chosen]


def _ack_number(rng: random.Random, received: dt.date) -> str:
    """supervision.complaints.complaint_ack_number's form (TS, the date, 8 base32 characters), from the run's rng."""
    return f"TS{received:%Y%m%d}{base64.b32encode(rng.getrandbits(40).to_bytes(5, 'big')).decode()}"


def _references(model, prefix: str) -> Iterator[str]:
    """supervision.references.next_reference's numbering (PREFIX-YYYY-NNNNNN), continued for every row this
    transaction writes: the first free reference, then the ones after it."""
    from supervision.references import next_reference

    stem, first = next_reference(model, prefix).rsplit("-", 1)
    return (f"{stem}-{n:06d}" for n in itertools.count(int(first)))


def done(ctx: Context) -> bool:
    return bool(_events(OVERSIGHT, ctx.sizes.key))


def build_oversight(ctx: Context) -> dict:
    """Write the oversight rows and their audit event in the caller's transaction; returns the row counts."""
    from assessments.models import AssessmentBatch
    from filing_portal.notifications.models import Notification
    from institutions.models import Filing
    from renewals.models import RenewalApplication
    from supervision.draws import commitment_of, draw_compute
    from supervision.models import Case, Complaint, Draw, Inspection, InspectionFinding, InspectorProfile

    rng = random.Random(ctx.sizes.seed * 7_919 + 17)
    today, now = ctx.today, ctx.now
    year = today.year
    at = dt.datetime.combine(today, dt.time(9), dt.UTC)
    t = {name: Table(model, with_pk=with_pk, now=now) for name, model, with_pk in [
        ("renewal", RenewalApplication, False), ("complaint", Complaint, False), ("case", Case, False),
        ("draw", Draw, True), ("draw_pool", Draw.inspectors.through, False), ("inspection", Inspection, True),
        ("team", Inspection.team.through, False), ("finding", InspectionFinding, False),
        ("notification", Notification, False)]}
    regions = {r.pk: r for r in Region.objects.select_related("province")}
    profiles = {pk: profile_for(region) for pk, region in regions.items() if region.level in ("city", "province")}
    provinces = sorted((r for r in regions.values() if r.level == "province"), key=lambda r: r.code)
    staff = list(User.objects.filter(username__startswith="scale_", role__in=["city_staff", "province_staff"])
                 .order_by("username"))
    office_staff: dict[int, list[User]] = {}
    for user in staff:
        office_staff.setdefault(user.region_id, []).append(user)
    filings = list(Filing.objects.order_by("pk").values_list(
        "pk", "number", "state", "expires_on", "handling_region_id", "institution_id", "institution__name",
        "institution__uscc", "institution__address", "institution__legal_representative", "institution__head",
        "institution__contact_name", "institution__contact_phone", "institution__contact_email"))

    # renewals, each by its institution's own user (one per institution, the seeded staff password's hash);
    # a filing that has a renewal already (another run's, the demo's) is left alone
    renewed = set(RenewalApplication.objects.values_list("filing_id", flat=True))
    renewing = _share(rng, [f for f in filings if f[2] == "active" and f[0] not in renewed
                            and renewal_window_start(profiles[f[4]], f[3]) <= today <= f[3]], RENEWAL_SHARE)
    password = staff[0].password if staff else "!"
    names = {f"scale_inst_{f[5]}": f for f in renewing}
    accounts = {u.username: u for u in User.objects.filter(username__in=names)}
    users = User.objects.bulk_create(
        [User(username=name, role="institution", institution_id=f[5], password=password, last_name=f[11],
              email=f[13]) for name, f in names.items() if name not in accounts], batch_size=2000)
    accounts.update({u.username: u for u in users})
    references = _references(RenewalApplication, "REN")
    for f in renewing:
        user = accounts[f"scale_inst_{f[5]}"]
        pk, _number, _state, expires_on, office, _inst, name, uscc, address, legal, head, contact, phone, email = f
        state = _weighted(rng, RENEWAL_STATES)
        submitted = None if state == "draft" else today - dt.timedelta(days=rng.randint(1, 25))
        due = due_date(submitted, profiles[office].renewal_evaluation_wd) if state == "under_evaluation" else None
        evaluator = rng.choice(office_staff[office]) if due else None
        t["renewal"].add(
            reference=next(references), filing_id=pk, state=state, expires_on=expires_on,
            institution_name=name, uscc=uscc, address=address, legal_representative=legal, head=head,
            contact_name=contact, contact_phone=phone, contact_email=email, pledge_accepted=state != "draft",
            summary_basic="本周期内按备案范围组织开展评价工作，考务管理规范。" if submitted else "",
            created_by_id=user.pk, submitted_on=submitted,
            evaluation_started_on=submitted + dt.timedelta(days=1) if due else None,
            evaluation_due=due.date if due else None, evaluation_due_provisional=due.provisional if due else False,
            evaluator_id=evaluator.pk if evaluator else None)

    # complaints and cases about filed institutions, handled by the filing's office
    for f in _share(rng, filings, COMPLAINT_SHARE):
        office = f[4]
        status = _weighted(rng, COMPLAINT_STATES)
        received = today - dt.timedelta(days=rng.randint(0, 40))
        answered = status == "answered"
        handler = rng.choice(office_staff[office]) if status != "received" else None
        t["complaint"].add(
            ack_number=_ack_number(rng, received), status=status, institution_id=f[5],
            institution_name=f[6], region_id=office, facts=rng.choice(COMPLAINT_FACTS), contact_name=_name(rng),
            contact_phone=f"13{rng.randint(0, 999999999):09d}", received_on=received,
            response_due=due_date(received, profiles[office].complaint_response_wd).date,
            handler_id=handler.pk if handler else None,
            handling_started_on=received + dt.timedelta(days=1) if handler else None,
            outcome=rng.choice(COMPLAINT_OUTCOMES) if answered else "",
            response="经核查，已责令该机构整改并将处理结果告知投诉人。" if answered else "",
            answered_on=min(today, received + dt.timedelta(days=10)) if answered else None)
    references = _references(Case, "AJ")
    for f in _share(rng, filings, CASE_SHARE):
        office = f[4]
        state = _weighted(rng, CASE_STATES)
        opened = today - dt.timedelta(days=rng.randint(5, 120))
        opener = rng.choice(office_staff[office])
        investigating = state in ("investigating", "closed")
        closed_on = min(today, opened + dt.timedelta(days=rng.randint(10, 40))) if state in ("closed",
                                                                                              "dismissed") else None
        t["case"].add(
            reference=next(references), state=state, institution_id=f[5], filing_id=f[0],
            region_id=office, origin="staff", summary=rng.choice(CASE_SUMMARIES), opened_on=opened,
            opened_by_id=opener.pk, investigator_id=opener.pk if investigating else None,
            investigation_started_on=opened + dt.timedelta(days=2) if investigating else None,
            tier="none" if state == "closed" else "",
            decision="经调查，未发现违规事实，不予处理。" if state == "closed" else "",
            decided_on=closed_on if state == "closed" else None,
            decided_by_id=opener.pk if state == "closed" else None,
            dismissed_reason="线索不实，不予立案。" if state == "dismissed" else "", closed_on=closed_on)

    # one published draw per province, its inspectors, its inspections
    # the pools: INSPECTORS_PER_PROVINCE inspectors per province, shared with an earlier run of another size
    wanted = {f"scale_inspector_{p.code}_{n}": (p, f"DD-{p.code[:2]}{n:02d}")
              for p in provinces for n in range(1, INSPECTORS_PER_PROVINCE + 1)}
    have = {u.username: u for u in User.objects.filter(username__in=wanted)}
    inspectors = User.objects.bulk_create(
        [User(username=name, role="inspector", region_id=p.pk, password=password, last_name=f"督导员{_name(rng)}")
         for name, (p, _code) in wanted.items() if name not in have])
    have.update({u.username: u for u in inspectors})
    with_profile = set(InspectorProfile.objects.filter(user__in=have.values()).values_list("user_id", flat=True))
    profiles_made = InspectorProfile.objects.bulk_create(
        [InspectorProfile(user=have[name], code=code, region_id=p.pk, employer_name=f"{p.name}职业技能鉴定指导中心")
         for name, (p, code) in wanted.items() if have[name].pk not in with_profile])
    pool_of: dict[int, list[InspectorProfile]] = {}
    for profile in InspectorProfile.objects.filter(user__in=have.values()).order_by("code"):
        pool_of.setdefault(profile.region_id, []).append(profile)
    province_of = {pk: (r.pk if r.level == "province" else r.province_id) for pk, r in regions.items()}
    by_number = {f[1]: f for f in filings}
    draw_ids = iter(reserve_ids(Draw, len(provinces)))
    draw_references = _references(Draw, "CC")
    inspections = []  # (fields, team, inspected)
    for province in provinces:
        population = sorted(f[1] for f in filings if f[2] == "active" and province_of[f[4]] == province.pk)
        pool = sorted(p.code for p in pool_of[province.pk])
        if len(population) < 1:
            continue
        seed = f"{rng.getrandbits(256):064x}"  # from the run's seed: the same run, the same draw
        sample = min(DRAW_SAMPLE, len(population))
        selection = draw_compute(seed, population, pool, {}, sample, DRAW_TEAM)
        draw_id = next(draw_ids)
        committed = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(10), dt.UTC)
        creator = office_staff[province.pk][0]
        t["draw"].add(
            id=draw_id, reference=next(draw_references), title=f"{year}年度职业技能等级评价机构“双随机、一公开”抽查",
            region_id=province.pk, state="results_published", sample_size=sample, team_size=DRAW_TEAM,
            inspect_from=today - dt.timedelta(days=28), inspect_until=today + dt.timedelta(days=30),
            population=population, pool=pool, exclusions={}, commitment=commitment_of(seed), committed_at=committed,
            seed=seed, drawn_at=committed + dt.timedelta(days=1), selection=selection,
            results_published_on=today - dt.timedelta(days=28), created_by_id=creator.pk)
        code_to_profile = {p.code: p for p in pool_of[province.pk]}
        for profile in pool_of[province.pk]:
            t["draw_pool"].add(draw_id=draw_id, inspectorprofile_id=profile.pk)
        for k, chosen in enumerate(selection):
            f = by_number[chosen["filing_number"]]
            inspected = k % 3 != 2  # two in three done
            outcome = ("fail" if k % 7 == 0 else "pass") if inspected else "pending"
            inspections.append(({"kind": "random", "draw_id": draw_id, "filing_id": f[0], "institution_id": f[5],
                                 "region_id": province.pk, "outcome": outcome,
                                 "planned_on": today - dt.timedelta(days=20 - k % 20),
                                 "inspected_on": today - dt.timedelta(days=18 - k % 18) if inspected else None},
                                [code_to_profile[c] for c in chosen["team"]], creator))
    recent = AssessmentBatch.objects.filter(
        state__in=["conducted", "results_published", "results_reported"],
        exam_start__gte=today - dt.timedelta(days=30)).order_by("pk").values_list(
        "pk", "filing_id", "institution_id", "handling_region_id", "exam_start")
    for batch_id, filing_id, institution_id, office, exam_start in _share(rng, list(recent), EXAM_SUPERVISION_SHARE):
        inspections.append(({"kind": "exam", "batch_id": batch_id, "filing_id": filing_id,
                             "institution_id": institution_id, "region_id": office, "outcome": "pass",
                             "planned_on": exam_start, "inspected_on": exam_start},
                            rng.sample(pool_of[province_of[office]], DRAW_TEAM), rng.choice(office_staff[office])))
    references = _references(Inspection, "JC")
    for inspection_id, (fields, team, recorder) in zip(reserve_ids(Inspection, len(inspections)), inspections,
                                                        strict=True):
        done_ = fields["outcome"] != "pending"
        failed = fields["outcome"] == "fail"
        t["inspection"].add(
            id=inspection_id, reference=next(references), **fields,
            summary=("抽查近三个月批次，考场监控视频缺失，评价台账未按批次建立。" if failed else
                     "各项检查内容符合要求。") if done_ else "",
            recorded_by_id=recorder.pk if done_ else None,
            recorded_at=dt.datetime.combine(fields["inspected_on"], dt.time(16), dt.UTC) if done_ else None)
        for profile in team:
            t["team"].add(inspection_id=inspection_id, inspectorprofile_id=profile.pk)
        if done_:
            for item in InspectionFinding.Item.values:
                bad = failed and item in ("video", "records")
                t["finding"].add(inspection_id=inspection_id, item=item, compliant=not bad,
                                 note="考场监控视频缺失 40 分钟以上" if bad else "")

    # notifications: the office's reminders and queue news, the older half read
    for user in staff:
        for n in range(NOTIFICATIONS_PER_STAFF):
            sent = at - dt.timedelta(hours=6 * n)
            t["notification"].add(
                user_id=user.pk, key=f"seed_scale:{ctx.sizes.key}:{n}", title=f"待办提醒：第 {n + 1} 件备案材料待审核",
                body="您有新的备案材料待审核，请在规定时限内办理。", url="/staff/applications/", created_at=sent,
                read_at=sent + dt.timedelta(hours=1) if n >= NOTIFICATIONS_PER_STAFF // 2 else None)

    counts = {"user": len(users) + len(inspectors), "inspector": len(profiles_made)}
    for name in t:
        counts[name] = t[name].write()
    audit_record(action=OVERSIGHT, comment=f"seed_scale {ctx.sizes.key} oversight",
                 data={"run": ctx.sizes.key, **counts})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in t.values():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table.model._meta.db_table)}")
    return counts


def seed_oversight(ctx: Context) -> dict | None:
    """The oversight part, once per run (None when an earlier invocation wrote it)."""
    if done(ctx):
        return None
    with transaction.atomic():
        return build_oversight(ctx)
