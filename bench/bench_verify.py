"""Public verification by number with 1,000,000 certificates on PostgreSQL (target p95 ≤ 20 ms at the view).

    .venv/bin/python bench/bench_verify.py [--rows 1000000] [--lookups 2000] [--quick] [--json FILE]

Rows are inserted with one SQL statement (generate_series); each lookup is a real POST to
/api/v1/public/certificates/verify/ through Django's full stack (middleware, DRF, the rate
limiter, decryption and masking), from a different client address so the limit does not bite.
Yardstick: the same lookups as one hand-written SQL query on the same connection (the row by number).
"""

import argparse
import random
import time

from _setup import add_common_args, latency, percentile, row, setup, write_json, yardstick

TARGET_MS = 20.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int)
    parser.add_argument("--lookups", type=int)
    add_common_args(parser)
    args = parser.parse_args()
    args.rows = args.rows or (100_000 if args.quick else 1_000_000)
    args.lookups = args.lookups or (300 if args.quick else 2000)
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from certificates.models import Certificate
    from filing_portal.personal_data import encrypt_value, id_number_index

    filing = "S000034010001"
    have = Certificate.objects.count()
    if have != args.rows:
        Certificate.objects.all().delete()
        cipher, index = encrypt_value("340104199001011230"), id_number_index("340104199001011230")
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO certificates_certificate
                  (number, filing_number, province_code, city_code, issue_year, level, serial, holder_name,
                   id_type, id_number, id_number_hash, photo, employer, occupation_code, occupation_name,
                   work_type, issue_date, institution_name, status, void_reason, created_at)
                SELECT %s || '26' || (3 + g / 500001)::text || lpad((g - 500000 * (g / 500001))::text, 6, '0'),
                       %s, '34', '01', 26, 3 + g / 500001, g - 500000 * (g / 500001), '考生' || g,
                       '201', %s, %s, '', '', '4-12-01-01', '汽车维修工', '', DATE '2026-11-22', '基准测试机构',
                       'valid', '', now()
                FROM generate_series(1, %s) AS g
                """,
                [filing, filing, cipher, index, args.rows],
            )
            cur.execute("ANALYZE certificates_certificate")
        print(f"inserted {args.rows:,} certificates in {time.perf_counter() - start:.1f} s")
    client = Client(HTTP_HOST="localhost")
    rng = random.Random(7)
    for i in range(3):  # warm-up: URLconf, templates and the first connection are not the lookup's work
        client.post("/api/v1/public/certificates/verify/", {"number": f"{filing}263000001", "name": "考生1"},
                    content_type="application/json", REMOTE_ADDR=f"10.255.255.{i + 1}")
    timings, query_counts = [], set()
    for i in range(args.lookups):
        g = rng.randint(1, args.rows)  # the same mapping as the INSERT: 500,000 per level
        level, serial = 3 + g // 500001, g - 500000 * (g // 500001)
        payload = {"number": f"{filing}26{level}{serial:06d}", "name": f"考生{g}" if i % 10 else "别人"}
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.post("/api/v1/public/certificates/verify/", payload, content_type="application/json",
                                   REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content
        query_counts.add(len(ctx.captured_queries))
    print(f"verify by number over {args.rows:,} certificates, {args.lookups} lookups: "
          f"p50 {percentile(timings, 50):.2f} ms, p95 {percentile(timings, 95):.2f} ms, "
          f"max {max(timings):.2f} ms; queries per lookup: {sorted(query_counts)} (target p95 ≤ 20 ms)")
    rng = random.Random(7)
    bare = []
    with connection.cursor() as cur:
        for _i in range(args.lookups):
            g = rng.randint(1, args.rows)
            level, serial = 3 + g // 500001, g - 500000 * (g // 500001)
            t0 = time.perf_counter()
            cur.execute("SELECT number, holder_name, id_number, occupation_name, level, issue_date, institution_name, "
                        "status FROM certificates_certificate WHERE number = %s", [f"{filing}26{level}{serial:06d}"])
            assert cur.fetchone()
            bare.append((time.perf_counter() - t0) * 1000)
    lat, bare_lat = latency(timings), latency(bare)
    print(f"  yardstick, the row by number in raw SQL: p50 {bare_lat['median_ms']:.2f} ms, "
          f"p95 {bare_lat['p95_ms']:.2f} ms")
    write_json(args.json, "verify", [row(
        f"public verification at the view ({args.rows:,} certificates, in-process)", "latency", n=args.lookups,
        **lat, queries=max(query_counts), yardstick=yardstick("raw SQL row by number", **bare_lat),
        target=f"p95 <= {TARGET_MS:g} ms, constant queries", ok=lat["p95_ms"] <= TARGET_MS and len(query_counts) == 1,
        notes=f"POST /api/v1/public/certificates/verify/ through Django's test Client (whole stack, one thread); "
              f"queries per lookup {sorted(query_counts)}; 1 in 10 with a wrong name")])


if __name__ == "__main__":
    main()
