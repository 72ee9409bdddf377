"""bench/run: every benchmark in one go, merged into bench/results/latest.json and latest.md (docs/PERFORMANCE.md).

    bench/run [--quick] [--only NAME[,NAME...]] [--duration S] [--clients N] [--list] [--results DIR]
    bench/run --md-from FILE.json      # rewrite the table from a results file (and print it)

Each benchmark is a script `bench/bench_<name>.py` run as its own process with `--json TMPFILE` (the contract
in bench/_setup.py: {"bench": name, "rows": [ROW, ...]}); the rows are merged in the order below. A script that
fails, times out or writes no JSON still gets a row (ok false, the exit code and the tail of its output in the
notes), and the run goes on. `http` and `lists` read the current database (DATABASE_URL, default the
`filing_scale` database `manage.py seed_scale` fills); the other scripts build their own databases
(bench/_setup.py, BENCH_DATABASE_URL passed through unchanged).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/filing_scale"
ROW_KEYS = ("path", "kind", "n", "median_ms", "p95_ms", "p99_ms", "rps", "seconds", "peak_mib", "queries",
            "yardstick", "ratio", "target", "ok", "notes")
MD_COLUMNS = ("path", "median", "p95", "p99", "throughput / seconds", "peak MiB", "queries", "yardstick", "ratio",
              "target", "ok")


@dataclass
class Bench:
    name: str
    script: str
    current_db: bool = False  # reads DATABASE_URL (the seeded database) instead of building its own
    full_args: list[str] = field(default_factory=list)
    http: bool = False  # takes --duration and --clients


BENCHES = [
    Bench("http", "bench_http.py", current_db=True, http=True),
    Bench("lists", "bench_lists.py", current_db=True),
    Bench("numbers", "bench_numbers.py"),
    Bench("batch_issue", "bench_batch_issue.py"),
    Bench("pdf", "bench_pdf.py"),
    Bench("certificate_export", "bench_certificate_export.py"),
    Bench("candidates_import", "bench_candidates_import.py"),
    Bench("sweep", "bench_sweep.py", full_args=["--count", "100000"]),
]


def bench_command(bench: Bench, opts, json_path: str, python: str = sys.executable) -> list[str]:
    cmd = [python, str(BENCH_DIR / bench.script), "--json", json_path]
    if opts.quick:
        cmd.append("--quick")
    else:
        cmd += bench.full_args
    if bench.http:
        cmd += ["--duration", str(opts.duration), "--clients", str(opts.clients)]
    return cmd


def failed_row(bench: Bench, why: str, tail: list[str], seconds: float) -> dict:
    row = dict.fromkeys(ROW_KEYS)
    row.update(path=f"{bench.name}: no result ({bench.script})", kind="duration", seconds=round(seconds, 1),
               ok=False, failed=True, notes=why + (" | last output: " + " / ".join(tail) if tail else ""))
    return row


def normalise(row: dict) -> dict:
    """Every contract key present, in the contract's order (unknown keys are kept after them)."""
    out = {k: row.get(k) for k in ROW_KEYS}
    out.update({k: v for k, v in row.items() if k not in out})
    return out


def run_bench(bench: Bench, opts, env: dict, timeout: float) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix=f"bench_{bench.name}_") as tmp:
        json_path = os.path.join(tmp, "rows.json")
        cmd = bench_command(bench, opts, json_path, python=opts.python)
        print(f"\n=== {bench.name}: {' '.join(cmd[1:])}", flush=True)
        tail: deque[str] = deque(maxlen=6)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace")
        try:
            assert proc.stdout is not None
            deadline = start + timeout
            for line in proc.stdout:
                sys.stdout.write("    " + line)
                sys.stdout.flush()
                if line.strip():
                    tail.append(line.strip()[:300])
                if time.perf_counter() > deadline:
                    raise subprocess.TimeoutExpired(cmd, timeout)
            code = proc.wait(timeout=max(1.0, deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return [failed_row(bench, f"timed out after {timeout:.0f} s", list(tail), time.perf_counter() - start)]
        elapsed = time.perf_counter() - start
        if not os.path.exists(json_path):
            return [failed_row(bench, f"exit code {code}, no --json output", list(tail), elapsed)]
        try:
            with open(json_path, encoding="utf-8") as fh:
                rows = [normalise(r) for r in json.load(fh)["rows"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return [failed_row(bench, f"exit code {code}, unreadable --json output ({exc})", list(tail), elapsed)]
        if code != 0:
            for r in rows:
                r["ok"] = False
                r["notes"] = f"script exit code {code}; " + (r["notes"] or "")
        print(f"=== {bench.name}: {len(rows)} row(s) in {elapsed:.1f} s", flush=True)
        return rows


def postgres_version(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - the host line is informative only
        try:
            import psycopg

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as conn:
                return conn.execute("SHOW server_version").fetchone()[0]
        except Exception:  # noqa: BLE001
            return None


def host_info(database_url: str) -> dict:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count()
    return {"cpus": cpus, "python": platform.python_version(), "postgres": postgres_version(database_url),
            "machine": platform.machine(), "system": platform.system()}


# --- the Markdown table ---------------------------------------------------------------------------------------

def _num(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _ms(value) -> str:
    return "–" if value is None else f"{_num(float(value), 2 if value < 10 else 1)} ms"


def _amount(row: dict) -> str:
    parts = []
    if row.get("rps") is not None:
        parts.append(f"{_num(float(row['rps']), 1)}/s")
    if row.get("seconds") is not None:
        parts.append(f"{_num(float(row['seconds']), 2)} s")
    if row.get("kind") == "duration":
        parts.reverse()  # a duration leads with its seconds
    return ", ".join(parts) or "–"


def _main_metric(values: dict, kind: str | None) -> str:
    if kind == "latency" and values.get("p95_ms") is not None:
        return f"p95 {_ms(values['p95_ms'])}"
    if kind == "throughput" and values.get("rps") is not None:
        return f"{_num(float(values['rps']), 1)}/s"
    if values.get("seconds") is not None:
        return f"{_num(float(values['seconds']), 2)} s"
    for key, label in (("p95_ms", "p95"), ("rps", "/s")):
        if values.get(key) is not None:
            return f"{label} {values[key]}"
    return ""


def _yardstick(row: dict) -> str:
    ys = row.get("yardstick")
    if not ys:
        return "–"
    metric = _main_metric(ys, row.get("kind"))
    extra = f", {_num(float(ys['peak_mib']), 0)} MiB" if ys.get("peak_mib") is not None else ""
    return f"{ys.get('name') or 'yardstick'}: {metric}{extra}".strip().rstrip(":")


def _ok(value) -> str:
    return {True: "yes", False: "**NO**"}.get(value, "–")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_row(row: dict) -> list[str]:
    queries = row.get("queries")
    return [
        row.get("path") or "?",
        _ms(row.get("median_ms")), _ms(row.get("p95_ms")), _ms(row.get("p99_ms")),
        _amount(row),
        "–" if row.get("peak_mib") is None else _num(float(row["peak_mib"]), 0),
        "–" if queries is None else str(queries),
        _yardstick(row),
        "–" if row.get("ratio") is None else f"{float(row['ratio']):.2f}",
        row.get("target") or "–",
        _ok(row.get("ok")),
    ]


def render_md(result: dict) -> str:
    host = result.get("host") or {}
    lines = [
        "# Benchmark results",
        "",
        f"Run {result.get('started')} → {result.get('finished')} on {host.get('cpus')} CPU(s), Python "
        f"{host.get('python')}, PostgreSQL {host.get('postgres')}; database `{result.get('database')}`"
        + (" (quick smoke-test sizes)" if result.get("quick") else "") + ".",
        "Produced by `bench/run` (docs/PERFORMANCE.md). Ratio = ours / yardstick on the row's main metric "
        "(p95 for latency, seconds for a duration, yardstick rate / ours for throughput): above 1 is slower.",
        "",
        "| " + " | ".join(MD_COLUMNS) + " |",
        "|" + "|".join("---" if i == 0 or c in ("target", "yardstick") else "---:" if c != "ok" else ":---:"
                       for i, c in enumerate(MD_COLUMNS)) + "|",
    ]
    rows = result.get("rows") or []
    for row in rows:
        lines.append("| " + " | ".join(_cell(c) for c in md_row(row)) + " |")
    notes = [(i, r) for i, r in enumerate(rows, 1) if r.get("notes")]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"{i}. {_cell(r.get('path'))}: {_cell(r['notes'])}" for i, r in notes]
    failed = [r.get("path") for r in rows if r.get("ok") is False]
    lines += ["", f"{len(rows)} rows; {len(failed)} not ok" + (": " + "; ".join(map(str, failed)) if failed else "")
              + "."]
    return "\n".join(lines) + "\n"


def write_results(result: dict, results_dir: Path) -> tuple[Path, Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = results_dir / "latest.json", results_dir / "latest.md"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(render_md(result), encoding="utf-8")
    return json_path, md_path


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Run every benchmark and write bench/results/latest.{json,md}.")
    parser.add_argument("--quick", action="store_true", help="smoke-test sizes and durations (minutes, not an hour)")
    parser.add_argument("--only", help="comma-separated benchmark names (see --list)")
    parser.add_argument("--duration", type=float, help="seconds of load per HTTP measurement (default 30; quick 5)")
    parser.add_argument("--clients", type=int, help="concurrent HTTP clients (default 32; quick 8)")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results", help="where latest.* are written")
    parser.add_argument("--timeout", type=float, help="seconds per benchmark before it is killed "
                                                      "(default 3600; quick 900)")
    parser.add_argument("--list", action="store_true", help="print the benchmark names and exit")
    parser.add_argument("--md-from", type=Path, metavar="FILE", help="only rewrite latest.md from a results JSON")
    parser.add_argument("--python", default=sys.executable, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.duration is None:
        opts.duration = 5.0 if opts.quick else 30.0
    if opts.clients is None:
        opts.clients = 8 if opts.quick else 32
    if opts.timeout is None:
        opts.timeout = 900.0 if opts.quick else 3600.0
    return opts


def main(argv=None, benches: list[Bench] | None = None) -> int:
    opts = parse_args(argv)
    benches = BENCHES if benches is None else benches
    if opts.list:
        for b in benches:
            print(f"{b.name:<20} bench/{b.script}{'  (current database)' if b.current_db else ''}")
        return 0
    if opts.md_from:
        result = json.loads(opts.md_from.read_text(encoding="utf-8"))
        text = render_md(result)
        opts.results.mkdir(parents=True, exist_ok=True)
        (opts.results / "latest.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    selected = benches
    if opts.only:
        wanted = [w.strip() for w in opts.only.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in {b.name for b in benches}]
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(b.name for b in benches)}",
                  file=sys.stderr)
            return 2
        selected = [b for b in benches if b.name in wanted]
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONUNBUFFERED="1")
    result = {"started": _now(), "finished": None, "host": host_info(database_url), "database": database_url,
              "quick": opts.quick, "benches": [b.name for b in selected], "rows": []}
    for bench in selected:
        result["rows"] += run_bench(bench, opts, env, opts.timeout)
    result["finished"] = _now()
    json_path, md_path = write_results(result, opts.results)
    print("\n" + render_md(result))
    print(f"wrote {json_path} and {md_path}")
    # 1 when a script gave no result; a missed target is in the table, not in the exit code
    return 1 if any(r.get("failed") for r in result["rows"]) else 0


if __name__ == "__main__":
    sys.exit(main())
