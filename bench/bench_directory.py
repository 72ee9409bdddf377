"""The public directory and the staff lists with 50,000 filed institutions on PostgreSQL (target p95 ≤ 100 ms
(issue 8; was 150 ms), a query count that does not depend on the data).

    .venv/bin/python bench/bench_directory.py [--institutions 50000] [--applications 5000] [--requests 60]
                                              [--fresh] [--explain] [--quick] [--json FILE]

Data is written with COPY (explicit ids, sequences moved past them afterwards): institutions spread over the
55 cities of the four shipped provinces, one filing each with a well-formed, unique number (NUM-01: serial per
city), 2–4 scope rows from the real occupation catalogue, two fee standards, and open applications for the staff
queue. A second run reuses the data when the counts match (else it starts from a fresh database). Each measurement is a real GET through Django's whole
stack (test Client, HTTP_HOST="localhost"); p50/p95 over `--requests` requests after 3 warm-ups. A measurement
that misses the target prints EXPLAIN ANALYZE of its slowest query with --explain.
"""

import argparse
import datetime as dt
import io
import random
import time

from _setup import add_common_args, latency, percentile, row, setup, write_json

TARGET_MS = 100
BRANDS = ["新华", "华信", "明德", "育才", "中天", "金桥", "远航", "东方", "博雅", "启航", "德胜", "鸿达", "安泰",
          "恒信", "长城", "蓝天", "正泰", "天成", "锦程", "卓越"]
INDUSTRY = ["职业技能评价中心", "职业培训学校", "汽车服务有限公司", "机械制造有限公司", "技工学校", "家政服务有限公司",
            "建筑工程有限公司", "电子科技有限公司"]
STATES = ["active"] * 90 + ["suspended"] * 4 + ["expired"] * 3 + ["revoked"] * 2 + ["terminated"]
OPEN_STATES = ["submitted", "supplement_requested", "initial_review", "technical_evaluation", "comprehensive_review",
               "public_notice"]


def copy_models(objs) -> None:
    """COPY model instances (explicit pks) into their table: every concrete column, auto_now_add included."""
    from django.db import connection

    objs = list(objs)
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields])


def reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def make_uscc(n: int, region_code: str) -> str:
    from stdnum.cn import uscc

    body = f"52{region_code}MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def populate(n_institutions: int, n_applications: int) -> None:
    from django.db import connection, transaction

    from certificates.models import FilingNumber
    from certificates.numbers import build_filing_number
    from filing_portal.accounts.models import User
    from filing_portal.regions.models import Region
    from institutions.models import (
        FeeStandard,
        Filing,
        FilingApplication,
        FilingScope,
        Institution,
        Occupation,
    )

    rng = random.Random(2026)
    cities = list(Region.objects.filter(level="city").order_by("code"))
    per_city = -(-n_institutions // len(cities))
    assert per_city <= 9999, "NUM-01: at most 9,999 filing numbers per city"
    occupations = list(Occupation.objects.filter(major_group__in=[4, 6], is_access_licensed=False).order_by("code"))
    popular = [o for o in occupations if o.code in ("4-12-01-01", "6-18-01-01", "4-10-01-03")]
    today = dt.date(2026, 11, 22)
    with transaction.atomic():
        institutions, numbers, filings, scope, fees = [], [], [], [], []
        seed = FilingApplication(pk=1, institution_id=1, kind="initial", state="approved", decided_on=today)
        for i in range(1, n_institutions + 1):
            city = cities[i % len(cities)]
            serial = i // len(cities) + 1
            kind = "S" if i % 3 else "Y"
            name = f"{city.name[:-1]}{rng.choice(BRANDS)}{rng.choice(INDUSTRY)}{i:05d}"
            institutions.append(Institution(
                pk=i, name=name, kind=kind, uscc=make_uscc(i, city.code), region_id=city.pk, head=f"负责人{i % 997}",
                legal_representative=f"法人{i % 991}", address=f"{city.name}建设路{i % 500 + 1}号",
                contact_name="联系人", contact_phone="0551-62000000"))
            number = build_filing_number(kind, "0000", city.province_code, city.filing_city_code, serial)
            numbers.append(FilingNumber(pk=i, number=number, kind=kind, institution_code="0000",
                                        province_code=city.province_code, city_code=city.filing_city_code,
                                        serial=serial, holder_name=name, institution_id=i))
            state = rng.choice(STATES)
            valid_from = today - dt.timedelta(days=rng.randint(1, 1400))
            expires_on = valid_from + dt.timedelta(days=3 * 365)
            if state == "active" and expires_on < today:
                state = "expired"
            filings.append(Filing(pk=i, institution_id=i, filing_number_id=i, number=number, state=state,
                                  handling_region_id=city.pk, first_filed_on=valid_from, valid_from=valid_from,
                                  expires_on=expires_on, province_wide=i % 17 == 0))
            # 2–4 scope rows over one or two occupations; a third of the filings have a popular one.
            occs = rng.sample(occupations, 2)
            if rng.random() < 0.3:
                occs[0] = rng.choice(popular)
            rows: set[tuple[int, int]] = set()
            wanted = rng.randint(2, 4)
            while len(rows) < wanted:
                occupation = occs[0] if len(rows) < 2 or rng.random() < 0.5 else occs[1]
                rows.add((occupation.pk, rng.randint(1, 5)))
            for occupation_id, level in sorted(rows):
                scope.append(FilingScope(pk=len(scope) + 1, filing_id=i, occupation_id=occupation_id, level=level,
                                         work_type="", added_on=valid_from, added_by_id=1, active=True))
            fees.append(FeeStandard(pk=2 * i - 1, institution_id=i, item="理论知识考试费", level=4, amount_yuan=120))
            fees.append(FeeStandard(pk=2 * i, institution_id=i, item="操作技能考核费", level=4, amount_yuan=260))
        copy_models(institutions)
        copy_models([seed])
        copy_models(numbers)
        copy_models(filings)
        copy_models(scope)
        copy_models(fees)
        anhui = [c for c in cities if c.code.startswith("34")]
        province = Region.objects.get(code="340000")
        applications = []
        for j in range(n_applications):
            state = OPEN_STATES[j % len(OPEN_STATES)]
            submitted = today - dt.timedelta(days=rng.randint(1, 60))
            region = province if j % 10 == 0 else anhui[j % len(anhui)]
            applications.append(FilingApplication(
                pk=j + 2, institution_id=rng.randint(1, n_institutions), kind="initial", state=state,
                handling_region=region, submitted_at=dt.datetime.combine(submitted, dt.time(9), dt.UTC),
                acceptance_due=submitted + dt.timedelta(days=14), accepted_on=submitted + dt.timedelta(days=3),
                supplement_due=submitted + dt.timedelta(days=7) if state == "supplement_requested" else None,
                completion_due=submitted + dt.timedelta(days=30), notice_starts_on=today if state == "public_notice"
                else None, notice_ends_on=today + dt.timedelta(days=7) if state == "public_notice" else None,
                pledge_truthfulness=True, pledge_operation=True))
        copy_models(applications)
        reset_sequences([Institution, FilingNumber, Filing, FilingScope, FeeStandard, FilingApplication])
        User.objects.filter(username="province_ah").delete()
        User.objects.create_user(username="province_ah", password="bench-Pass-2026", role="province_staff",
                                 region=province)
        with connection.cursor() as cursor:
            for table in ("institutions_institution", "certificates_filingnumber", "institutions_filing",
                          "institutions_filingscope", "institutions_feestandard", "institutions_filingapplication"):
                cursor.execute(f"ANALYZE {table}")
    print(f"inserted {n_institutions:,} institutions and filings, {len(scope):,} scope rows, {len(fees):,} fee "
          f"standards, {n_applications:,} open applications")


def explain(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cursor.fetchall():
            print("      " + line)


def measure(label, client, urls, requests: int, *, do_explain: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, db_times, counts, slowest = [], [], set(), (0.0, "")
    for i in range(requests + 3):
        url = urls[i % len(urls)]
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i < 3:
            continue  # warm-up
        timings.append(elapsed)
        db_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        counts.add(len(ctx.captured_queries))
        for q in ctx.captured_queries:
            if float(q["time"]) * 1000 > slowest[0]:
                slowest = (float(q["time"]) * 1000, q["sql"])
    p95 = percentile(timings, 95)
    verdict = "ok" if p95 <= TARGET_MS and len(counts) == 1 else "MISSES TARGET"
    print(f"{label:<58} p50 {percentile(timings, 50):7.1f} ms  p95 {p95:7.1f} ms  max {max(timings):7.1f} ms  "
          f"db p50 {percentile(db_times, 50):6.1f} ms  queries {sorted(counts)}  [{verdict}]", flush=True)
    if verdict != "ok" and do_explain:
        print(f"    slowest query ({slowest[0]:.1f} ms):\n      {slowest[1][:600]}")
        explain(slowest[1])
    return row(label, "latency", n=len(timings), **latency(timings), queries=max(counts),
               target=f"p95 <= {TARGET_MS} ms, constant queries", ok=verdict == "ok",
               notes=f"GET {', '.join(urls[:2])}{' …' if len(urls) > 2 else ''} through Django's test Client "
                     f"(in-process, after 3 warm-ups); queries per request {sorted(counts)}; db p50 "
                     f"{percentile(db_times, 50):.1f} ms")


def measure_selector(label, user, requests: int) -> dict:
    """Until the page exists: the queue's own queries (what the page will run at least)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from institutions.selectors import staff_queue

    timings, counts = [], set()
    for i in range(requests + 3):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            qs = staff_queue(user)
            qs.count()
            list(qs[:50])
            elapsed = (time.perf_counter() - t0) * 1000
        if i >= 3:
            timings.append(elapsed)
            counts.add(len(ctx.captured_queries))
    print(f"{label:<58} p50 {percentile(timings, 50):7.1f} ms  p95 {percentile(timings, 95):7.1f} ms  "
          f"max {max(timings):7.1f} ms  queries {sorted(counts)}", flush=True)
    return row(label, "latency", n=len(timings), **latency(timings), queries=max(counts),
               target=f"p95 <= {TARGET_MS} ms, constant queries",
               ok=percentile(timings, 95) <= TARGET_MS and len(counts) == 1,
               notes="institutions.selectors.staff_queue alone (the page is not there yet)")


def otp_verified(client, user) -> None:
    """The staff session as after the TOTP step (OTP_REQUIRED_FOR_STAFF): a confirmed device in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--institutions", type=int)
    parser.add_argument("--applications", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of a miss")
    add_common_args(parser)
    args = parser.parse_args()
    args.institutions = args.institutions or (5_000 if args.quick else 50_000)
    args.applications = args.applications or (500 if args.quick else 5_000)
    args.requests = args.requests or (20 if args.quick else 60)
    setup(name="filing_bench_directory", fresh=args.fresh)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from filing_portal.accounts.models import User
    from filing_portal.regions.services import reference_data_load
    from institutions.models import Filing, FilingApplication

    open_apps = FilingApplication.objects.exclude(state="approved").count()
    if Filing.objects.count() != args.institutions or open_apps != args.applications:
        start = time.perf_counter()
        if Filing.objects.exists():  # other sizes: start from an empty database (the audit table refuses TRUNCATE)
            connection.close()
            setup(name="filing_bench_directory", fresh=True)
        reference_data_load()
        call_command("load_occupations", verbosity=0, stdout=io.StringIO())
        populate(args.institutions, args.applications)
        print(f"data ready in {time.perf_counter() - start:.1f} s")
    in_directory = Filing.objects.filter(state__in=["active", "suspended", "expired"]).count()
    print(f"{Filing.objects.count():,} filings ({in_directory:,} in the directory), {open_apps or args.applications:,} "
          f"open applications; {args.requests} requests per line, target p95 ≤ {TARGET_MS} ms")

    public = Client(HTTP_HOST="localhost")
    n, explain_misses = args.requests, args.explain
    brands = [f"/directory/?q={b}" for b in BRANDS[:6]]
    occupations = [f"/directory/?occupation={code}&level={level}"
                   for code, level in (("4-12-01-01", 3), ("6-18-01-01", 4), ("4-10-01-03", 5), ("4-12-01-01", 4))]
    details = [f"/directory/{number}/" for number in
               Filing.objects.filter(state="active").order_by("?").values_list("number", flat=True)[:5]]
    deep = min(200, max(1, in_directory // 50))  # page 200 at the issue size; a page that exists at --quick
    rows = [measure(label, public, urls, n, do_explain=explain_misses) for label, urls in (
        ("directory page, no filter (page 1)", ["/directory/"]),
        ("directory page, name search (q=新华 …)", brands),
        ("directory page, occupation + level search", occupations),
        ("directory page, region (province) + occupation name", ["/directory/?region=340000&occupation=汽车维修"]),
        (f"directory page {deep}", [f"/directory/?page={deep}"]),
        ("directory detail page", details),
        ("public API list /api/v1/public/institutions/", ["/api/v1/public/institutions/"]),
        (f"public API list, page {deep}", [f"/api/v1/public/institutions/?page={deep}"]),
    )]
    staff_user = User.objects.get(username="province_ah")
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(staff_user)
    otp_verified(staff, staff_user)
    rows.append(measure("/api/v1/filings/ as province staff (Anhui)", staff, ["/api/v1/filings/"], n,
                        do_explain=explain_misses))
    try:
        queue = reverse("institutions:staff_queue")
    except NoReverseMatch:
        print(f"{'staff queue /staff/applications/':<58} skipped: the URL institutions:staff_queue is not there yet")
        rows.append(measure_selector("staff_queue selector alone (count + first 50)", staff_user, n))
    else:
        rows.append(measure(f"staff queue {queue} as province staff", staff, [queue], n, do_explain=explain_misses))

    # Not under the page target (a download, not a page): how long the whole directory takes to export.
    for fmt in ("csv", "xlsx"):
        timings = []
        for i in range(3):
            t0 = time.perf_counter()
            response = public.get(f"/directory/export.{fmt}", REMOTE_ADDR=f"10.9.0.{i + 1}")
            size = len(b"".join(response.streaming_content))
            timings.append(time.perf_counter() - t0)
        print(f"{'export.' + fmt + f' of the whole directory ({in_directory:,} rows)':<58} "
              f"best {min(timings):.2f} s, {size / 1e6:.1f} MB")
        rows.append(row(f"directory export.{fmt} ({in_directory:,} rows)", "duration", n=in_directory,
                        seconds=min(timings), rps=in_directory / min(timings),
                        notes=f"GET /directory/export.{fmt}, streamed, in-process; best of 3; {size / 1e6:.1f} MB; "
                              f"no target (a download)"))
    write_json(args.json, "directory", rows)


if __name__ == "__main__":
    main()
