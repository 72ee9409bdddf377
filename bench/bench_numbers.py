"""Allocate and save 10,000 certificate numbers for one batch on PostgreSQL (target ≤ 2 s).

    .venv/bin/python bench/bench_numbers.py [--count 10000]
"""

import argparse
import datetime as dt
import time

from _setup import setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()
    setup(fresh=True, name="filing_bench_numbers")
    from stdnum.cn import ric

    from certificates.services import HolderData, certificates_issue, filing_number_allocate

    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    holders = []
    for i in range(args.count):
        body = f"340104199{i % 10}0101{i % 1000:03d}"
        holders.append(HolderData(holder_name=f"考生{i}", id_type="201", id_number=body + ric.calc_check_digit(body + "0"),
                                  level=3, occupation_code="4-12-01-01", occupation_name="汽车维修工"))
    start = time.perf_counter()
    issued = certificates_issue(filing_number=filing, institution_name="基准测试机构", issue_date=dt.date(2026, 11, 22),
                                holders=holders)
    elapsed = time.perf_counter() - start
    serials = [c.serial for c in issued]
    assert serials == list(range(1, args.count + 1))
    print(f"certificates_issue: {args.count} numbers allocated, validated, encrypted and saved in {elapsed:.2f} s "
          f"({args.count / elapsed:,.0f}/s); first {issued[0].number}, last {issued[-1].number} (target ≤ 2 s)")


if __name__ == "__main__":
    main()
