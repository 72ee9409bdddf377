"""Importing a 20,000-row candidate sheet into a scheduled batch on PostgreSQL (target ≤ 20 s, peak RSS ≤ 300 MB).

    .venv/bin/python bench/bench_candidates_import.py [--rows 20000] [--profile] [--quick] [--json FILE]

A fresh database (filing_bench_import): regions, the occupation catalogue, one institution with an active
filing whose scope holds 4-12-01-01 levels 3–5, and a scheduled batch planning those levels. The sheet has
valid resident ID numbers (real check digits, the gender digit matching 性别, five Hefei districts) and is
written to a temporary file before the clock starts; the measurement is `candidates_from_xlsx` end to end:
the upload checks, openpyxl's read-only parse, every row validated by `candidates_add` (CERT-02, ASM-02,
duplicates), 20,000 ID numbers encrypted and inserted, the audit event. The import runs in a fresh child
process (Django set up, no migrate), so its peak RSS (VmHWM) is the import's own.

Yardstick: openpyxl's read-only parse of the same file alone (every cell value read; no validation, no
database), also in its own child process - the floor under any import that parses with openpyxl.
"""

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time

import yardstick_xlsx
from _setup import add_common_args, django_only, peak_mib, row, setup, write_json, yardstick

DB = "filing_bench_import"
TARGET_S, TARGET_MIB = 20.0, 300.0

DISTRICTS = ("340102", "340103", "340104", "340111", "340121")
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "伟芳娜敏静磊洋勇艳杰涛明超霞平刚"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reference_batch(*, planned: int, state: str = "scheduled", levels=(3, 4, 5)):
    """Regions, occupations, an institution with an active filing, its user and one batch (no workflow walk)."""
    from django.core.management import call_command

    from assessments.models import AssessmentBatch, BatchItem
    from certificates.models import FilingNumber
    from certificates.numbers import build_filing_number
    from filing_portal.accounts.models import User
    from filing_portal.regions.models import Region
    from filing_portal.regions.services import reference_data_load
    from institutions.models import Filing, FilingApplication, FilingScope, Institution, Occupation

    reference_data_load()
    call_command("load_occupations", verbosity=0, stdout=io.StringIO())
    hefei = Region.objects.get(code="340100")
    from stdnum.cn import uscc

    body = "52340100MA0000001"
    institution = Institution.objects.create(name="合肥基准职业技能评价中心", kind="S", region=hefei,
                                             uscc=body + uscc.calc_check_digit(body))
    today = dt.date.today()
    application = FilingApplication.objects.create(institution=institution, kind="initial", state="approved",
                                                   decided_on=today - dt.timedelta(days=100))
    number = build_filing_number("S", "0001", "34", "01", 1)
    filing_number = FilingNumber.objects.create(number=number, kind="S", institution_code="0001", province_code="34",
                                                city_code="01", serial=1, holder_name=institution.name,
                                                institution=institution)
    filing = Filing.objects.create(institution=institution, filing_number=filing_number, number=number,
                                   handling_region=hefei, first_filed_on=today - dt.timedelta(days=100),
                                   valid_from=today - dt.timedelta(days=100),
                                   expires_on=today + dt.timedelta(days=900), source_application=application)
    occupation = Occupation.objects.get(code="4-12-01-01")
    for level in levels:
        FilingScope.objects.create(filing=filing, occupation=occupation, work_type="汽车机械维修工", level=level,
                                   added_on=filing.valid_from, added_by=application)
    user = User.objects.create_user(username="bench_inst", password="bench-Pass-2026", role="institution",
                                    institution=institution)
    exam = today + dt.timedelta(days=30)
    batch = AssessmentBatch.objects.create(
        plan_number=f"{number}{exam.year}001", filing=filing, institution=institution, handling_region=hefei,
        state=state, exam_start=exam, exam_end=exam, venue_address="合肥市蜀山区长江西路100号",
        candidate_source="社会人员", planned_count=planned)
    BatchItem.objects.bulk_create([BatchItem(batch=batch, occupation=occupation, work_type="汽车机械维修工",
                                             level=level) for level in levels])
    return batch, user


def candidate_sheet(rows: int, path: str) -> None:
    """The template's 9 columns; ID numbers written as text, as the template asks."""
    import xlsxwriter
    from stdnum.cn import ric

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("考生名单")
    sheet.write_row(0, 0, ["姓名", "性别", "证件类型", "证件号码", "所在单位", "考生所在地市", "职业编码", "工种",
                           "申报等级"])
    born = dt.date(1975, 1, 1)
    for i in range(rows):
        male = i % 3 != 0
        day = born + dt.timedelta(days=i // 100)  # 100 people per birth date and district
        body = f"{DISTRICTS[i % 5]}{day:%Y%m%d}{i % 100 // 2:02d}{(1 if male else 2) + 2 * (i % 4)}"
        sheet.write_string(i + 1, 0, SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[i // 7 % len(GIVEN)])
        sheet.write_string(i + 1, 1, "男" if male else "女")
        sheet.write_string(i + 1, 2, "201")
        sheet.write_string(i + 1, 3, body + ric.calc_check_digit(body + "0"))
        sheet.write_string(i + 1, 4, f"合肥某汽车服务有限公司{i % 40}")
        sheet.write_string(i + 1, 5, "合肥市")
        sheet.write_string(i + 1, 6, "4-12-01-01")
        sheet.write_string(i + 1, 7, "汽车机械维修工")
        sheet.write_string(i + 1, 8, ("三级", "四级", "五级")[i % 3])
    workbook.close()


def measure(what: str, sheet: str, batch_id: int, profile: bool) -> dict:
    """One measurement in this fresh process: the real import, or the openpyxl parse alone."""
    django_only(DB)
    if what == "parse":
        start, cpu = time.perf_counter(), time.process_time()
        count = yardstick_xlsx.parse_bare(sheet)
        return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "rows": count,
                "peak_mib": peak_mib()}
    from django.db import connection

    from assessments.imports import candidates_from_xlsx
    from assessments.models import AssessmentBatch
    from filing_portal.accounts.models import User

    batch, user = AssessmentBatch.objects.get(pk=batch_id), User.objects.get(username="bench_inst")
    with open(sheet, "rb") as fh:
        content = fh.read()
    queries = [0]

    def counter(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if profile else None
    baseline = peak_mib()
    with connection.execute_wrapper(counter):
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        created = candidates_from_xlsx(batch=batch, upload=io.BytesIO(content), acting_user=user)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
    assert len(created) == batch.candidates.count()
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu, "rows": len(created),
            "peak_mib": peak_mib(), "baseline_mib": baseline,
            "queries": queries[0]}


def run(what: str, sheet: str, batch_id: int, profile: bool = False) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", what, "--sheet", sheet, "--batch", str(batch_id)]
                          + ["--profile"] * profile, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int)
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive functions")
    parser.add_argument("--measure", choices=["import", "parse"], help=argparse.SUPPRESS)
    parser.add_argument("--sheet", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    add_common_args(parser)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.sheet, args.batch, args.profile)))
        return
    rows = args.rows or (2_000 if args.quick else 20_000)
    setup(fresh=True, name=DB)
    from django.db import connections

    batch, _user = reference_batch(planned=rows)
    connections.close_all()
    with tempfile.TemporaryDirectory() as tmp:
        sheet = os.path.join(tmp, "candidates.xlsx")
        candidate_sheet(rows, sheet)
        size = os.path.getsize(sheet)
        ours = run("import", sheet, batch.pk, args.profile)
        parse = run("parse", sheet, batch.pk)
    assert ours["rows"] == rows == parse["rows"], (ours, parse)
    print(f"sheet: {rows:,} rows, {size / 1024 / 1024:.1f} MB")
    print(f"candidates import of {rows:,} rows: {ours['seconds']:.1f} s, peak RSS {ours['peak_mib']:.0f} MiB "
          f"(after django.setup {ours['baseline_mib']:.0f} MiB), {ours['queries']} queries "
          f"(target ≤ {TARGET_S:.0f} s, ≤ {TARGET_MIB:.0f} MB)")
    print(f"  yardstick, openpyxl read-only parse alone: {parse['seconds']:.1f} s, peak RSS {parse['peak_mib']:.0f} MiB; "
          f"ratio {ours['seconds'] / parse['seconds']:.2f}")
    scale = rows / 20_000
    write_json(args.json, "candidates_import", [row(
        f"candidate import {rows:,} rows (candidates_from_xlsx)", "duration", n=rows, seconds=ours["seconds"],
        rps=rows / ours["seconds"], peak_mib=ours["peak_mib"], queries=ours["queries"],
        yardstick=yardstick("openpyxl read-only parse of the same file", seconds=round(parse["seconds"], 3),
                            rps=round(rows / parse["seconds"], 1), peak_mib=parse["peak_mib"]),
        target=f"<= {TARGET_S * scale:.1f} s, <= {TARGET_MIB:.0f} MiB peak",
        ok=ours["seconds"] <= TARGET_S * scale and ours["peak_mib"] <= TARGET_MIB,
        notes=f"CPU time of the process: ours {ours['cpu_seconds']:.2f} s, parse {parse['cpu_seconds']:.2f} s; "
              f"real import path (upload checks, openpyxl parse, candidates_add validation, encryption, insert, "
              f"audit) in a fresh child process; peak_mib = VmHWM of each child (after django.setup "
              f"{ours['baseline_mib']:.0f} MiB); yardstick = the parse alone, no validation or database")])


if __name__ == "__main__":
    main()
