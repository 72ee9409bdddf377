"""Two checkouts of the portal under the same load at the same time: CPU per request of each one's workers.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/ab_http.py [--duration 20] [--clients 16] [--scenario verify_api] /tmp/before .
    .venv/bin/python bench/ab_http.py --gunicorn-arg-a=--workers=5 --gunicorn-arg-b=--workers=3 . .

The machine's speed moves by up to 2× from hour to hour (docs/PERFORMANCE.md), so a before/after measured one
after the other compares the machine as much as the code. Here both run at once: one gunicorn per checkout
(its own `deploy/gunicorn.conf.py`, production settings as `bench_http.py` sets them, on the current database),
each with its own load generator, for the same seconds. Whatever slows the machine slows both. The figure is
each gunicorn's worker CPU time (/proc/<pid>/stat, user + system) divided by the requests it answered; the
requests/s of each are printed too, but they split the cores between them and are not the targets' figure.
Both checkouts must run on the same database schema. Not part of `bench/run`. Run it twice with the order
swapped, and once with the same checkout twice: at 20 s the same checkout twice gave B / A 0.93 and 0.96 (B,
the second started, came out cheaper both times), so only a difference that holds in both orders and is
larger than that is one.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_http  # noqa: E402 - the bench directory is on the path above

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="checkout A (e.g. a git worktree of the commit before)")
    parser.add_argument("after", help="checkout B")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients per checkout")
    parser.add_argument("--scenario", default="verify_api", choices=bench_http.SCENARIOS)
    parser.add_argument("--gunicorn-arg-a", action="append", default=[], help="extra gunicorn argument for A")
    parser.add_argument("--gunicorn-arg-b", action="append", default=[], help="extra gunicorn argument for B")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or bench_http.DEFAULT_DATABASE_URL
    bench_http.restart_in_bench_env(__file__, database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    lookups = bench_http.sample_lookups(random.Random(2026), 4000)
    connection.close()
    requests = bench_http.scenario_requests(args.scenario, lookups)
    roots = [Path(args.before).resolve(), Path(args.after).resolve()]

    with tempfile.TemporaryDirectory(prefix="ab_http_") as tmp:
        servers = []
        try:
            for i, root in enumerate(roots):
                bench_http.ROOT = root  # Gunicorn.start() runs the checkout's gunicorn.conf.py from its directory
                extra = args.gunicorn_arg_b if i else args.gunicorn_arg_a
                server = bench_http.Gunicorn(dict(os.environ), extra, os.path.join(tmp, f"gunicorn{i}.log"))
                server.start()
                servers.append(server)
            results: dict[int, dict] = {}

            def load(i: int, seconds: float, base: int) -> None:
                sub = os.path.join(tmp, f"load{i}")
                os.makedirs(sub, exist_ok=True)
                results[i] = bench_http.run_child("loadgen", {
                    "base_url": f"http://127.0.0.1:{servers[i].port}", "requests": requests,
                    "clients": args.clients, "duration": seconds, "xff_base": base}, sub)

            def both(seconds: float, base: int) -> None:
                threads = [threading.Thread(target=load, args=(i, seconds, base + 10_000_000 * i)) for i in (0, 1)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()

            both(4.0, 1)  # warm-up
            first: dict[int, float] = {}
            last: dict[int, float] = {}
            owner: dict[int, int] = {}
            for i, server in enumerate(servers):
                for pid in server.workers():
                    first[pid], owner[pid] = cpu_seconds(pid) or 0.0, i
            done = threading.Event()

            def sample() -> None:  # workers recycled meanwhile are counted from 0 up to their last reading
                while not done.is_set():
                    for i, server in enumerate(servers):
                        for pid in server.workers():
                            seconds = cpu_seconds(pid)
                            if seconds is not None:
                                first.setdefault(pid, 0.0)
                                owner[pid], last[pid] = i, seconds
                    time.sleep(0.3)

            sampler = threading.Thread(target=sample)
            sampler.start()
            both(args.duration, 50_000_000)
            done.set()
            sampler.join()
            per_request = []
            for i in range(len(servers)):
                cpu = sum(last[pid] - first[pid] for pid in last if owner[pid] == i)
                answered = len(results[i]["ms"])
                per_request.append(1000 * cpu / max(answered, 1))
                print(f"{'AB'[i]} {roots[i]}: {answered / results[i]['elapsed']:.0f} requests/s, worker CPU "
                      f"{per_request[-1]:.2f} ms a request, statuses {results[i]['statuses']}", flush=True)
            print(f"B / A worker CPU a request: {per_request[1] / per_request[0]:.3f}")
        finally:
            for server in servers:
                server.stop()


if __name__ == "__main__":
    main()
