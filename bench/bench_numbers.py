"""Certificate number allocation for 10,000 passers with 8 parallel issuers on PostgreSQL (NUM-05, NUM-07).

    .venv/bin/python bench/bench_numbers.py [--passers 10000] [--issuers 8] [--batch 50] [--quick] [--json FILE]

A fresh database (filing_bench_numbers) with one filing number. The passers are split into batches of
`--batch` (levels 3, 4 and 5 mixed, as in a real batch) and `--issuers` processes - each with its own database
connection, forked after Django is set up - issue them at the same time through the real service,
`certificates_issue` (the counter row locked per institution/year/level, holders validated, ID numbers
encrypted, certificates inserted, the audit event, one transaction per batch). All issuers draw from the same
three serial scopes, so they contend for the same counter rows: the worst case. Checked afterwards (NUM-07):
every scope's serials are exactly 1..n (no duplicate, no gap) and every batch got consecutive serials per level.
Reported: wall time from the common start to the last commit, numbers/s, per-batch latency (median/p95/p99),
queries per batch; the peak RSS is the largest VmHWM of the issuer processes (forked: it includes what they share with the parent).

Three rows, each the median of --rounds runs (3) on a new filing number: the passers split over the issuers,
one batch each (issue 3's target for 10,000 numbers, ≤ 2 s); the contention row, the same passers in batches
of --batch (200 transactions of 50 on the same three counter rows: its throughput is reported); and the same
passers as one batch by one issuer (the single-transaction path, ≤ 2 s).
"""

import argparse
import datetime as dt
import multiprocessing
import time

from _setup import add_common_args, latency, peak_mib, row, setup, write_json

DB = "filing_bench_numbers"
ISSUE_DATE = dt.date(2026, 11, 22)


def holders_for(start: int, count: int):
    from stdnum.cn import ric

    from certificates.services import HolderData

    holders = []
    for i in range(start, start + count):
        body = f"340104199{i % 10}0101{i % 1000:03d}"
        holders.append(HolderData(holder_name=f"考生{i}", id_type="201", id_number=body + ric.calc_check_digit(body + "0"),
                                  level=(3, 4, 5)[i % 3], occupation_code="4-12-01-01", occupation_name="汽车维修工"))
    return holders


def issuer(k: int, batches: list[tuple[int, int]], filing: str, issue_date: dt.date, barrier, out) -> None:
    """One issuer process: its own connection; issues its batches one transaction each."""
    from django.db import connection

    from certificates.services import certificates_issue

    prepared = [(index, holders_for(start, count)) for index, (start, count) in batches]
    queries = [0]

    def counter(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    barrier.wait()
    began = time.perf_counter()
    results = []
    with connection.execute_wrapper(counter):
        for index, holders in prepared:
            q, t0 = queries[0], time.perf_counter()
            issued = certificates_issue(filing_number=filing, institution_name="基准测试机构", issue_date=issue_date,
                                        holders=holders)
            ms = (time.perf_counter() - t0) * 1000
            spans = {}
            for c in issued:
                lo, hi, n = spans.get(c.level, (c.serial, c.serial, 0))
                spans[c.level] = (min(lo, c.serial), max(hi, c.serial), n + 1)
            results.append((index, ms, queries[0] - q, spans))
    out.put({"issuer": k, "began": began, "ended": time.perf_counter(), "batches": results, "peak_mib": peak_mib()})
    connection.close()


def check_serials(filing: str, year: int, expected: dict[int, int]) -> None:
    """NUM-07: per level, the serials are exactly 1..n - no duplicates, no gaps."""
    from certificates.models import Certificate

    for level, n in expected.items():
        serials = list(Certificate.objects.filter(filing_number=filing, issue_year=year, level=level)
                       .order_by("serial").values_list("serial", flat=True))
        assert serials == list(range(1, n + 1)), f"level {level}: {len(serials)} serials, not 1..{n}"


def parallel(passers: int, issuers: int, batch: int, filing: str) -> dict:
    from django.db import connections

    batches = [(index, (start, min(batch, passers - start))) for index, start in enumerate(range(0, passers, batch))]
    connections.close_all()  # every forked issuer opens its own connection
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(issuers), ctx.Queue()
    procs = [ctx.Process(target=issuer, args=(k, batches[k::issuers], filing, ISSUE_DATE, barrier, out))
             for k in range(issuers)]
    for p in procs:
        p.start()
    reports = [out.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
        assert p.exitcode == 0, f"an issuer failed (exit code {p.exitcode})"
    seconds = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    done = [b for r in reports for b in r["batches"]]
    assert len(done) == len(batches)
    sizes = {index: holders_for(start, count) for index, (start, count) in batches}
    for index, _ms, _q, spans in done:
        for level, (lo, hi, n) in spans.items():
            assert hi - lo + 1 == n == sum(1 for h in sizes[index] if h.level == level), \
                f"batch {index} level {level}: serials {lo}..{hi} are not consecutive"
    expected: dict[int, int] = {}
    for holders in sizes.values():
        for h in holders:
            expected[h.level] = expected.get(h.level, 0) + 1
    check_serials(filing, ISSUE_DATE.year % 100, expected)
    return {"seconds": seconds, "ms": [b[1] for b in done], "queries": sorted({b[2] for b in done}),
            "batches": len(batches), "peak_mib": max(r["peak_mib"] for r in reports)}


def median(values: list, key=None):
    """The middle item (of an odd count: the median itself), by `key` if given."""
    return sorted(values, key=key)[len(values) // 2]


def parallel_row(passers: int, issuers: int, batch: int, rounds: int, target_s: float | None) -> dict:
    """The parallel scenario `rounds` times, each on a new filing number; the median round is reported."""
    from certificates.services import filing_number_allocate

    runs = []
    for _ in range(rounds):
        filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
        runs.append(parallel(passers, issuers, batch, filing))
    par = median(runs, key=lambda r: r["seconds"])
    lat = latency(par["ms"])
    rate = passers / par["seconds"]
    rounds_s = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"{passers:,} passers in {par['batches']} batches of {batch}, {issuers} parallel issuers: "
          f"{par['seconds']:.2f} s median of {rounds} rounds ({rounds_s} s; {rate:,.0f} numbers/s); per batch "
          f"median {lat['median_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms; queries "
          f"per batch {par['queries']}; no duplicates, no gaps, consecutive per batch (NUM-07); peak RSS of an "
          f"issuer {par['peak_mib']:.0f} MiB")
    target = "NUM-07 no duplicates/gaps" + (f"; <= {target_s:.0f} s" if target_s else "; throughput reported")
    return row(
        f"certificate number allocation {passers:,} passers x {issuers} issuers (batches of {batch:,})",
        "duration", n=passers, seconds=par["seconds"], rps=rate, **lat, peak_mib=par["peak_mib"],
        queries=par["queries"][-1], target=target, ok=par["seconds"] <= target_s if target_s else True,
        notes=f"certificates_issue in {issuers} forked processes, each its own connection, all on the same "
              f"3 serial scopes; median of {rounds} rounds ({rounds_s} s), each on a new filing number; latency "
              f"per batch of {batch:,}; queries per batch {'/'.join(map(str, par['queries']))}; peak_mib = max "
              f"VmHWM of the (forked) issuer processes; serials checked 1..n per level")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passers", type=int)
    parser.add_argument("--issuers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50,
                        help="passers per batch in the contention row (one transaction each)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each scenario; the median is reported")
    add_common_args(parser)
    args = parser.parse_args()
    passers = args.passers or (1000 if args.quick else 10_000)
    setup(fresh=True, name=DB)
    from certificates.services import certificates_issue, filing_number_allocate

    # Issue 3's target (10,000 numbers in <= 2 s) on its own terms: the passers split over the issuers, one
    # batch each; then the contention row: the same passers in batches of --batch, 200 transactions at 50.
    rows = [parallel_row(passers, args.issuers, -(-passers // args.issuers), args.rounds, 2.0),
            parallel_row(passers, args.issuers, args.batch, args.rounds, None)]

    from django.db import connection

    queries = [0]

    def counter(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    times = []
    for _ in range(args.rounds):
        second = filing_number_allocate(kind="S", province_code="34", city_code="01").number
        holders = holders_for(0, passers)
        queries[0] = 0
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            issued = certificates_issue(filing_number=second, institution_name="基准测试机构",
                                        issue_date=ISSUE_DATE, holders=holders)
            times.append(time.perf_counter() - start)
        check_serials(second, ISSUE_DATE.year % 100,
                      {lv: sum(1 for h in holders if h.level == lv) for lv in (3, 4, 5)})
    elapsed = median(times)
    rounds_s = ", ".join(f"{t:.2f}" for t in times)
    print(f"one batch of {passers:,}, one issuer: {elapsed:.2f} s median of {args.rounds} ({rounds_s} s; "
          f"{passers / elapsed:,.0f}/s), {queries[0]} queries; first {issued[0].number}, last {issued[-1].number} "
          f"(target ≤ 2 s)")
    rows.append(row(f"certificate number allocation {passers:,} passers, one batch, one issuer", "duration",
                    n=passers, seconds=elapsed, rps=passers / elapsed, queries=queries[0], peak_mib=peak_mib(),
                    target="<= 2 s", ok=elapsed <= 2.0,
                    notes=f"certificates_issue, one transaction; median of {args.rounds} rounds ({rounds_s} s), "
                          f"each on a new filing number; peak_mib = VmHWM of the bench process (includes "
                          f"migrate)"))
    write_json(args.json, "numbers", rows)


if __name__ == "__main__":
    main()
