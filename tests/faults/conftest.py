"""Fixtures of the fault tests: private Redis and PostgreSQL servers, portal processes started against them.

Never the machine's own servers on 5432/6379 (the rest of the suite uses them): see servers.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .servers import PrivatePostgres, PrivateRedis, free_port, missing_binaries, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def pytest_collection_modifyitems(config, items):
    missing = missing_binaries()
    if not missing:
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("CI needs the server binaries for tests/faults: " + ", ".join(missing))
    skip = pytest.mark.skip(reason="fault tests start private servers; not installed: " + ", ".join(missing))
    for item in items:
        if item.get_closest_marker("faults"):
            item.add_marker(skip)


@pytest.fixture
def redis_server():
    server = PrivateRedis().start()
    yield server
    server.stop()


class Stack:
    """A private PostgreSQL database with the portal's tables, a private Redis, a shared media folder, and the
    environment portal processes (gunicorn, celery) get to use them."""

    def __init__(self, pg: PrivatePostgres, redis: PrivateRedis, media: Path):
        self.pg, self.redis, self.media = pg, redis, media
        self.processes: list[subprocess.Popen] = []
        self.env = {k: v for k, v in os.environ.items()
                    if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
                                 "REQUIRE_POSTGRES", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"}}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            # persistent connections, so the PostgreSQL restart tests the health checks too
            "DATABASE_URL": pg.url("faults", conn_max_age="60"),
            "REDIS_URL": redis.url,
            "FAULTS_MEDIA_ROOT": str(media),
            "FILING_PORTAL_DATA_DIR": str(media.parent / "data"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        })

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([PYTHON, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    def spawn(self, args: list[str], log: Path, **env: str) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=ROOT, env={**self.env, **env}, stdout=open(log, "wb"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def worker(self, name: str, *, page_delay: float = 0.0, visibility_timeout: int = 600) -> Worker:
        log = self.media.parent / f"worker-{name}.log"
        process = self.spawn([PYTHON, "-m", "tests.faults.worker", name], log,
                             FAULTS_PAGE_DELAY=str(page_delay), CELERY_VISIBILITY_TIMEOUT=str(visibility_timeout))
        return Worker(process, log)

    def gunicorn(self) -> tuple[subprocess.Popen, int]:
        port = free_port()
        log = self.media.parent / f"gunicorn-{port}.log"
        process = self.spawn([str(Path(PYTHON).parent / "gunicorn"), "filing_portal.wsgi:application",
                              "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                              "--timeout", "30", "--graceful-timeout", "2"], log)
        wait_for_port(port, timeout=60)
        return process, port

    def sql(self, query: str) -> str:
        return self.pg.psql(query, database="faults")

    def stop_processes(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)
        self.processes.clear()


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists() and b" ready." in self.log.read_bytes():
                return
            assert self.process.poll() is None, self.text()
            time.sleep(0.1)
        raise TimeoutError("the worker did not start:\n" + self.text())

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture(scope="session")
def stack():
    """Once per test process: a private cluster with the portal's tables and one institution's certificates."""
    pg, redis = PrivatePostgres().init(), PrivateRedis()
    work = Path(tempfile.mkdtemp(prefix="filing-faults-"))
    (work / "media").mkdir()
    try:
        pg.start()
        pg.psql("CREATE DATABASE faults")
        redis.start()
        stack = Stack(pg, redis, work / "media")
        stack.seed = json.loads(stack.run("-m", "tests.faults.seed").strip().splitlines()[-1])
        yield stack
    finally:
        redis.stop()
        pg.destroy()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def faults(stack):
    """The stack for one test; the processes the test started are killed after it."""
    yield stack
    stack.stop_processes()
