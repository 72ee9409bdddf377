"""bench/run (docs/PERFORMANCE.md): runs each benchmark script with --json, merges the rows, writes
bench/results/latest.json and latest.md. Fake scripts stand in for the real benchmarks (no database, no load)."""

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("bench_runner", ROOT / "bench" / "runner.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_runner"] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_runner", None)


def fake_script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD = """
    import json, sys
    out = sys.argv[sys.argv.index("--json") + 1]
    base = {k: None for k in ("path", "kind", "n", "median_ms", "p95_ms", "p99_ms", "rps", "seconds", "peak_mib",
                              "queries", "yardstick", "ratio", "target", "ok", "notes")}
    rows = [
        dict(base, path="public verification (gunicorn, 32 clients)", kind="throughput", n=12000, median_ms=7.5,
             p95_ms=18.25, p99_ms=31.0, rps=412.3, seconds=30.0, peak_mib=118.4, queries=1,
             yardstick={"name": "raw SQL", "median_ms": 0.4, "p95_ms": 1.2, "p99_ms": 2.0, "rps": 5000.0,
                        "seconds": 30.0, "peak_mib": None},
             ratio=12.13, target=">= 400 rps", ok=True, notes="argv " + " ".join(sys.argv[1:])),
        dict(base, path="batch PDF of 1,000 certificates", kind="duration", n=1000, seconds=7.25, peak_mib=210.0,
             yardstick={"name": "bare reportlab + segno", "median_ms": None, "p95_ms": None, "p99_ms": None,
                        "rps": None, "seconds": 6.0, "peak_mib": 90.0},
             ratio=1.21, target="<= 8 s", ok=False, notes="a | pipe"),
    ]
    json.dump({"bench": "good", "rows": rows}, open(out, "w", encoding="utf-8"))
    print("good done")
"""

BROKEN = """
    print("Traceback: the database is not there")
    raise SystemExit(3)
"""


def test_bench_run_merges_rows_and_writes_json_and_md(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/not_there")
    benches = [runner.Bench("good", str(fake_script(tmp_path, "good", GOOD)), http=True),
               runner.Bench("broken", str(fake_script(tmp_path, "broken", BROKEN)))]
    results = tmp_path / "results"

    code = runner.main(["--quick", "--results", str(results)], benches=benches)

    assert code == 1  # one script gave no result
    data = json.loads((results / "latest.json").read_text(encoding="utf-8"))
    assert {"started", "finished", "host", "database", "rows"} <= set(data)
    assert {"cpus", "python", "postgres"} <= set(data["host"])
    assert data["database"] == "postgres://postgres@127.0.0.1:1/not_there"
    assert [r["path"] for r in data["rows"]][:2] == ["public verification (gunicorn, 32 clients)",
                                                      "batch PDF of 1,000 certificates"]
    for row in data["rows"]:
        assert tuple(row)[:len(runner.ROW_KEYS)] == runner.ROW_KEYS
    broken = data["rows"][2]
    assert broken["ok"] is False and "exit code 3" in broken["notes"] and "database is not there" in broken["notes"]
    # the quick sizes and the HTTP options reach the script
    assert "--quick" in data["rows"][0]["notes"] and "--duration 5.0 --clients 8" in data["rows"][0]["notes"]

    md = (results / "latest.md").read_text(encoding="utf-8")
    lines = md.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| path |"))
    assert lines[header] == ("| path | median | p95 | p99 | throughput / seconds | peak MiB | queries | yardstick | "
                             "ratio | target | ok |")
    table = [line for line in lines[header + 2:] if line.startswith("|")]
    assert len(table) == 3
    assert table[0].split(" | ")[1:5] == ["7.50 ms", "18.2 ms", "31.0 ms", "412.3/s, 30.00 s"]
    assert "raw SQL: 5,000/s" in table[0] and "| 12.13 |" in table[0] and table[0].endswith("| yes |")
    assert "7.25 s" in table[1] and "bare reportlab + segno: 6.00 s, 90 MiB" in table[1]
    assert table[1].endswith("| **NO** |")
    assert "a \\| pipe" in md  # notes cannot break the table
    assert "2 not ok" in md


def test_md_from_rewrites_the_table_from_a_results_file(runner, tmp_path, capsys):
    result = {"started": "2026-12-02T18:00:00+00:00", "finished": "2026-12-02T18:30:00+00:00",
              "host": {"cpus": 2, "python": "3.11.2", "postgres": "16.4"}, "database": "postgres:///x",
              "rows": [{"path": "deadline sweep over 100,000 filings", "kind": "duration", "seconds": 4.5,
                        "queries": 212, "target": "<= 5 s", "ok": True}]}
    source = tmp_path / "in.json"
    source.write_text(json.dumps(result), encoding="utf-8")

    assert runner.main(["--md-from", str(source), "--results", str(tmp_path)]) == 0

    md = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "on 2 CPU(s), Python 3.11.2, PostgreSQL 16.4" in md
    assert "| deadline sweep over 100,000 filings | – | – | – | 4.50 s | – | 212 | – | – | <= 5 s | yes |" in md
    assert md in capsys.readouterr().out


def test_bench_run_wrapper_lists_every_benchmark():
    out = subprocess.run([str(ROOT / "bench" / "run"), "--list"], capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "BENCH_PYTHON": sys.executable})
    assert out.returncode == 0, out.stderr
    names = [line.split()[0] for line in out.stdout.splitlines()]
    assert names == ["http", "lists", "numbers", "batch_issue", "pdf", "certificate_export", "candidates_import",
                     "sweep"]
