"""Staff queues and API lists at page sizes 20 and 100 on the current database: latency and a constant query count.

    .venv/bin/python bench/bench_lists.py [--requests 30] [--quick] [--json FILE] [--only SUBSTRING]
                                          [--province-user NAME] [--city-user NAME]

The database is DATABASE_URL (default the `filing_scale` database `manage.py seed_scale` fills). Every request is
a GET through Django's whole stack (test Client in this process, production settings as in bench_http.py) as a
logged-in staff user: the first active province staff user and the first active city staff user (or the ones
named). Their sessions are made inside one transaction that is rolled back at the end, so the database is left
as it was; the second factor is switched off for the run (OTP_REQUIRED_FOR_STAFF=False: the bench has no TOTP
device; the check is one session read either way).

Each list is asked for `?page_size=20` and `?page_size=100`. The rows a page really returned are reported (the
API's `results`, a page's `page` in its template context): an endpoint that ignores page_size serves its fixed
page both times, and the note says so. A list is not ok when its query count differs between the two page sizes
(or, for the city user, between them too): the count must not grow with the rows. Latency: median/p95/p99 over
`--requests` requests after 2 warm-ups. Yardstick (certificates only): the same page as hand-written SQL over
psycopg, COUNT plus the page of rows; the other lists have none (null).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import contextmanager

from _setup import latency, row, write_json, yardstick
from bench_http import DEFAULT_DATABASE_URL, bench_env

PAGES = [  # (url name, label)
    ("institutions:staff_queue", "filing applications queue"),
    ("institutions:staff_filings", "filings"),
    ("institutions:staff_stop_orders", "stop orders"),
    ("assessments:staff_batches", "batches queue"),
    ("renewals:staff_renewals", "renewals queue"),
    ("supervision:cases", "supervision cases"),
    ("supervision:complaints_queue", "complaints queue"),
    ("supervision:draws", "double-random draws"),
    ("supervision:inspections", "inspections"),
    ("certificates:register", "certificate register"),
    ("notifications:list", "notifications"),
]
API_BASENAMES = ["certificate", "institution", "filing-application", "filing", "batch", "draw", "inspection", "case",
                 "complaint", "renewal"]
PAGE_SIZES = (20, 100)
TARGET = "constant queries (20 vs 100, last page)"
NOT_PROVEN = "; no rows seen (empty, or no paginated list in the context): the count is not proven constant"


def resolve_endpoints() -> list[tuple[str, str]]:
    from django.urls import NoReverseMatch, reverse

    out = []
    for name, label in PAGES:
        try:
            out.append((f"staff page {label}", reverse(name)))
        except NoReverseMatch:
            print(f"skipped: no URL named {name}")
    for basename in API_BASENAMES:
        try:
            out.append((f"API list {basename}", reverse(f"{basename}-list")))
        except NoReverseMatch:
            print(f"skipped: no API list {basename}-list")
    return out


def page_info(response) -> tuple[int | None, int | None]:
    """The rows the page really holds and its number of pages: the API's results and count, or the template
    context's Paginator page."""
    from django.core.paginator import Page

    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        if not isinstance(data, dict) or "results" not in data:
            return None, None
        got = len(data["results"])
        return got, -(-data.get("count", 0) // got) if got else 1
    values = [v for context in response.context or [] if hasattr(context, "flatten")
              for v in context.flatten().values()]
    for value in values:
        if isinstance(value, Page):
            return len(value.object_list), value.paginator.num_pages
    # not paginated (a capped list): the longest list in the context, and no page count
    lists = [len(v) for v in values if isinstance(v, list)]
    return (max(lists), None) if lists else (None, None)


def list_queries(statements: list[str]) -> int:
    """The request's queries without the session's own: SessionSecurityMiddleware stamps the last activity
    at most once a minute (an UPDATE of django_session in a savepoint, whichever request it falls on),
    which says nothing about the list."""
    return sum(1 for sql in statements if '"django_session"' not in sql and not sql.startswith(_SAVEPOINTS))


@contextmanager
def statements_run():
    """The SQL of every statement the connection runs inside the block, by an execute wrapper. Not
    CaptureQueriesContext: it reads Django's query log, which keeps the last 9,000 statements, and once the log
    is full a request's slice of it is empty (a list read as "0 queries" late in a run)."""
    from django.db import connection

    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


# The session save runs in a savepoint inside the benchmark's rolled-back transaction; a list reads none.
_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def probe(client, url: str) -> tuple[int, int | None, int, int | None]:
    """One request with template rendering instrumented (for the context): status, rows, queries, pages."""
    from django.template import Template
    from django.test.utils import instrumented_test_render

    original = Template._render
    Template._render = instrumented_test_render
    try:
        with statements_run() as statements:
            response = client.get(url, secure=True)
        got, pages = page_info(response) if response.status_code == 200 else (None, None)
        return response.status_code, got, list_queries(statements), pages
    finally:
        Template._render = original


def measure(client, url: str, n: int) -> dict:
    timings, counts = [], set()
    for i in range(n + 2):
        with statements_run() as statements:
            t0 = time.perf_counter()
            response = client.get(url, secure=True)
            elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= 2:
            timings.append(elapsed)
            counts.add(list_queries(statements))
    return {"ms": timings, "queries": sorted(counts)}


def certificates_raw(user, page_size: int, n: int) -> dict:
    """COUNT and one page of certificates in the user's jurisdiction, hand-written, over psycopg."""
    import psycopg

    where, args = ["province_code = %s"], [user.region.province_code]
    if user.role == "city_staff":
        where.append("city_code = %s")
        args.append(user.region.filing_city_code)
    cond = " AND ".join(where)
    timings = []
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        for i in range(n + 2):
            t0 = time.perf_counter()
            conn.execute(f"SELECT count(*) FROM certificates_certificate WHERE {cond}", args).fetchone()  # noqa: S608
            conn.execute(f"SELECT * FROM certificates_certificate WHERE {cond} "  # noqa: S608
                         "ORDER BY issue_date DESC, number LIMIT %s", [*args, page_size]).fetchall()
            if i >= 2:
                timings.append((time.perf_counter() - t0) * 1000)
    return latency(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, help="requests per list and page size (default 30; quick 5)")
    parser.add_argument("--only", help="only the lists whose label or URL contains this")
    parser.add_argument("--province-user", help="username of the province staff user (default: the first)")
    parser.add_argument("--city-user", help="username of the city staff user (default: the first)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows (the bench/run contract) to FILE")
    parser.add_argument("--quick", action="store_true", help="a smaller smoke-test size")
    parser.add_argument("--duration", type=float, help=argparse.SUPPRESS)  # bench/run passes these to HTTP benches
    parser.add_argument("--clients", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.requests or (5 if args.quick else 30)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    env = bench_env(database_url, os.path.join(tempfile.gettempdir(), f"filing_bench_http_{os.getuid()}"))
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client, override_settings

    from filing_portal.accounts.models import User

    call_command("collectstatic", interactive=False, verbosity=0)
    endpoints = [e for e in resolve_endpoints() if not args.only or args.only in e[0] or args.only in e[1]]
    staff = User.objects.filter(is_active=True).select_related("region").order_by("pk")
    province = (staff.get(username=args.province_user) if args.province_user
                else staff.filter(role="province_staff").first())
    city = staff.get(username=args.city_user) if args.city_user else staff.filter(role="city_staff").first()
    if province is None:
        raise SystemExit("no active province staff user in the database: seed it first (manage.py seed_scale)")
    print(f"database {database_url}; province staff {province.username} ({province.region}), city staff "
          f"{city.username + ' (' + str(city.region) + ')' if city else 'none'}; {n} requests per line", flush=True)
    rows = []
    with override_settings(OTP_REQUIRED_FOR_STAFF=False), transaction.atomic():
        clients = {}
        for who, user in (("province", province), ("city", city)):
            if user is not None:
                clients[who] = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
                clients[who].force_login(user)
        for label, base in endpoints:
            sep = "&" if "?" in base else "?"
            probes = {who: {size: probe(c, f"{base}{sep}page_size={size}") for size in PAGE_SIZES}
                      for who, c in clients.items()}
            status = probes["province"][PAGE_SIZES[0]][0]
            if status != 200:
                print(f"{label:<40} {base}: province staff gets {status}; skipped", flush=True)
                rows.append(row(f"{label} {base} (province staff)", "latency", target=TARGET,
                                ok=None, notes=f"HTTP {status} for the province staff user: not measured"))
                continue
            sizes_ignored = probes["province"][20][1] == probes["province"][100][1]
            last_note, last_ok = "", True
            pages = probes["province"][100][3]
            if pages and pages > 1:  # the last page holds fewer rows (or as many): the count must not change
                last = probe(clients["province"], f"{base}{sep}page_size=100&page={pages}")
                last_ok = last[0] == 200 and last[2] == probes["province"][100][2]
                last_note = f"; last page ({pages}): HTTP {last[0]}, rows {last[1]}, queries {last[2]}"
            city_note, city_ok = "", True
            if "city" in probes:
                cq = {size: p[2] for size, p in probes["city"].items()}
                cs = {size: p[0] for size, p in probes["city"].items()}
                if cs[20] == 200:
                    city_ok = cq[20] == cq[100]
                    city_note = (f"; city staff {city.username}: queries {cq[20]} at 20, {cq[100]} at 100, rows "
                                 f"{probes['city'][20][1]}/{probes['city'][100][1]}")
                else:
                    city_note = f"; city staff: HTTP {cs[20]}"
            for size in PAGE_SIZES:
                url = f"{base}{sep}page_size={size}"
                res = measure(clients["province"], url, n)
                lat = latency(res["ms"])
                q20, q100 = probes["province"][20][2], probes["province"][100][2]
                constant = q20 == q100 and len(res["queries"]) == 1 and city_ok and last_ok
                ys = None
                if label in ("API list certificate", "staff page certificate register"):
                    ys = yardstick("raw SQL over psycopg: COUNT + page", **certificates_raw(
                        province, size if not sizes_ignored else (probes["province"][size][1] or size), n))
                got = probes["province"][size][1]
                print(f"{label:<40} page_size {size:>3} (rows {got})  median {lat['median_ms']:7.1f} ms  "
                      f"p95 {lat['p95_ms']:7.1f} ms  queries {res['queries']}"
                      f"{'' if constant else '  NOT CONSTANT'}{last_note}{city_note}", flush=True)
                rows.append(row(
                    f"{label} {base} page_size {size} (province staff)", "latency", n=len(res["ms"]), **lat,
                    queries=max(res["queries"]), yardstick=ys, target=TARGET,
                    ok=None if not got and not last_note else constant,
                    notes=f"rows returned {got}"
                          + (" (page_size ignored: the list's fixed page)" if sizes_ignored and got else "")
                          + f"; queries {q20} at page_size 20, {q100} at 100; per request {res['queries']}"
                          + last_note + city_note
                          + (NOT_PROVEN if not got and not last_note else "")
                          + ("" if ys else "; no hand-written SQL yardstick for this list")))
        transaction.set_rollback(True)
    write_json(args.json, "lists", rows)


if __name__ == "__main__":
    main()
