"""The certificate info table (AH20 附件5) of 100,000 certificates on PostgreSQL (target ≤ 15 s and peak RSS
≤ 120 MB end to end; pure writing ≤ 1.3 × xlsxwriter's constant_memory yardstick).

    .venv/bin/python bench/bench_certificate_export.py [--rows 100000] [--fresh]

Data (database filing_bench_export, reused when the count matches): one institution, filing and batch, and
`--rows` certificates with their candidates (the export joins candidate.city), inserted with one SQL
statement each (generate_series); every ID number is a real AES-GCM ciphertext, decrypted per row.

Each measurement runs in a fresh process so its peak RSS is its own:

* export — `certificate_info_xlsx` end to end: query, decryption, writing the file (and once more with
  mark_uploaded=True);
* writing — the same rows fetched first, then only `write_table_xlsx` timed (best of 3);
* yardstick — the same pre-fetched rows × 12 cells written with a bare xlsxwriter constant_memory loop
  (`write_string` per cell, best of 3).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from _setup import setup

DB = "filing_bench_export"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
               work_type, issue_date, institution_name, status, void_reason, uploaded_to_national, created_at)
            SELECT %(n)s || '26' || (3 + g %% 3)::text || lpad((g / 3 + 1)::text, 6, '0'),
                   %(n)s, %(filing)s, %(batch)s, '34', '01', 26, 3 + g %% 3, g / 3 + 1,
                   '考生' || g, '201', %(cipher)s, %(index)s, '', '合肥某汽车服务有限公司' || (g %% 40),
                   '4-12-01-01', '汽车维修工', '汽车机械维修工', DATE '2026-04-28', %(inst)s, 'valid', '', false,
                   now()
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


def django_only() -> None:
    """`_setup.setup` without its `migrate`: loading every migration would add ~60 MB to the peak RSS of a
    process that, in production, never migrates (the parent process has migrated already)."""
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filing_portal.settings.local")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("PERSONAL_DATA_KEY", "YmVuY2htYXJrLW9ubHktcGVyc29uYWwtZGF0YS1rZXk=")
    import django

    django.setup()


def measure(what: str, path: str) -> dict:
    """One measurement, in this (fresh) process."""
    django_only()
    import xlsxwriter

    from assessments.exports import (
        CERTIFICATE_INFO_HEADER,
        certificate_info_rows,
        certificate_info_xlsx,
        write_table_xlsx,
    )

    baseline = rss_mb()
    if what in ("export", "export_mark"):
        start = time.perf_counter()
        count = certificate_info_xlsx(certificates(), path, mark_uploaded=what == "export_mark")
        return {"seconds": time.perf_counter() - start, "rows": count, "peak_mb": rss_mb(), "baseline_mb": baseline,
                "bytes": os.path.getsize(path)}
    start = time.perf_counter()
    rows = list(certificate_info_rows(certificates()))
    fetch = time.perf_counter() - start

    def ours():
        write_table_xlsx(path, CERTIFICATE_INFO_HEADER, rows, sheet_name="证书信息", text_columns=(1, 2, 7, 8))

    def yardstick():
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        write_string = sheet.write_string
        for column, title in enumerate(CERTIFICATE_INFO_HEADER):
            write_string(0, column, title)
        for r, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                write_string(r, column, value)
        workbook.close()

    timings = []
    for _ in range(3):
        start = time.perf_counter()
        (ours if what == "writing" else yardstick)()
        timings.append(time.perf_counter() - start)
    return {"seconds": min(timings), "all": timings, "fetch": fetch, "rows": len(rows)}


def run(what: str, path: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--measure", what, "--out", path], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--measure", choices=["export", "export_mark", "writing", "yardstick"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
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
        export = run("export", path)
        print(f"certificate info export, {export['rows']:,} rows end to end (query, decryption, writing): "
              f"{export['seconds']:.1f} s, peak RSS {export['peak_mb']:.0f} MB (after django.setup "
              f"{export['baseline_mb']:.0f} MB), file {export['bytes'] / 1024 / 1024:.1f} MB "
              f"(target ≤ 15 s, ≤ 120 MB)")
        marked = run("export_mark", path)
        print(f"the same with mark_uploaded=True (50 UPDATEs of 2,000 ids, one audit event): "
              f"{marked['seconds']:.1f} s, peak RSS {marked['peak_mb']:.0f} MB")
        ours, bare = run("writing", path), run("yardstick", path)
        print(f"rows fetched and decrypted in {ours['fetch']:.1f} s; pure writing (best of 3): "
              f"write_table_xlsx {ours['seconds']:.2f} s, xlsxwriter constant_memory yardstick "
              f"{bare['seconds']:.2f} s, ratio {ours['seconds'] / bare['seconds']:.2f} (target ≤ 1.3)")


if __name__ == "__main__":
    main()
