"""Issue certificates for a 5,000-passer batch on PostgreSQL through the real batch service (target ≤ 5 s).

    .venv/bin/python bench/bench_batch_issue.py [--passers 5000] [--quick] [--json FILE]

A fresh database (filing_bench_issue): the reference batch of bench_candidates_import (regions, occupations, an
institution with an active filing and its filing number), put in `results_reported` with `--passers` passed
candidates (levels 3, 4 and 5; valid resident ID numbers) before the clock starts. The measurement is
`batch_issue_certificates` end to end: the row lock and guards of the transition, the holders validated,
serials reserved per level, the certificates encrypted and inserted, every candidate linked to its certificate
(bulk update), the audit events, the commit. Peak RSS: VmHWM, reset just before the clock starts.
"""

import argparse
import datetime as dt
import time

from _setup import add_common_args, peak_mib, reset_peak, row, setup, write_json
from bench_candidates_import import DISTRICTS, reference_batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passers", type=int)
    add_common_args(parser)
    args = parser.parse_args()
    args.passers = args.passers or (500 if args.quick else 5000)
    setup(fresh=True, name="filing_bench_issue")
    from stdnum.cn import ric

    from assessments.models import AssessmentBatch, Candidate
    from assessments.services import batch_issue_certificates
    from certificates.models import Certificate
    from institutions.models import Occupation

    batch, user = reference_batch(planned=args.passers, state="results_reported")
    occupation = Occupation.objects.get(code="4-12-01-01")
    rows = []
    for i in range(args.passers):
        body = f"{DISTRICTS[i % 5]}19{80 + i % 20:02d}{i % 12 + 1:02d}{i % 28 + 1:02d}{i // 10 % 100:02d}{i % 10}"
        rows.append(Candidate(batch=batch, name=f"考生{i}", gender="M" if int(body[16]) % 2 else "F", id_type="201",
                              id_number=body + ric.calc_check_digit(body + "0"), occupation=occupation,
                              work_type="汽车机械维修工", level=(3, 4, 5)[i % 3], employer="合肥某汽修厂",
                              city="合肥市", theory_score=80, practical_score=75, result="pass"))
    Candidate.objects.bulk_create(rows, batch_size=2000)
    batch = AssessmentBatch.objects.get(pk=batch.pk)
    from django.db import connection

    queries = [0]

    def counter(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    del rows
    reset_peak()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        issued = batch_issue_certificates(batch=batch, acting_user=user)
        elapsed = time.perf_counter() - start
    peak = peak_mib()
    assert issued == args.passers
    assert Certificate.objects.filter(batch=batch).count() == args.passers
    assert not Candidate.objects.filter(batch=batch, certificate__isnull=True).exists()
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "certificates_issued"
    first, last = (Certificate.objects.filter(batch=batch).order_by(o).values_list("number", flat=True).first()
                   for o in ("number", "-number"))
    print(f"batch_issue_certificates: {issued} passers certified and linked in {elapsed:.2f} s "
          f"({issued / elapsed:,.0f}/s); first {first}, last {last}; {queries[0]} queries; peak RSS {peak:.0f} MiB "
          f"(target ≤ 5 s) [{dt.date.today().isoformat()}]")
    target = 5.0 * args.passers / 5000
    write_json(args.json, "batch_issue", [row(
        f"batch certificate issue {args.passers:,} passers (batch_issue_certificates)", "duration", n=issued,
        seconds=elapsed, rps=issued / elapsed, peak_mib=peak, queries=queries[0], target=f"<= {target:g} s",
        ok=elapsed <= target, notes="one batch end to end (transition, validation, serials, encryption, inserts, "
                                    "candidate links, audit); peak_mib = VmHWM of the bench process, reset just "
                                    "before the call")])


if __name__ == "__main__":
    main()
