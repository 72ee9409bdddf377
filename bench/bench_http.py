"""Public verification and the public directory under concurrent load, through gunicorn, on the current database.

    .venv/bin/python bench/bench_http.py [--duration 30] [--clients 32] [--quick] [--json FILE]
                                         [--only verify_api,verify_page,directory_page,directory_api]
                                         [--gunicorn-arg=--workers=3 ...]

The database is DATABASE_URL (default the `filing_scale` database `manage.py seed_scale` fills); it is only read
(the rate limiter counts in the cache). Lookups use real data: certificate numbers with their holders' names
(one in ten with a wrong name: the same 200 answer, "not found"), directory searches by name fragments of real
institutions, city, occupation code or name, level, and pages 1-5.

Settings: `filing_portal.settings.production` (DEBUG off, whitenoise's manifest static files collected into a
temporary data directory, Redis cache db 5 when Redis answers), with throwaway secrets. PERSONAL_DATA_KEY: the first of
the environment's, the development key local settings derive from their SECRET_KEY (a plain `seed_scale`) and
bench/_setup.py's that decrypts the database's ID numbers. The load generator plays the reverse proxy: X-Forwarded-Proto https and one X-Forwarded-For address per
request (TRUSTED_PROXY_COUNT=1), so the per-client verification limit (10/min) counts real clients, not the bench.

1. At the view: each lookup through Django's test Client in this process, one at a time, with its queries
   counted (CaptureQueriesContext). Yardstick: the same lookups as hand-written SQL over one psycopg connection.
2. Through gunicorn: `gunicorn filing_portal.wsgi -c deploy/gunicorn.conf.py` (its workers and threads) on a free
   loopback port, a warm-up, then per scenario an aiohttp load generator in another process: `--clients`
   concurrent clients for `--duration` seconds (keep-alive), latency per request, requests/s, non-2xx answers.
   Peak memory: the largest VmHWM of the gunicorn workers (/proc/<pid>/status; recycled workers included).
   Yardstick: the same lookups as hand-written SQL from `--clients` asyncio tasks, each with its own psycopg
   AsyncConnection, for the same duration, in another process.
The load generator, the yardstick and gunicorn share the machine's cores (2 here): the figures are what one box
does with its own load generator on it, a lower bound for gunicorn alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, latency, row, write_json, yardstick

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/filing_scale"
BENCH_PERSONAL_DATA_KEY = "YmVuY2htYXJrLW9ubHktcGVyc29uYWwtZGF0YS1rZXk="  # bench/_setup.py's
SCENARIOS = ("verify_api", "verify_page", "directory_page", "directory_api")
TITLES = {
    "verify_api": "public verification API POST /api/v1/public/certificates/verify/",
    "verify_page": "public verification page POST /verify/",
    "directory_page": "public directory search page /directory/",
    "directory_api": "public directory API /api/v1/public/institutions/",
}
DIRECTORY_STATES = ["active", "suspended", "expired"]


# --- environment ----------------------------------------------------------------------------------------------

def redis_url() -> str | None:
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    m = re.match(r"redis://([^:/]+):?(\d+)?", url)
    try:
        with socket.create_connection((m.group(1), int(m.group(2) or 6379)), timeout=1):
            return url
    except (OSError, AttributeError):
        return None


def personal_data_key(database_url: str) -> tuple[str, str]:
    """The PERSONAL_DATA_KEY that decrypts the database's ID numbers, and where it came from.

    Candidates: PERSONAL_DATA_KEY from the environment; the development key that local settings derive from
    their SECRET_KEY (what a plain `manage.py seed_scale` encrypts with), as a key value; bench/_setup.py's.
    """
    import base64

    import psycopg
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from filing_portal import personal_data
    from filing_portal.settings import local as local_settings

    dev_master = personal_data._hkdf(local_settings.SECRET_KEY.encode(),
                                     b"filing_portal/personal-data/dev-master-from-secret-key")
    candidates = [(os.environ.get("PERSONAL_DATA_KEY", ""), "PERSONAL_DATA_KEY from the environment"),
                  (base64.urlsafe_b64encode(dev_master).decode(), "derived from the local settings' SECRET_KEY"),
                  (BENCH_PERSONAL_DATA_KEY, "bench/_setup.py's key")]
    candidates = [c for c in candidates if c[0]]
    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            found = conn.execute("SELECT id_number FROM certificates_certificate LIMIT 1").fetchone()
    except psycopg.Error:
        found = None
    if not found or not found[0].startswith("v1:"):
        return candidates[0]
    raw = base64.urlsafe_b64decode(found[0][3:])
    for key, origin in candidates:
        try:
            AESGCM(personal_data._derive_keys(key, "")[0]).decrypt(raw[:12], raw[12:], None)
            return key, origin
        except Exception:  # noqa: BLE001, S112 - the wrong key: try the next
            continue
    print("WARNING: no known PERSONAL_DATA_KEY decrypts the database's ID numbers; set PERSONAL_DATA_KEY")
    return candidates[0]


def bench_env(database_url: str, data_dir: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "filing_portal.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-http-only-not-a-secret-" + "0123456789abcdefghijklmnopqrstuvwxyz",
        "CERTIFICATE_QR_KEY": "bench-http-only-qr-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTED_PROXY_COUNT": "1",
        "FILING_PORTAL_DATA_DIR": data_dir,
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_CONTROL_SOCKET": os.path.join(data_dir, "gunicorn.ctl"),
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("DEBUG", None)
    env["PERSONAL_DATA_KEY"], env["BENCH_PERSONAL_DATA_KEY_ORIGIN"] = personal_data_key(database_url)
    cache = redis_url()
    if cache:
        env["REDIS_URL"] = cache
    else:
        env.pop("REDIS_URL", None)
    return env


def restart_in_bench_env(script: str, database_url: str) -> None:
    """Unless this process already is one, start `script` again (same arguments) with only `bench_env`.

    Finding the personal-data key imports the project, and with it Django's settings under the caller's
    environment (locmem cache, no trusted proxy: every at-view lookup was one client, rate-limited to 429).
    So the environment is built here and the script starts again in a process that has only it."""
    if os.environ.get("BENCH_HTTP_ENV") == "1":
        return
    data_dir = os.path.join(tempfile.gettempdir(), f"filing_bench_http_{os.getuid()}")
    env = {**bench_env(database_url, data_dir), "BENCH_HTTP_ENV": "1"}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, os.path.abspath(script), *sys.argv[1:]], env)


def xff(i: int, base: int) -> str:
    i += base
    return f"{10 + (i >> 24) % 240}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


# --- the lookups ----------------------------------------------------------------------------------------------

def sample_lookups(rng: random.Random, n: int) -> dict:
    """Real numbers and names, real directory searches, from the current database."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM certificates_certificate")
        total = cur.fetchone()[0]
        if not total:
            raise SystemExit("no certificates in the database: seed it first (manage.py seed_scale)")
        pct = min(100.0, max(0.01, 100.0 * 3 * n / total))
        cur.execute(f"SELECT number, holder_name FROM certificates_certificate TABLESAMPLE SYSTEM ({pct}) LIMIT %s",
                    [n])
        certs = cur.fetchall()
        if len(certs) < min(n, total) // 2:
            cur.execute("SELECT number, holder_name FROM certificates_certificate ORDER BY random() LIMIT %s", [n])
            certs = cur.fetchall()
        cur.execute("SELECT i.name FROM institutions_filing f JOIN institutions_institution i"
                    " ON i.id = f.institution_id WHERE f.state = ANY(%s) ORDER BY random() LIMIT 200",
                    [DIRECTORY_STATES])
        names = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT DISTINCT r.code FROM institutions_filing f JOIN institutions_institution i"
                    " ON i.id = f.institution_id JOIN regions_region r ON r.id = i.region_id WHERE f.state = ANY(%s)",
                    [DIRECTORY_STATES])
        cities = sorted(r[0] for r in cur.fetchall())
        cur.execute("SELECT o.code, o.name, s.level, count(*) FROM institutions_filingscope s"
                    " JOIN institutions_occupation o ON o.id = s.occupation_id WHERE s.active"
                    " GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 30")
        occupations = cur.fetchall()
    verify = []
    for i, (number, name) in enumerate(certs):
        verify.append({"number": number, "name": name if i % 10 else name[:-1] + "某"})
    rng.shuffle(verify)
    searches = []
    for i in range(max(40, min(400, n // 5))):
        params = {}
        kind = i % 6
        if kind in (0, 1) and names:  # a name fragment: two to four characters of a real name
            name = rng.choice(names)
            start = rng.randrange(0, max(1, len(name) - 4))
            params["q"] = name[start:start + rng.randint(2, 4)]
        if kind in (1, 2) and cities:
            params["region"] = rng.choice(cities)
        if kind in (3, 4) and occupations:
            code, oname, level, _count = rng.choice(occupations)
            if kind == 3:
                params.update(occupation=code, level=level)
            else:
                params["occupation"] = oname[:max(2, len(oname) // 2)]
        if kind == 5 or i % 4 == 0:
            params["page"] = rng.randint(1, 5)
        searches.append(params)
    # pages that exist (an API page past the end is a 404): the page number within the search's own count
    with connection.cursor() as cur:
        for params in searches:
            if params.get("page", 1) > 1:
                count_sql, count_args = directory_sql(params)[0]
                cur.execute(count_sql, count_args)
                pages = max(1, -(-cur.fetchone()[0] // 50))
                params["page"] = min(params["page"], pages)
                if params["page"] == 1:
                    del params["page"]
    rng.shuffle(searches)
    return {"verify": verify, "searches": searches, "certificates": total}


def scenario_requests(name: str, lookups: dict) -> list[dict]:
    from urllib.parse import urlencode

    if name == "verify_api":
        return [{"method": "POST", "path": "/api/v1/public/certificates/verify/", "json": v} for v in lookups["verify"]]
    if name == "verify_page":
        return [{"method": "POST", "path": "/verify/", "csrf": True,
                 "form": {"mode": "number", "n-number": v["number"], "n-name": v["name"]}} for v in lookups["verify"]]
    prefix = "/directory/" if name == "directory_page" else "/api/v1/public/institutions/"
    return [{"method": "GET", "path": prefix + ("?" + urlencode(p) if p else "")} for p in lookups["searches"]]


# --- 1. at the view -------------------------------------------------------------------------------------------

def at_view(name: str, requests: list[dict], count: int, base: int) -> dict:
    """One request at a time through the test Client, in this process set up as a gunicorn worker is (the
    loaded code frozen out of the cyclic GC's reach, deploy/gunicorn.conf.py `pre_fork`). Queries are
    counted by an execute wrapper: CaptureQueriesContext keeps the last 9,000 statements alive, which
    promotes them into the GC's oldest generation and triggers full collections no worker has."""
    import gc

    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    timings, queries, statuses = [], [], {}
    slowest_n, slow = int(os.environ.get("BENCH_HTTP_SLOWEST") or 0), []
    current: list[tuple[float, str]] = []

    def counter(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            current.append(((time.perf_counter() - t0) * 1000, sql[:90]))

    frozen, profiler = False, None
    with connection.execute_wrapper(counter):
        for i in range(count + 5):
            if i == 5 and not frozen:
                gc.freeze()  # after the warm-up, as gunicorn's master does before it forks a worker
                frozen = True
                if os.environ.get("BENCH_PROFILE"):  # BENCH_PROFILE=FILE: a pyinstrument profile, as text
                    from pyinstrument import Profiler

                    profiler = Profiler(interval=0.0002)
                    profiler.start()
            req = requests[i % len(requests)]
            extra = {"secure": True, "HTTP_X_FORWARDED_FOR": xff(i, base), "HTTP_X_FORWARDED_PROTO": "https"}
            current.clear()
            t0 = time.perf_counter()
            if req["method"] == "GET":
                response = client.get(req["path"], **extra)
            elif "json" in req:
                response = client.post(req["path"], req["json"], content_type="application/json", **extra)
            else:
                response = client.post(req["path"], req["form"], **extra)
            elapsed = (time.perf_counter() - t0) * 1000
            if i < 5:
                continue  # warm-up
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            timings.append(elapsed)
            queries.append(len(current))
            if slowest_n:
                slow.append((elapsed, req["path"], list(current)))
    gc.unfreeze()
    if profiler:
        profiler.stop()
        with open(os.environ["BENCH_PROFILE"], "w", encoding="utf-8") as fh:
            fh.write(profiler.output_text(unicode=True, show_all=False))
    if slowest_n:  # BENCH_HTTP_SLOWEST=N: where the tail goes (diagnostics; not part of the row)
        for elapsed, path, sqls in sorted(slow, key=lambda s: -s[0])[:slowest_n]:
            print(f"    slow {elapsed:7.1f} ms {path}  SQL {sum(t for t, _ in sqls):.1f} ms: "
                  + "; ".join(f"{t:.1f} {q}" for t, q in sqls if t >= 1.0), flush=True)
    return {"ms": timings, "queries": queries, "statuses": statuses}


# --- the yardstick: the same lookups in hand-written SQL ------------------------------------------------------

VERIFY_SQL = ("SELECT id, number, holder_name, id_type, id_number, occupation_code, occupation_name, work_type, level,"
              " issue_date, institution_name, filing_number, status, voided_on FROM certificates_certificate"
              " WHERE number = %s LIMIT 1")


def directory_sql(params: dict) -> list[tuple[str, dict]]:
    """COUNT and one page of 50 with the joins, then the page's scope rows and fee standards (the prefetches)."""
    where = ["f.state = ANY(%(states)s)"]
    args: dict = {"states": DIRECTORY_STATES, "offset": 50 * (int(params.get("page") or 1) - 1)}
    if params.get("q"):
        where.append("i.name LIKE %(q)s")
        args["q"] = f"%{params['q']}%"
    if params.get("region"):
        where.append("i.region_id IN (SELECT r.id FROM regions_region r LEFT JOIN regions_region p"
                     " ON p.id = r.province_id WHERE r.code = %(region)s OR p.code = %(region)s)")
        args["region"] = params["region"]
    if params.get("occupation") or params.get("level"):
        scope = ["s.active"]
        if params.get("occupation"):
            scope.append("s.occupation_id IN (SELECT o.id FROM institutions_occupation o WHERE o.code = %(occ)s"
                         " OR o.name LIKE %(occ_like)s)")
            args.update(occ=params["occupation"], occ_like=f"%{params['occupation']}%")
        if params.get("level"):
            scope.append("s.level = %(level)s")
            args["level"] = int(params["level"])
        where.append(f"f.id IN (SELECT s.filing_id FROM institutions_filingscope s WHERE {' AND '.join(scope)})")
    cond = " AND ".join(where)
    base = "FROM institutions_filing f JOIN institutions_institution i ON i.id = f.institution_id"
    return [
        (f"SELECT count(*) {base} WHERE {cond}", args),
        (f"SELECT f.id, f.institution_id, f.*, i.*, r.code, r.name, h.code, h.name {base}"
         " JOIN regions_region r ON r.id = i.region_id"
         f" LEFT JOIN regions_region h ON h.id = f.handling_region_id WHERE {cond}"
         " ORDER BY i.name, f.number LIMIT 50 OFFSET %(offset)s", args),
    ]


PAGE_SCOPE_SQL = ("SELECT s.*, o.code, o.name FROM institutions_filingscope s JOIN institutions_occupation o"
                  " ON o.id = s.occupation_id WHERE s.active AND s.filing_id = ANY(%s) ORDER BY o.code, s.level")
PAGE_FEES_SQL = "SELECT * FROM institutions_feestandard WHERE institution_id = ANY(%s)"


async def _raw_lookup(conn, kind: str, item: dict) -> None:
    async with conn.cursor() as cur:
        if kind == "verify":
            await cur.execute(VERIFY_SQL, [item["number"]])
            found = await cur.fetchone()
            _ = found is not None and found[2] == item["name"]
            return
        (count_sql, args), (page_sql, _args) = directory_sql(item)
        await cur.execute(count_sql, args)
        await cur.fetchone()
        await cur.execute(page_sql, args)
        page = await cur.fetchall()
        filing_ids = [r[0] for r in page]
        institution_ids = list({r[1] for r in page})
        await cur.execute(PAGE_SCOPE_SQL, [filing_ids])
        await cur.fetchall()
        await cur.execute(PAGE_FEES_SQL, [institution_ids])
        await cur.fetchall()


async def _yardstick(spec: dict) -> dict:
    import psycopg

    items, kind = spec["items"], spec["kind"]
    clients, duration = spec["clients"], spec["duration"]
    conns = [await psycopg.AsyncConnection.connect(spec["database_url"], autocommit=True) for _ in range(clients)]
    latencies: list[float] = []
    counter = [0]
    stop_at = [0.0]

    async def worker(conn):
        while time.perf_counter() < stop_at[0]:
            i = counter[0]
            counter[0] += 1
            t0 = time.perf_counter()
            await _raw_lookup(conn, kind, items[i % len(items)])
            latencies.append((time.perf_counter() - t0) * 1000)

    stop_at[0] = time.perf_counter() + min(2.0, duration / 5)  # warm-up
    await asyncio.gather(*(worker(c) for c in conns))
    latencies.clear()
    start = time.perf_counter()
    stop_at[0] = start + duration
    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.perf_counter() - start
    for c in conns:
        await c.close()
    return {"ms": latencies, "elapsed": elapsed}


def raw_sequential(kind: str, items: list[dict], count: int) -> list[float]:
    """The at-view yardstick: the same lookups one at a time over one psycopg connection."""
    import psycopg

    async def run():
        async with await psycopg.AsyncConnection.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            out = []
            for i in range(count + 5):
                t0 = time.perf_counter()
                await _raw_lookup(conn, kind, items[i % len(items)])
                if i >= 5:
                    out.append((time.perf_counter() - t0) * 1000)
            return out

    return asyncio.run(run())


# --- 2. the load generator (another process) ------------------------------------------------------------------

async def _load(spec: dict) -> dict:
    import aiohttp

    base_url, requests = spec["base_url"], spec["requests"]
    clients, duration, xff_base = spec["clients"], spec["duration"], spec["xff_base"]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    counter = [0]
    host = base_url.split("//", 1)[1]
    proto = {"X-Forwarded-Proto": "https"}
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:

        async def csrf_pair(i: int) -> tuple[str, str]:
            headers = {**proto, "X-Forwarded-For": xff(i, xff_base)}
            async with session.get("/verify/", headers=headers) as resp:
                body = await resp.text()
                cookie = resp.cookies.get("csrftoken")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            if cookie is None or token is None:
                raise RuntimeError(f"no CSRF token from GET /verify/ ({resp.status})")
            return cookie.value, token.group(1)

        async def client(k: int, stop_at: float):
            csrf = None
            while time.perf_counter() < stop_at:
                i = counter[0]
                counter[0] += 1
                req = requests[i % len(requests)]
                headers = {**proto, "X-Forwarded-For": xff(i, xff_base)}
                kwargs = {}
                if req.get("csrf"):
                    if csrf is None:
                        csrf = await csrf_pair(10_000_000 + k)
                    headers.update(Cookie=f"csrftoken={csrf[0]}", Referer=f"https://{host}/verify/")
                    kwargs["data"] = {**req["form"], "csrfmiddlewaretoken": csrf[1]}
                elif "json" in req:
                    kwargs["json"] = req["json"]
                t0 = time.perf_counter()
                try:
                    async with session.request(req["method"], req["path"], headers=headers, **kwargs) as resp:
                        await resp.read()
                        status = str(resp.status)
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status = "error"
                    if len(errors) < 5:
                        errors.append(f"{req['path']}: {exc!r}")
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

        start = time.perf_counter()
        cpu0 = time.process_time()
        await asyncio.gather(*(client(k, start + duration) for k in range(clients)))
        elapsed = time.perf_counter() - start
    return {"ms": latencies, "statuses": statuses, "errors": errors, "elapsed": elapsed,
            "cpu_s": time.process_time() - cpu0}


def child_main(mode: str, spec_path: str, out_path: str) -> None:
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    result = asyncio.run(_load(spec) if mode == "loadgen" else _yardstick(spec))
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


def run_child(mode: str, spec: dict, tmp: str, watch=None) -> dict:
    spec_path, out_path = os.path.join(tmp, f"{mode}_spec.json"), os.path.join(tmp, f"{mode}_out.json")
    with open(spec_path, "w", encoding="utf-8") as fh:
        json.dump(spec, fh, ensure_ascii=False)
    proc = subprocess.Popen([sys.executable, __file__, f"--{mode}", spec_path, out_path], cwd=ROOT)
    while proc.poll() is None:
        if watch:
            watch()
        time.sleep(0.5)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} exited with {proc.returncode}")
    with open(out_path, encoding="utf-8") as fh:
        return json.load(fh)


# --- gunicorn -------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        out = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(stat.parent.name))
        return out


def vm_hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Gunicorn:
    def __init__(self, env: dict, extra_args: list[str], log_path: str):
        self.port = free_port()
        self.env = dict(env, GUNICORN_BIND=f"127.0.0.1:{self.port}")
        self.extra_args = extra_args
        self.log_path = log_path
        self.peaks: dict[int, float] = {}
        self.master_peak = 0.0

    def start(self) -> None:
        conf = ROOT / "deploy" / "gunicorn.conf.py"
        cmd = [str(Path(sys.executable).with_name("gunicorn")), "filing_portal.wsgi:application"]
        if conf.exists():
            cmd += ["-c", str(conf)]
        cmd += ["--bind", f"127.0.0.1:{self.port}", *self.extra_args]
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        import urllib.request

        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                probe = urllib.request.Request(f"http://127.0.0.1:{self.port}/healthz/",
                                               headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(probe, timeout=2):  # noqa: S310 - our own loopback server
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn did not answer /healthz/ in 60 s; see {self.log_path}")
        self.watch()

    def workers(self) -> list[int]:
        return proc_children(self.proc.pid)

    def watch(self) -> None:
        for pid in self.workers():
            hwm = vm_hwm_mib(pid)
            if hwm:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), hwm)
        self.master_peak = max(self.master_peak, vm_hwm_mib(self.proc.pid) or 0.0)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def describe(self) -> str:
        cmdline = Path(f"/proc/{self.proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        return cmdline.strip()


# --- main -----------------------------------------------------------------------------------------------------

def _statuses_note(statuses: dict) -> tuple[int, str]:
    bad = sum(n for code, n in statuses.items() if not str(code).startswith("2"))
    return bad, ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items(), key=lambda kv: str(kv[0])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, help="seconds of load per scenario (default 30; quick 3)")
    parser.add_argument("--clients", type=int, help="concurrent clients (default 32; quick 8)")
    parser.add_argument("--warmup", type=float, help="seconds of mixed load before measuring (default 5; quick 1)")
    parser.add_argument("--view-requests", type=int, help="lookups per scenario at the view (default 1000; quick 100)")
    parser.add_argument("--only", help="comma-separated scenarios: " + ", ".join(SCENARIOS))
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="extra gunicorn argument (repeatable)")
    parser.add_argument("--no-gunicorn", action="store_true", help="only the at-view measurements")
    parser.add_argument("--json", metavar="FILE", help="also write the rows (the bench/run contract) to FILE")
    parser.add_argument("--quick", action="store_true", help="a smaller smoke-test size")
    parser.add_argument("--loadgen", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--yardstick", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen or args.yardstick:
        child_main("loadgen" if args.loadgen else "yardstick", *(args.loadgen or args.yardstick))
        return
    duration = args.duration or (3.0 if args.quick else 30.0)
    clients = args.clients or (8 if args.quick else 32)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 5.0)
    view_n = args.view_requests or (100 if args.quick else 1000)
    scenarios = [s.strip() for s in (args.only or ",".join(SCENARIOS)).split(",") if s.strip()]
    assert set(scenarios) <= set(SCENARIOS), scenarios
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    restart_in_bench_env(__file__, database_url)
    env = dict(os.environ)
    import django

    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"settings {env['DJANGO_SETTINGS_MODULE']}, cache {env.get('REDIS_URL', 'locmem')}, database "
          f"{database_url}, personal-data key {env['BENCH_PERSONAL_DATA_KEY_ORIGIN']}; static files collected in {time.perf_counter() - t0:.1f} s", flush=True)

    rng = random.Random(2026)
    lookups = sample_lookups(rng, 4000 if not args.quick else 500)
    print(f"{lookups['certificates']:,} certificates; {len(lookups['verify'])} verification lookups, "
          f"{len(lookups['searches'])} directory searches", flush=True)
    xff_base = rng.randrange(1 << 28)
    kinds = {s: ("verify" if s.startswith("verify") else "directory") for s in scenarios}
    items = {"verify": lookups["verify"], "directory": lookups["searches"]}
    rows = []
    targets = {"verify": (20.0, "p95 <= 20 ms at the view"), "directory": (100.0, "p95 <= 100 ms at the view")}

    # 1. at the view
    view_queries: dict[str, int] = {}
    for s in scenarios:
        reqs = scenario_requests(s, lookups)
        res = at_view(s, reqs, view_n, xff_base + 20_000_000 + 1_000_000 * SCENARIOS.index(s))
        raw = raw_sequential(kinds[s], items[kinds[s]], view_n)
        lat, raw_lat = latency(res["ms"]), latency(raw)
        bad, st = _statuses_note(res["statuses"])
        counts = sorted(set(res["queries"]))
        limit, target = targets[kinds[s]]
        view_queries[s] = max(counts)
        print(f"at the view  {s:<15} median {lat['median_ms']:6.2f} ms  p95 {lat['p95_ms']:6.2f} ms  "
              f"p99 {lat['p99_ms']:6.2f} ms  queries {counts}  [{st}]; raw SQL p95 {raw_lat['p95_ms']:.2f} ms",
              flush=True)
        rows.append(row(
            f"{TITLES[s]} at the view (test Client, one at a time)", "latency", n=len(res["ms"]), **lat,
            queries=max(counts), yardstick=yardstick("raw SQL over psycopg, one connection", **raw_lat),
            target=target, ok=lat["p95_ms"] <= limit and bad == 0,
            notes=f"Django test Client in the bench process, production settings; queries per request {counts}; "
                  f"statuses {st}" + ("; 1 in 10 verifications with a wrong name" if kinds[s] == "verify" else "")))

    if args.no_gunicorn:
        write_json(args.json, "http", rows)
        return

    # 2. through gunicorn, the load generator in another process
    from django.db import connection

    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench_http_") as tmp:
        server = Gunicorn(env, args.gunicorn_arg, os.path.join(tmp, "gunicorn.log"))
        server.start()
        try:
            workers = server.workers()
            print(f"gunicorn: {server.describe()} on port {server.port}, {len(workers)} workers", flush=True)
            mixed = [r for s in scenarios for r in scenario_requests(s, lookups)[:200]]
            random.Random(1).shuffle(mixed)
            if warmup > 0:
                run_child("loadgen", {"base_url": f"http://127.0.0.1:{server.port}", "requests": mixed,
                                      "clients": clients, "duration": warmup, "xff_base": xff_base}, tmp, server.watch)
            for n, s in enumerate(scenarios):
                res = run_child("loadgen", {"base_url": f"http://127.0.0.1:{server.port}",
                                            "requests": scenario_requests(s, lookups), "clients": clients,
                                            "duration": duration, "xff_base": xff_base + 1_000_000 * (n + 1)},
                                tmp, server.watch)
                ys = run_child("yardstick", {"database_url": database_url, "kind": kinds[s],
                                             "items": items[kinds[s]], "clients": clients, "duration": duration}, tmp)
                lat, ys_lat = latency(res["ms"]), latency(ys["ms"])
                rps, ys_rps = len(res["ms"]) / res["elapsed"], len(ys["ms"]) / ys["elapsed"]
                bad, st = _statuses_note(res["statuses"])
                peak = max(server.peaks.values()) if server.peaks else None
                ok = bad == 0
                target = None
                if s == "verify_api":
                    target, ok = ">= 400 requests/s on 2 cores, no errors", ok and rps >= 400
                elif s == "verify_page":
                    target = "no errors (the 400 requests/s target is the API's)"
                else:
                    target = "no errors (p95 target judged at the view)"
                print(f"gunicorn     {s:<15} median {lat['median_ms']:6.1f} ms  p95 {lat['p95_ms']:6.1f} ms  "
                      f"p99 {lat['p99_ms']:6.1f} ms  {rps:7.1f} req/s  [{st}]  worker peak {peak or 0:.0f} MiB; "
                      f"raw SQL {ys_rps:,.0f} lookups/s p95 {ys_lat['p95_ms']:.1f} ms", flush=True)
                rows.append(row(
                    f"{TITLES[s]} (gunicorn, {clients} clients, {duration:g} s)", "throughput", n=len(res["ms"]),
                    **lat, rps=rps, seconds=res["elapsed"], peak_mib=round(peak, 1) if peak else None,
                    queries=view_queries.get(s),
                    yardstick=yardstick(f"raw SQL over psycopg, {clients} asyncio connections", **ys_lat,
                                        rps=round(ys_rps, 1), seconds=round(ys["elapsed"], 3)),
                    target=target, ok=ok,
                    notes=f"{server.describe()}; {len(workers)} workers; statuses {st}; queries per request: "
                          "as counted at the view"
                          + (f"; errors {res['errors']}" if res["errors"] else "")
                          + f"; aiohttp load generator in another process (keep-alive, {res['cpu_s']:.1f} CPU s) "
                            "and gunicorn share the same cores; peak_mib = the largest worker VmHWM, master "
                            f"{server.master_peak:.0f} MiB; lookups and yardstick SQL: bench/bench_http.py"))
        finally:
            server.stop()
    write_json(args.json, "http", rows)


if __name__ == "__main__":
    main()
