"""The certificate info table (AH20 附件5) of 100,000 certificates on PostgreSQL (target ≤ 15 s and peak RSS
≤ 120 MB end to end; pure writing ≤ 1.3 × xlsxwriter's constant_memory yardstick).

    .venv/bin/python bench/bench_certificate_export.py [--rows 100000] [--fresh] [--quick] [--json FILE]

Data (database filing_bench_export, reused when the count matches): one institution, filing and batch, and
`--rows` certificates with their candidates (the export joins candidate.city), inserted with one SQL
statement each (generate_series); every ID number is a real AES-GCM ciphertext, decrypted per row.

Each measurement runs in a fresh process so its peak RSS is its own:

* export — `certificate_info_xlsx` end to end: query, decryption, writing the file (and once more with
  mark_uploaded=True);
* export yardstick — `yardstick_xlsx.export_bare`: the same rows by one hand-written SQL query (psycopg
  server-side cursor), decrypted per row, the same 12 columns written with bare xlsxwriter constant_memory;
* writing — the same rows fetched first, then only `write_table_xlsx` timed (alternately with the yardstick,
  in one process, best of 3 each);
* writing yardstick — the same pre-fetched rows × 12 cells written with a bare xlsxwriter constant_memory loop
  (`write_string` per cell).

Peak memory: VmHWM (peak RSS) of each fresh child process (the same way for ours and the yardstick; both have
Django set up, which is most of the baseline - the notes give the RSS after set-up).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import yardstick_xlsx
from _setup import add_common_args, database_url, django_only, peak_mib, row, setup, write_json, yardstick

DB = "filing_bench_export"
TARGET_S, TARGET_MIB, TARGET_RATIO = 15.0, 120.0, 1.3


def populate(rows: int) -> None:
    from bench_candidates_import import reference_batch
    from django.db import connection, transaction

    from filing_portal.personal_data import encrypt_value, id_number_index

    batch, _user = reference_batch(planned=rows, state="certificates_issued")
    number = batch.filing.number
    cipher, index = encrypt_value("340104199001011230"), id_number_index("340104199001011230")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        # 1/3 level 3, 1/3 level 4, 1/3 level 5; serials consecutive per level (NUM-05).
        cur.execute(
            """
            INSERT INTO certificates_certificate
              (number, filing_number, filing_id, batch_id, province_code, city_code, issue_year, level, serial,
               holder_name, id_type, id_number, id_number_hash, photo, employer, occupation_code, occupation_name,
               work_type, issue_date, institution_name, status, void_reason, created_at)
            SELECT %(n)s || '26' || (3 + g %% 3)::text || lpad((g / 3 + 1)::text, 6, '0'),
                   %(n)s, %(filing)s, %(batch)s, '34', '01', 26, 3 + g %% 3, g / 3 + 1,
                   '考生' || g, '201', %(cipher)s, %(index)s, '', '合肥某汽车服务有限公司' || (g %% 40),
                   '4-12-01-01', '汽车维修工', '汽车机械维修工', DATE '2026-04-28', %(inst)s, 'valid', '', now()
            FROM generate_series(0, %(rows)s - 1) AS g
            """,
            {"n": number, "filing": batch.filing_id, "batch": batch.pk, "cipher": cipher, "index": index,
             "inst": batch.institution.name, "rows": rows},
        )
        cur.execute(
            """
            INSERT INTO assessments_candidate
              (batch_id, name, gender, id_type, id_number, id_number_hash, employer, city, occupation_id, work_type,
               level, photo, result, already_certified, certificate_id, eligibility_flags, eligibility, eligibility_note, found_ineligible, found_ineligible_note)
            SELECT %(batch)s, c.holder_name, 'M', '201', c.id_number, md5(c.number), c.employer,
                   (ARRAY['合肥市', '芜湖市', '蚌埠市', '安庆市'])[1 + c.serial %% 4], o.id, c.work_type, c.level, '',
                   'pass', false, c.id, '', 'eligible', '', false, ''
            FROM certificates_certificate c, institutions_occupation o
            WHERE c.batch_id = %(batch)s AND o.code = '4-12-01-01'
            """,
            {"batch": batch.pk},
        )
        cur.execute("ANALYZE certificates_certificate")
        cur.execute("ANALYZE assessments_candidate")
    print(f"inserted {rows:,} certificates and candidates in {time.perf_counter() - start:.1f} s")


def certificates():
    from certificates.models import Certificate

    return Certificate.objects.filter(batch__plan_number__endswith="001").order_by("number")


def measure(what: str, path: str) -> dict:
    """One measurement, in this (fresh) process."""
    django_only(DB)
    from django.db import connection

    from assessments.exports import (
        CERTIFICATE_INFO_HEADER,
        certificate_info_rows,
        certificate_info_xlsx,
        write_table_xlsx,
    )

    baseline = peak_mib()
    if what in ("export", "export_mark"):
        queries = [0]

        def counter(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        if what == "export_mark":  # every certificate uploaded for the first time, as after a batch is issued
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE certificates_nationalupload")
        with connection.execute_wrapper(counter):
            start, cpu = time.perf_counter(), time.process_time()
            count = certificate_info_xlsx(certificates(), path, mark_uploaded=what == "export_mark")
            seconds = time.perf_counter() - start
        return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu, "rows": count, "peak_mb": peak_mib(),
                "baseline_mb": baseline,
                "bytes": os.path.getsize(path), "queries": queries[0]}
    if what == "export_yardstick":
        start, cpu = time.perf_counter(), time.process_time()
        count = yardstick_xlsx.export_bare(path, database_url(DB), "001")
        return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "rows": count,
                "peak_mb": peak_mib(), "baseline_mb": baseline,
                "bytes": os.path.getsize(path)}
    start = time.perf_counter()
    rows = list(certificate_info_rows(certificates()))
    fetch = time.perf_counter() - start

    def ours():
        write_table_xlsx(path, CERTIFICATE_INFO_HEADER, rows, sheet_name="证书信息", text_columns=(1, 2, 7, 8))

    def bare():
        yardstick_xlsx.write_bare(path, CERTIFICATE_INFO_HEADER, rows)

    # Alternately in this one process over the same rows, best of 3 each: the machine's load changes
    # from one minute to the next, and alternating keeps it from favouring one side.
    timings: dict[str, list[float]] = {"ours": [], "bare": []}
    for _ in range(3):
        for name, fn in (("ours", ours), ("bare", bare)):
            start = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - start)
    return {"seconds": min(timings["ours"]), "yardstick_seconds": min(timings["bare"]), "all": timings,
            "fetch": fetch, "rows": len(rows)}


def run(what: str, path: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--measure", what, "--out", path], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--measure", choices=["export", "export_mark", "export_yardstick", "writing"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, help="alternating end-to-end runs of ours and the yardstick, best of "
                                                    "each (default 2; --quick 1)")
    parser.add_argument("--out", help=argparse.SUPPRESS)
    add_common_args(parser)
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 10_000 if args.quick else 100_000
    args.rounds = args.rounds or (1 if args.quick else 2)
    if args.measure:
        print(json.dumps(measure(args.measure, args.out)))
        return
    setup(fresh=args.fresh, name=DB)
    from certificates.models import Certificate

    if Certificate.objects.count() != args.rows:
        from django.db import connections

        connections.close_all()  # the database is dropped and created again
        setup(fresh=True, name=DB)
        populate(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "证书信息.xlsx")
        runs: dict[str, list[dict]] = {"export": [], "export_yardstick": []}
        for _round in range(args.rounds):  # alternately, best of each (see measure)
            for what in runs:
                runs[what].append(run(what, path))
        export, bare_export = (min(runs[w], key=lambda r: r["seconds"]) for w in runs)
        e2e_ratio = export["seconds"] / bare_export["seconds"]
        print(f"certificate info export, {export['rows']:,} rows end to end (query, decryption, writing): "
              f"{export['seconds']:.1f} s, peak RSS {export['peak_mb']:.0f} MB (after django.setup "
              f"{export['baseline_mb']:.0f} MB), {export['queries']} queries, file "
              f"{export['bytes'] / 1024 / 1024:.1f} MB (target ≤ {TARGET_S:.0f} s, ≤ {TARGET_MIB:.0f} MB)")
        print(f"  yardstick (hand SQL + decrypt + bare xlsxwriter constant_memory): {bare_export['seconds']:.1f} s, "
              f"peak RSS {bare_export['peak_mb']:.0f} MB (after django.setup {bare_export['baseline_mb']:.0f} MB); "
              f"ratio {e2e_ratio:.2f}")
        marked = run("export_mark", path)
        print(f"the same with mark_uploaded=True (INSERT … SELECT of 10,000 ids at a time, one audit event): "
              f"{marked['seconds']:.1f} s, peak RSS {marked['peak_mb']:.0f} MB, {marked['queries']} queries")
        ours = run("writing", path)
        bare = {"seconds": ours["yardstick_seconds"]}
        print(f"rows fetched and decrypted in {ours['fetch']:.1f} s; pure writing (alternately, best of 3): "
              f"write_table_xlsx {ours['seconds']:.2f} s, xlsxwriter constant_memory yardstick "
              f"{bare['seconds']:.2f} s, ratio {ours['seconds'] / bare['seconds']:.2f} (target ≤ {TARGET_RATIO})")
    n = export["rows"]
    scale = n / 100_000
    rows = [
        row(f"certificate info export {n:,} rows (end to end)", "duration", n=n, seconds=export["seconds"],
            rps=n / export["seconds"], peak_mib=export["peak_mb"], queries=export["queries"],
            yardstick=yardstick("hand SQL + decrypt + xlsxwriter constant_memory", seconds=round(
                bare_export["seconds"], 3), rps=round(n / bare_export["seconds"], 1), peak_mib=bare_export["peak_mb"]),
            target=f"<= {TARGET_S * scale:.1f} s, <= {TARGET_MIB:.0f} MiB peak",
            ok=export["seconds"] <= TARGET_S * scale and export["peak_mb"] <= TARGET_MIB,
            notes=f"best wall time of {args.rounds} alternating runs each; CPU time of the process: ours {export['cpu_seconds']:.2f} s, yardstick "
                  f"{bare_export['cpu_seconds']:.2f} s; certificate_info_xlsx in a fresh child process; peak_mib = VmHWM (peak RSS) of each child, the "
                  f"same for the yardstick (RSS after django.setup: ours {export['baseline_mb']:.0f}, yardstick "
                  f"{bare_export['baseline_mb']:.0f} MiB); file {export['bytes'] / 2**20:.1f} MiB"),
        row(f"certificate info export {n:,} rows, mark_uploaded=True", "duration", n=n, seconds=marked["seconds"],
            rps=n / marked["seconds"], peak_mib=marked["peak_mb"], queries=marked["queries"],
            target=f"<= {TARGET_S * scale:.1f} s, <= {TARGET_MIB:.0f} MiB peak",
            ok=marked["seconds"] <= TARGET_S * scale and marked["peak_mb"] <= TARGET_MIB,
            notes="also the certificates marked uploaded (a NationalUpload row each, INSERT … SELECT of 10,000 ids at a time) and one "
                  "audit event; VmHWM of a child process"),
        row(f"certificate info xlsx writing only, {n:,} pre-fetched rows (write_table_xlsx)", "duration", n=n,
            seconds=ours["seconds"], rps=n / ours["seconds"],
            yardstick=yardstick("xlsxwriter constant_memory write_string loop", seconds=round(bare["seconds"], 3),
                                rps=round(n / bare["seconds"], 1)),
            target=f"<= {TARGET_RATIO} x yardstick", ok=ours["seconds"] / bare["seconds"] <= TARGET_RATIO,
            notes=f"alternately in one child process over the same rows, best of 3 each; peak memory not measured here (the rows are "
                  f"held in memory for both); fetching + decrypting them took {ours['fetch']:.1f} s"),
    ]
    write_json(args.json, "certificate_export", rows)


if __name__ == "__main__":
    main()
