"""Province-size data for load tests and benchmarks (`manage.py seed_scale`, issue 8).

A composition root like `seed_demo`: it writes the tables of every app, so it lives in the kernel and
imports the apps (tests/test_layering.py lists it).

How it is built
---------------
* **A plan from the seed.** `make_plan` draws, from `--seed` alone, every institution's city, kind and
  filing state, how many batches each filing has and in which state, and how many certificates each
  batch issued (the totals are exact: largest-remainder allocation). Nothing in the plan depends on the
  database, so a resumed run builds exactly the chunks an uninterrupted run would have built.
* **Chunks.** Institutions are cut into chunks of `--chunk`; a chunk writes its institutions with all
  that hangs off them (applications, venues, filing numbers, filings, scope, fees, batches, items,
  staff, candidates, certificates, certificate counters) in one transaction, with PostgreSQL's COPY
  (`bulk` INSERTs elsewhere). Primary keys are taken from the tables' own sequences, so sequences are
  always past every id and the data sits beside whatever the database holds already. Indexes and
  constraints stay in place.
* **Progress.** The run's start and each finished chunk are audit events (`seed_scale.start`,
  `seed_scale.chunk`, `seed_scale.done`) written through `audit_record` in the same transaction as the
  rows: one event per chunk, not one per row, and the chain verifies. A re-run with the same sizes and
  seed skips the chunks that have their event (so it resumes after a kill) and adds nothing once the
  run is done.
* **Numbers by the real rules.** Filing serials are reserved per city through the certificates app's
  counter (`NumberCounter`, NUM-01/02/08) when the run starts, so a filing number allocated later is the
  next one. Certificate numbers are built with `build_certificate_number` (NUM-05/06), serials count per
  filing, year and level in issue order from 000001 (NUM-07), and the chunk writes the matching
  counter rows: a certificate issued after seeding gets the next serial.
* **Personal data.** Resident ID numbers are valid GB 11643 numbers (real county codes of the
  candidate's city, birth dates 1966–2004, check digit), encrypted and indexed through
  `filing_portal.personal_data` once per person; a candidate and their certificate share the
  ciphertext and the index.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from filing_portal.accounts.models import User
from filing_portal.audit.models import AuditEvent
from filing_portal.audit.services import audit_record
from filing_portal.personal_data import encrypt_value, id_number_index
from filing_portal.regions.models import Region

START, CHUNK, DONE = "seed_scale.start", "seed_scale.chunk", "seed_scale.done"
BRANDS = ["新华", "华信", "明德", "育才", "中天", "金桥", "远航", "东方", "博雅", "启航", "德胜", "鸿达", "安泰",
          "恒信", "长城", "蓝天", "正泰", "天成", "锦程", "卓越", "江淮", "徽商", "皖江", "巴蜀", "闽江", "长白"]
INDUSTRY_S = ["职业技能评价中心", "职业培训学校", "技工学校", "职业技能培训中心", "职业技术学院"]
INDUSTRY_Y = ["汽车服务有限公司", "机械制造有限公司", "家政服务有限公司", "建筑工程有限公司", "电子科技有限公司",
              "食品有限公司", "物流有限公司"]
STREETS = ["建设路", "人民路", "解放路", "长江路", "黄山路", "和平路", "胜利路", "中山路", "文化路", "幸福路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉建国志文斌浩宇鑫宁晨雪梅琳欣怡子轩佳豪俊"
FILING_STATES = [("active", 88), ("suspended", 3), ("expired", 4), ("lapsed", 2), ("revoked", 2),
                 ("terminated", 1)]
ACTIVE_BATCH_STATES = [("certificates_issued", 78), ("results_reported", 6), ("results_published", 3),
                       ("conducted", 2), ("scheduled", 4), ("submitted", 4), ("draft", 1), ("cancelled", 2)]
ENDED_BATCH_STATES = [("certificates_issued", 90), ("cancelled", 10)]
CONDUCTED_STATES = ("conducted", "results_published", "results_reported", "certificates_issued")
OPEN_APPLICATION_STATES = ["submitted", "supplement_requested", "initial_review", "technical_evaluation",
                           "comprehensive_review", "public_notice"]
LEVELS, LEVEL_WEIGHTS = (1, 2, 3, 4, 5), (4, 8, 24, 32, 32)  # few senior technicians, many junior workers
NEWCOMER_SHARE = 0.02  # institutions with an open initial application and no filing yet (the staff queue)
PROVINCE_LEVEL_SHARE = 0.01  # province-affiliated institutions, filed with the province (city code 00)
STAFF_PER_OFFICE = 2
BIRTH_BASE = dt.date(1966, 1, 1)
BIRTH_DAYS = 14000  # birth dates 1966-01-01 … 2004-04-29; with the 3-digit sequence 14,000,000 distinct numbers


@dataclass(frozen=True)
class Sizes:
    institutions: int
    batches: int
    certificates: int
    seed: int

    @property
    def key(self) -> str:
        return f"i{self.institutions}-b{self.batches}-c{self.certificates}-s{self.seed}"


@dataclass
class Plan:
    """Everything drawn from the seed: per institution, per batch (flattened, institution order)."""

    city: list[int] = field(default_factory=list)  # index into the cities
    kind: list[str] = field(default_factory=list)
    state: list[str | None] = field(default_factory=list)  # None: not filed yet (an open application)
    province_level: list[bool] = field(default_factory=list)
    batch_start: list[int] = field(default_factory=list)  # first batch index of the institution
    batch_count: list[int] = field(default_factory=list)
    batch_state: list[str] = field(default_factory=list)
    batch_certificates: list[int] = field(default_factory=list)


def _weighted(rng: random.Random, table) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split over `weights`, integers summing exactly to `total`."""
    if not weights:
        return []
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda k: (counts[k] - shares[k], k))
    for k in order[: total - sum(counts)]:
        counts[k] += 1
    return counts


def make_plan(sizes: Sizes, cities: Sequence[Region]) -> Plan:
    rng = random.Random(sizes.seed)
    plan = Plan()
    weights = [4 if c.code.endswith("0100") else 1 for c in cities]  # the capitals are bigger
    for _ in range(sizes.institutions):
        plan.city.append(rng.choices(range(len(cities)), weights=weights)[0])
        plan.kind.append("S" if rng.random() < 0.67 else "Y")
        plan.province_level.append(rng.random() < PROVINCE_LEVEL_SHARE)
        plan.state.append(None if rng.random() < NEWCOMER_SHARE else _weighted(rng, FILING_STATES))
    filed = [i for i, s in enumerate(plan.state) if s is not None]
    if sizes.batches and not filed:
        raise ValueError("batches need at least one filed institution: seed more institutions")
    per_filing = dict(zip(filed, _largest_remainder(sizes.batches, [rng.lognormvariate(0, 0.6) for _ in filed]),
                          strict=True))
    for i in range(sizes.institutions):
        plan.batch_start.append(len(plan.batch_state))
        plan.batch_count.append(per_filing.get(i, 0))
        table = ACTIVE_BATCH_STATES if plan.state[i] == "active" else ENDED_BATCH_STATES
        plan.batch_state.extend(_weighted(rng, table) for _ in range(plan.batch_count[i]))
    issued = [b for b, s in enumerate(plan.batch_state) if s == "certificates_issued"]
    if len(issued) > sizes.certificates:  # every issued batch issued at least one certificate
        for b in issued[sizes.certificates:]:
            plan.batch_state[b] = "cancelled"
        issued = issued[:sizes.certificates]
    if sizes.certificates and not issued:
        raise ValueError("certificates need batches to issue them: seed more batches")
    extra = _largest_remainder(sizes.certificates - len(issued), [rng.lognormvariate(0, 0.7) for _ in issued])
    plan.batch_certificates = [0] * len(plan.batch_state)
    for b, n in zip(issued, extra, strict=True):
        plan.batch_certificates[b] = 1 + n
    return plan


# ---------------------------------------------------------------------------------------------------------
# Writing rows: COPY on PostgreSQL, executemany elsewhere
# ---------------------------------------------------------------------------------------------------------

_MISSING = object()


class Table:
    """Rows of one model as plain values (no model instances): each row is a dict of attnames, the rest from
    the model's defaults. Values go to the database as they are (ciphertexts and index digests included)."""

    def __init__(self, model: type[models.Model], *, with_pk: bool, now: dt.datetime):
        self.model = model
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.json = [isinstance(f, models.JSONField) for f in fields]
        self.defaults = []
        for f in fields:
            if f.primary_key:
                default = _MISSING
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = now
            elif f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            elif f.blank and isinstance(f, (models.CharField, models.TextField, models.FileField)):
                default = ""
            else:
                default = _MISSING
            self.defaults.append(default)
        self.rows: list[list] = []

    def add(self, **values) -> None:
        row = [values.pop(a, d) for a, d in zip(self.attnames, self.defaults, strict=True)]
        if values:
            raise TypeError(f"{self.model.__name__} has no field(s) {sorted(values)}")
        self.rows.append(row)

    def write(self) -> int:
        if not self.rows:
            return 0
        missing = [a for a, v in zip(self.attnames, self.rows[0], strict=True) if v is _MISSING]
        if missing:
            raise TypeError(f"{self.model.__name__}: no value for {missing}")
        json_at = [k for k, is_json in enumerate(self.json) if is_json]
        for row in self.rows if json_at else ():
            for k in json_at:
                row[k] = json.dumps(row[k], ensure_ascii=False)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        table = quote(self.model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                   [[_adapt(v) for v in row] for row in self.rows])
        count = len(self.rows)
        self.rows = []
        return count


def _adapt(value):
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys of `model`'s table, from its own sequence (PostgreSQL) or past its largest id
    (SQLite, whose single writer holds the chunk's transaction)."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return sorted(r[0] for r in cursor.fetchall())
        top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


# ---------------------------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------------------------

def county_codes(city_code: str) -> list[str]:
    """GB/T 2260 county codes under a city that stdnum knows (so CERT-02 accepts the ID numbers)."""
    from stdnum import numdb

    db = numdb.get("cn/loc")
    found = []
    for k in range(1, 40):
        code = f"{city_code[:4]}{k:02d}"
        if any("county" in props for _part, props in db.info(code)[1:]):
            found.append(code)
    return found or [city_code]


def resident_id(person: int, county: str) -> tuple[str, str]:
    """A valid resident ID number (GB 11643) unique per `person` below 14,000,000, and the gender it encodes."""
    person %= BIRTH_DAYS * 1000
    born = BIRTH_BASE + dt.timedelta(days=person // 1000)
    sequence = person % 1000
    body = f"{county}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0"), "M" if sequence % 2 else "F"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


# ---------------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------------

@dataclass
class Context:
    sizes: Sizes
    chunk: int
    today: dt.date
    now: dt.datetime
    cities: list[Region]
    provinces: dict[int, Region]
    counties: dict[int, list[str]]
    occupations: list  # Occupation rows of the catalogue
    serial_base: dict[str, int]  # counter scope F<province><city> -> first serial of this run
    plan: Plan
    serials: dict[int, int] = field(default_factory=dict)  # institution -> its filing serial (NUM-02)

    @property
    def chunks(self) -> int:
        return -(-self.sizes.institutions // self.chunk)

    def filing_scope(self, i: int) -> str:
        city = self.cities[self.plan.city[i]]
        return f"F{city.province_code}{'00' if self.plan.province_level[i] else city.filing_city_code}"


def reference_data(stdout=None) -> None:
    """Regions and the occupation catalogue, loaded through their own commands when missing."""
    from django.core.management import call_command

    from institutions.models import Occupation

    if not Region.objects.filter(level="city").exists():
        call_command("load_reference_data", stdout=stdout)
    if not Occupation.objects.exists():
        call_command("load_occupations", stdout=stdout)


def _events(action: str, key: str):
    return [e for e in AuditEvent.objects.filter(action=action).values_list("data", flat=True)
            if e.get("run") == key]


def prepare(sizes: Sizes, *, chunk: int, password: str) -> tuple[Context, set[int], bool]:
    """The run's context (starting the run if it is new), the chunks already done, and whether it is done."""
    from certificates.services import serials_reserve
    from institutions.models import Occupation

    cities = list(Region.objects.filter(level="city").select_related("province").order_by("code"))
    provinces = {r.pk: r for r in Region.objects.filter(level="province")}
    occupations = list(Occupation.objects.filter(active=True, is_access_licensed=False, major_group__in=[4, 6])
                       .order_by("code")) or list(Occupation.objects.filter(active=True).order_by("code"))
    if not cities or not occupations:
        raise ValueError("reference data (regions, occupations) is missing")
    plan = make_plan(sizes, cities)
    started = _events(START, sizes.key)
    if started:
        data = started[0]
        if data["chunk"] != chunk:
            raise ValueError(f"this run was started with --chunk {data['chunk']}; resume it with the same value")
        today, serial_base = dt.date.fromisoformat(data["today"]), data["serial_base"]
    else:
        today = timezone.localdate()
        with transaction.atomic():
            wanted: Counter[str] = Counter()
            ctx = Context(sizes, chunk, today, timezone.now(), cities, provinces, {}, occupations, {}, plan)
            for i, state in enumerate(plan.state):
                if state is not None:
                    wanted[ctx.filing_scope(i)] += 1
            serial_base = {scope: serials_reserve(scope=scope, count=n, limit=9999, rule="NUM-01",
                                                   what="Filing numbers of this city")
                           for scope, n in sorted(wanted.items())}
            staff_users(cities, provinces, password)
            audit_record(action=START, comment=f"seed_scale {sizes.key}",
                         data={"run": sizes.key, "chunk": chunk, "today": today.isoformat(),
                               "serial_base": serial_base, **sizes.__dict__})
    done = {e["chunk_index"] for e in _events(CHUNK, sizes.key)}
    finished = bool(_events(DONE, sizes.key))
    counties = {c.pk: county_codes(c.code) for c in cities}
    ctx = Context(sizes, chunk, today, timezone.now(), cities, provinces, counties, occupations, serial_base, plan)
    seen: Counter[str] = Counter()
    for i, state in enumerate(plan.state):  # in filing order: the rank among the run's filings of the city
        if state is not None:
            scope = ctx.filing_scope(i)
            ctx.serials[i] = serial_base[scope] + seen[scope]
            seen[scope] += 1
    return ctx, done, finished


def staff_users(cities: Sequence[Region], provinces: dict[int, Region], password: str) -> int:
    """STAFF_PER_OFFICE city staff per city and province staff per province (scale_<code>_<n>), one password."""
    probe = User(username="probe")
    probe.set_password(password)
    created = 0
    for region in [*provinces.values(), *cities]:
        role = "province_staff" if region.level == "province" else "city_staff"
        for n in range(1, STAFF_PER_OFFICE + 1):
            _user, made = User.objects.get_or_create(
                username=f"scale_{region.code}_{n}",
                defaults={"role": role, "region": region, "password": probe.password,
                          "last_name": f"{region.name}经办{n}", "email": f"scale_{region.code}_{n}@example.cn"})
            created += made
    return created


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_chunk(ctx: Context, index: int, *, fail_after: Callable[[str], None] | None = None) -> dict:
    """Write chunk `index` (institutions [index·chunk, (index+1)·chunk)) with everything hanging off them, and its
    audit event, in the caller's transaction. Returns the row counts."""
    from assessments.models import AssessmentBatch, BatchItem, BatchStaff, Candidate
    from certificates.models import Certificate, FilingNumber, NationalUpload, NumberCounter
    from certificates.numbers import build_certificate_number, build_filing_number
    from institutions.models import FeeStandard, Filing, FilingApplication, FilingScope, Institution, Venue

    sizes, plan, today, now = ctx.sizes, ctx.plan, ctx.today, ctx.now
    rng = random.Random(sizes.seed * 1_000_003 + index)
    members = range(index * ctx.chunk, min((index + 1) * ctx.chunk, sizes.institutions))
    filed = [i for i in members if plan.state[i] is not None]
    first_batch = plan.batch_start[members[0]]
    last_batch = plan.batch_start[members[-1]] + plan.batch_count[members[-1]]
    batch_range = range(first_batch, last_batch)
    n_certificates = sum(plan.batch_certificates[b] for b in batch_range)

    inst_ids = dict(zip(members, reserve_ids(Institution, len(members)), strict=True))
    app_ids = dict(zip(members, reserve_ids(FilingApplication, len(members)), strict=True))
    number_ids = dict(zip(filed, reserve_ids(FilingNumber, len(filed)), strict=True))
    filing_ids = dict(zip(filed, reserve_ids(Filing, len(filed)), strict=True))
    batch_ids = dict(zip(batch_range, reserve_ids(AssessmentBatch, len(batch_range)), strict=True))
    certificate_ids = iter(reserve_ids(Certificate, n_certificates))

    t = {name: Table(model, with_pk=with_pk, now=now) for name, model, with_pk in [
        ("institution", Institution, True), ("application", FilingApplication, True), ("venue", Venue, False),
        ("number", FilingNumber, True), ("filing", Filing, True), ("scope", FilingScope, False),
        ("fee", FeeStandard, False), ("batch", AssessmentBatch, True), ("item", BatchItem, False),
        ("staff", BatchStaff, False), ("certificate", Certificate, True), ("upload", NationalUpload, True),
        ("candidate", Candidate, True),
        ("counter", NumberCounter, False)]}
    # Filing.last_batch_exam_on, where the schema has it (a denormalised "last exam" date kept by assessments)
    last_exam_at = (t["filing"].attnames.index("last_batch_exam_on")
                    if "last_batch_exam_on" in t["filing"].attnames else None)
    persons = []  # (candidate row values) to fill after the person ids are reserved
    certificate_rows = []
    for i in members:
        city = ctx.cities[plan.city[i]]
        province = ctx.provinces[city.province_id]
        province_level = plan.province_level[i]
        office = province if province_level else city
        kind, state, inst_id = plan.kind[i], plan.state[i], inst_ids[i]
        industry = INDUSTRY_S if kind == "S" else INDUSTRY_Y
        name = f"{city.name.removesuffix('市')}{rng.choice(BRANDS)}{rng.choice(industry)}{inst_id:06d}"
        address = f"{city.name}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
        body = f"52{city.code}MC{inst_id % 10_000_000:07d}"
        t["institution"].add(
            id=inst_id, name=name, kind=kind, uscc=body + uscc.calc_check_digit(body), region_id=city.pk,
            address=address, head=_name(rng), legal_representative=_name(rng), contact_name=_name(rng),
            contact_phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
            contact_email=f"contact{inst_id}@example.cn",
            sub_type="private_non_enterprise" if kind == "S" else "enterprise",
            affiliation="province" if province_level else "city",
            registered_on=today - dt.timedelta(days=rng.randint(1500, 8000)))
        t["fee"].add(institution_id=inst_id, item="理论知识考试费", level=4, amount_yuan=Decimal(rng.choice((100, 120, 150))))
        t["fee"].add(institution_id=inst_id, item="操作技能考核费", level=4, amount_yuan=Decimal(rng.choice((200, 260, 300))))
        if state is None:  # a newcomer: its initial application is in the office's queue
            app_state = rng.choice(OPEN_APPLICATION_STATES)
            submitted = today - dt.timedelta(days=rng.randint(1, 40))
            t["application"].add(
                id=app_ids[i], institution_id=inst_id, kind="initial", state=app_state, handling_region_id=office.pk,
                submitted_at=dt.datetime.combine(submitted, dt.time(9, rng.randint(0, 59)), dt.UTC),
                acceptance_due=submitted + dt.timedelta(days=7),
                accepted_on=None if app_state in ("submitted", "supplement_requested") else submitted
                + dt.timedelta(days=3),
                supplement_requested_on=submitted + dt.timedelta(days=2) if app_state == "supplement_requested"
                else None,
                supplement_due=submitted + dt.timedelta(days=9) if app_state == "supplement_requested" else None,
                completion_due=submitted + dt.timedelta(days=30),
                notice_starts_on=today - dt.timedelta(days=2) if app_state == "public_notice" else None,
                notice_ends_on=today + dt.timedelta(days=5) if app_state == "public_notice" else None,
                pledge_truthfulness=True, pledge_operation=True, pledged_by=_name(rng),
                pledged_at=dt.datetime.combine(submitted, dt.time(8), dt.UTC), created_at=now, updated_at=now)
            t["venue"].add(application_id=app_ids[i], kind="theory", address=address, room_count=2,
                           area_m2=Decimal(rng.randint(80, 400)), tenure="owned", occupation_codes=[])
            continue
        # the filing and its dates (each state leaves a window of at least 140 days for batches)
        if state in ("expired", "lapsed"):
            expires_on = today - dt.timedelta(days=rng.randint(1, 59) if state == "expired" else rng.randint(61, 400))
            valid_from = _add_years(expires_on, -3) + dt.timedelta(days=1)
        else:
            valid_from = today - dt.timedelta(days=rng.randint(400 if state in ("revoked", "terminated") else 200,
                                                               1090))
            expires_on = _add_years(valid_from, 3) - dt.timedelta(days=1)
        ended_on = {"suspended": today - dt.timedelta(days=rng.randint(1, 60)),
                    "revoked": today - dt.timedelta(days=rng.randint(1, 300)),
                    "terminated": today - dt.timedelta(days=rng.randint(1, 300))}.get(state)
        renewed = rng.random() < 0.2
        first_filed_on = _add_years(valid_from, -3) if renewed else valid_from
        decided_on = first_filed_on - dt.timedelta(days=1)
        submitted = decided_on - dt.timedelta(days=rng.randint(30, 60))
        serial = ctx.serials[i]
        number = build_filing_number(kind, "0000", city.province_code,
                                     "00" if province_level else city.filing_city_code, serial)
        retired = {"lapsed": "lapsed", "revoked": "revoked", "terminated": "terminated"}.get(state)
        retired_on = expires_on + dt.timedelta(days=61) if state == "lapsed" else ended_on
        t["application"].add(
            id=app_ids[i], institution_id=inst_id, kind="initial", state="approved", handling_region_id=office.pk,
            province_wide=province_level,
            submitted_at=dt.datetime.combine(submitted, dt.time(10), dt.UTC),
            acceptance_due=submitted + dt.timedelta(days=7), accepted_on=submitted + dt.timedelta(days=3),
            completion_due=submitted + dt.timedelta(days=30), notice_starts_on=decided_on - dt.timedelta(days=8),
            notice_ends_on=decided_on - dt.timedelta(days=1), decided_on=decided_on,
            pledge_truthfulness=True, pledge_operation=True, pledged_by=_name(rng),
            pledged_at=dt.datetime.combine(submitted, dt.time(8), dt.UTC), created_at=now, updated_at=now)
        t["number"].add(
            id=number_ids[i], number=number, kind=kind, institution_code="0000", province_code=city.province_code,
            city_code=number[7:9], serial=serial, holder_name=name, institution_id=inst_id,
            status="retired" if retired else "active", retired_reason=retired or "",
            retired_on=retired_on if retired else None, allocated_at=now)
        t["filing"].add(
            id=filing_ids[i], institution_id=inst_id, filing_number_id=number_ids[i], number=number, state=state,
            handling_region_id=office.pk, source_application_id=app_ids[i], first_filed_on=first_filed_on,
            valid_from=valid_from, expires_on=expires_on, province_wide=province_level,
            renewed_count=1 if renewed else 0,
            suspended_on=ended_on if state == "suspended" else None,
            suspension_reason="限期整改：评价质量督导发现问题" if state == "suspended" else "",
            revoked_on=ended_on if state == "revoked" else None,
            revocation_reason="弄虚作假，撤销备案" if state == "revoked" else "",
            terminated_on=ended_on if state == "terminated" else None,
            termination_kind="voluntary" if state == "terminated" else "",
            termination_reason="机构主动终止评价活动" if state == "terminated" else "", updated_at=now)
        # 2–4 scope rows over one or two occupations
        occupations = rng.sample(ctx.occupations, min(2, len(ctx.occupations)))
        scope: set[tuple[int, int]] = set()
        for _ in range(rng.randint(2, 4)):
            scope.add((rng.choice(occupations).pk, rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]))
        scope_rows = sorted(scope)
        for occupation_id, level in scope_rows:
            t["scope"].add(filing_id=filing_ids[i], occupation_id=occupation_id, level=level, work_type="",
                           added_on=first_filed_on, added_by_id=app_ids[i], active=True)
        by_pk = {o.pk: o for o in occupations}
        t["venue"].add(application_id=app_ids[i], kind="theory", address=address, room_count=rng.randint(1, 6),
                       area_m2=Decimal(rng.randint(80, 600)), tenure="owned",
                       occupation_codes=sorted({by_pk[o].code for o, _ in scope_rows}))
        filing_row = t["filing"].rows[-1]
        window_end = ended_on or min(today, expires_on)
        window_start = max(valid_from, window_end - dt.timedelta(days=1095))
        span = (window_end - window_start).days
        # the batches, in exam order; plan numbers count per filing and year
        batches = []
        for b in range(plan.batch_start[i], plan.batch_start[i] + plan.batch_count[i]):
            bstate = plan.batch_state[b]
            if bstate in ("certificates_issued", "cancelled"):
                exam_start = window_start + dt.timedelta(days=rng.randint(0, span - 45))
            elif bstate == "results_reported":
                exam_start = today - dt.timedelta(days=rng.randint(30, 44))
            elif bstate == "results_published":
                exam_start = today - dt.timedelta(days=rng.randint(4, 6))
            elif bstate == "conducted":
                exam_start = today - dt.timedelta(days=rng.randint(0, 2))
            else:  # scheduled, submitted, draft: ahead
                exam_start = today + dt.timedelta(days=rng.randint(15, 60))
            batches.append((exam_start, b, bstate))
        batches.sort()
        per_year: Counter[int] = Counter()
        last_exam = None
        for exam_start, b, bstate in batches:
            per_year[exam_start.year] += 1
            if bstate in CONDUCTED_STATES:
                last_exam = exam_start
            exam_end = exam_start + dt.timedelta(days=rng.randint(0, 1))
            past = bstate in ("certificates_issued", "results_reported", "results_published", "conducted")
            submitted_on = None if bstate == "draft" else exam_start - dt.timedelta(days=rng.randint(15, 25))
            if bstate == "submitted":
                submitted_on = today - dt.timedelta(days=rng.randint(0, 5))
            approved = bstate not in ("draft", "submitted") and not (bstate == "cancelled" and rng.random() < 0.5)
            publish_from = exam_end + dt.timedelta(days=1) if bstate in (
                "certificates_issued", "results_reported", "results_published") else None
            publish_until = publish_from + dt.timedelta(days=7) if publish_from else None
            reported_on = (publish_until + dt.timedelta(days=rng.randint(1, 5))
                           if bstate in ("certificates_issued", "results_reported") else None)
            if reported_on and reported_on > today:
                reported_on = today
            issued_on = (min(reported_on + dt.timedelta(days=rng.randint(1, 10)), window_end)
                         if bstate == "certificates_issued" else None)
            if issued_on and issued_on < reported_on:
                issued_on = reported_on
            items = rng.sample(scope_rows, min(len(scope_rows), rng.choice((1, 1, 2))))
            certified = plan.batch_certificates[b]
            if bstate == "certificates_issued":
                n_candidates = certified + int(certified * rng.uniform(0, 0.25))
            elif bstate in ("draft", "cancelled"):
                n_candidates = 0
            else:
                n_candidates = rng.randint(3, 12)
            batch_id = batch_ids[b]
            t["batch"].add(
                id=batch_id, plan_number=f"{number}{exam_start.year}{per_year[exam_start.year]:03d}",
                filing_id=filing_ids[i], institution_id=inst_id, handling_region_id=city.pk, state=bstate,
                exam_start=exam_start, exam_end=exam_end, venue_address=address,
                candidate_source="本单位职工" if kind == "Y" else "社会报名",
                planned_count=max(n_candidates, rng.randint(5, 30)), submitted_on=submitted_on,
                approved_on=submitted_on + dt.timedelta(days=3) if approved and submitted_on else None,
                conducted_on=(exam_start if bstate == "conducted" else exam_end) if past else None, publish_from=publish_from, publish_until=publish_until,
                report_due=publish_until + dt.timedelta(days=14) if publish_until else None,
                reported_on=reported_on, certificates_issued_on=issued_on,
                cancel_reason="考生人数不足，取消本次评价" if bstate == "cancelled" else "", created_at=now)
            for occupation_id, level in items:
                t["item"].add(batch_id=batch_id, occupation_id=occupation_id, level=level, work_type="")
            for role in ("invigilator", "assessor", "supervisor"):
                t["staff"].add(batch_id=batch_id, role=role, name=_name(rng),
                               phone=f"13{rng.randint(0, 999999999):09d}", organisation=name, is_trainer=False)
            employer = name if kind == "Y" else ""
            for c in range(n_candidates):
                occupation_id, level = items[c % len(items)]
                if bstate in ("certificates_issued", "results_reported", "results_published"):
                    result = "pass" if c < (certified if bstate == "certificates_issued" else n_candidates * 0.85) \
                        else "fail"
                elif bstate == "conducted":
                    result = rng.choice(("pass", "fail", "pending"))
                else:
                    result = "pending"
                theory = practical = None
                if result != "pending":
                    low, high = (60, 99) if result == "pass" else (30, 59)
                    theory, practical = Decimal(rng.randint(low, high)), Decimal(rng.randint(low, high))
                row = {"batch_id": batch_id, "name": _name(rng), "employer": employer or rng.choice(
                    ("", f"{city.name.removesuffix('市')}{rng.choice(BRANDS)}{rng.choice(INDUSTRY_Y)}")),
                       "city": city.name, "occupation_id": occupation_id, "level": level, "result": result,
                       "theory_score": theory, "practical_score": practical, "id_type": "201",
                       "eligibility": "eligible" if bstate != "draft" else "unchecked",
                       "eligibility_reviewed_on": submitted_on, "county": rng.choice(ctx.counties[city.pk])}
                persons.append(row)
                if bstate == "certificates_issued" and result == "pass":
                    certificate_rows.append((filing_ids[i], number, issued_on, row, batch_id, name,
                                             city.province_code))
        if last_exam_at is not None:  # the filing's last conducted exam (supervision's inactivity detection)
            filing_row[last_exam_at] = last_exam
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a crash loses at most the last chunks, which a re-run writes again
            cursor.execute("SET LOCAL synchronous_commit = off")
    if fail_after:
        fail_after("plan")
    # the people: one valid ID number each, encrypted and indexed once (a certificate shares its candidate's)
    for person, row in zip(reserve_ids(Candidate, len(persons)), persons, strict=True):
        number, gender = resident_id(person, row.pop("county"))
        row.update(id=person, gender=gender, id_number=encrypt_value(number), id_number_hash=id_number_index(number))
    # certificates: per filing, year and level, serials from 000001 in issue order (NUM-05/06/07)
    serials: Counter[str] = Counter()
    occupation_of = {o.pk: o for o in ctx.occupations}
    for filing_id, number, issued_on, row, batch_id, institution_name, province_code in sorted(
            certificate_rows, key=lambda r: (r[0], r[2], r[4], r[3]["id"])):
        year, level = issued_on.year % 100, row["level"]
        scope = f"C{number}{year:02d}{level}"
        serials[scope] += 1
        cert_id = next(certificate_ids)
        voided = rng.random() < 0.002
        occupation = occupation_of[row["occupation_id"]]
        t["certificate"].add(
            id=cert_id, number=build_certificate_number(number, year, level, serials[scope]), filing_number=number,
            filing_id=filing_id, batch_id=batch_id, province_code=province_code, city_code=number[7:9],
            issue_year=year, level=level, serial=serials[scope], holder_name=row["name"], id_type="201",
            id_number=row["id_number"], id_number_hash=row["id_number_hash"], photo="", employer=row["employer"],
            occupation_code=occupation.code, occupation_name=occupation.name, work_type="", issue_date=issued_on,
            institution_name=institution_name, status="voided" if voided else "valid",
            void_reason="证书信息有误，作废重发" if voided else "", voided_on=today if voided else None,
            created_at=now)
        if issued_on < today - dt.timedelta(days=30):  # uploaded to the national lookup 20 days after issue
            t["upload"].add(certificate_id=cert_id,
                            uploaded_at=dt.datetime.combine(issued_on + dt.timedelta(days=20), dt.time(12), dt.UTC))
        row["certificate_id"] = cert_id
    for scope, last in sorted(serials.items()):
        t["counter"].add(scope=scope, last=last)
    for row in persons:
        t["candidate"].add(**row)
    counts = {}
    for name in ("institution", "application", "venue", "number", "filing", "scope", "fee", "batch", "item",
                 "staff", "certificate", "upload", "candidate", "counter"):
        counts[name] = t[name].write()
        if fail_after:
            fail_after(name)
    audit_record(action=CHUNK, comment=f"seed_scale {sizes.key} chunk {index + 1}/{ctx.chunks}",
                 data={"run": sizes.key, "chunk_index": index, **counts})
    return counts


def finish(ctx: Context) -> None:
    """The run's last event, and fresh planner statistics for the bulk-loaded tables (PostgreSQL)."""
    audit_record(action=DONE, comment=f"seed_scale {ctx.sizes.key} done", data={"run": ctx.sizes.key})
    if connection.vendor == "postgresql":
        from assessments.models import AssessmentBatch, BatchItem, BatchStaff, Candidate
        from certificates.models import Certificate, FilingNumber, NationalUpload, NumberCounter
        from institutions.models import (
            FeeStandard,
            Filing,
            FilingApplication,
            FilingScope,
            Institution,
            Venue,
        )

        with connection.cursor() as cursor:
            for model in (Institution, FilingApplication, Venue, FilingNumber, Filing, FilingScope, FeeStandard,
                          AssessmentBatch, BatchItem, BatchStaff, Certificate, NationalUpload, Candidate,
                          NumberCounter):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def group_counts(rows) -> dict:
    out: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        for k, v in row.items():
            if isinstance(v, int):
                out[k] += v
    return dict(out)
