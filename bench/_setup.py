"""Shared set-up for benchmarks: a PostgreSQL database of their own, migrated, Django configured; the JSON contract.

Run a benchmark as `.venv/bin/python bench/bench_<name>.py [--quick] [--json FILE]`. BENCH_DATABASE_URL picks
the server and database (default postgres://postgres@127.0.0.1:5432/<the script's own filing_bench_* name>);
the database is created if missing. BENCH_DB_SUFFIX (e.g. `_mine`) is appended to every script's own database
name, so two people can run the same bench at the same time without dropping each other's data.

`--json FILE` writes {"bench": name, "rows": [ROW, ...]} (the contract bench/run merges): every ROW has all of
ROW_KEYS, null where not applicable; `row()` builds one.
"""

import json
import os
import resource
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROW_KEYS = ("path", "kind", "n", "median_ms", "p95_ms", "p99_ms", "rps", "seconds", "peak_mib", "queries",
            "yardstick", "ratio", "target", "ok", "notes")
YARDSTICK_KEYS = ("name", "median_ms", "p95_ms", "p99_ms", "rps", "seconds", "peak_mib")


def database_url(name: str) -> str:
    return os.environ.get("BENCH_DATABASE_URL",
                          f"postgres://postgres@127.0.0.1:5432/{name}{os.environ.get('BENCH_DB_SUFFIX', '')}")


def setup(*, fresh: bool = False, name: str = "filing_bench") -> None:
    url = database_url(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filing_portal.settings.local")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("PERSONAL_DATA_KEY", "YmVuY2htYXJrLW9ubHktcGVyc29uYWwtZGF0YS1rZXk=")
    import psycopg

    dbname = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def django_only(name: str) -> None:
    """Django configured on the script's database without `migrate` (for child processes: loading every
    migration would add ~60 MB to the peak RSS of a process that, in production, never migrates)."""
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filing_portal.settings.local")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("PERSONAL_DATA_KEY", "YmVuY2htYXJrLW9ubHktcGVyc29uYWwtZGF0YS1rZXk=")
    import django

    django.setup()


def percentile(values, p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def latency(values_ms) -> dict:
    """median_ms, p95_ms, p99_ms of a list of milliseconds (rounded to 0.01 ms)."""
    if not values_ms:
        return {"median_ms": None, "p95_ms": None, "p99_ms": None}
    return {"median_ms": round(statistics.median(values_ms), 2), "p95_ms": round(percentile(values_ms, 95), 2),
            "p99_ms": round(percentile(values_ms, 99), 2)}


def peak_mib() -> float:
    """This process's peak resident set in MiB: VmHWM of /proc/self/status (Linux), else ru_maxrss.

    VmHWM rather than ru_maxrss: after fork + exec, Linux carries the parent's high-water mark into the child's
    ru_maxrss, so a child started by a big parent would report the parent's peak; VmHWM belongs to the
    process's own address space.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def reset_peak() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux: `5` into /proc/self/clear_refs), so that
    `peak_mib()` afterwards measures what follows; False where that is not possible."""
    import gc

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def yardstick(name: str, **values) -> dict:
    unknown = set(values) - set(YARDSTICK_KEYS)
    assert not unknown, unknown
    return {"name": name, **{k: values.get(k) for k in YARDSTICK_KEYS[1:]}}


def row(path: str, kind: str, **values) -> dict:
    """One contract row; the ratio is computed from the yardstick when not given (>1 = slower than it)."""
    assert kind in ("latency", "throughput", "duration"), kind
    unknown = set(values) - set(ROW_KEYS)
    assert not unknown, unknown
    out = {k: values.get(k) for k in ROW_KEYS}
    out.update(path=path, kind=kind)
    ys = out["yardstick"]
    if out["ratio"] is None and ys:
        if kind == "latency" and out["p95_ms"] and ys.get("p95_ms"):
            out["ratio"] = out["p95_ms"] / ys["p95_ms"]
        elif kind == "duration" and out["seconds"] and ys.get("seconds"):
            out["ratio"] = out["seconds"] / ys["seconds"]
        elif kind == "throughput" and out["rps"] and ys.get("rps"):
            out["ratio"] = ys["rps"] / out["rps"]
    if out["ratio"] is not None:
        out["ratio"] = round(out["ratio"], 2)
    for key in ("seconds", "rps"):
        if isinstance(out[key], float):
            out[key] = round(out[key], 3 if key == "seconds" else 1)
    return out


def add_common_args(parser) -> None:
    parser.add_argument("--json", metavar="FILE", help="also write the rows (the bench/run contract) to FILE")
    parser.add_argument("--quick", action="store_true", help="a smaller smoke-test size")


def write_json(path: str | None, bench: str, rows: list[dict]) -> None:
    if not path:
        return
    for r in rows:
        assert tuple(r) == ROW_KEYS, r
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"bench": bench, "rows": rows}, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
