"""Faults: PostgreSQL stopped, started and restarted under a running portal (docs/FAULTS.md).

gunicorn and a Celery worker run on a private cluster with persistent connections (conn_max_age=60).
While the database is down every page answers at once with a clear 503 and Retry-After (never a 500,
never a hang); once it is back the same processes answer 200 again, without being restarted, and the
worker builds a batch PDF on its reconnected session.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from .test_worker_killed import send, wait_for

pytestmark = [pytest.mark.faults]

PAGES = ["/healthz/", "/directory/", "/api/v1/public/institutions/"]


def get(port: int, path: str) -> tuple[int, str, dict]:
    """One GET with a hard 15 s limit: a hang fails the test."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": "zh-hans"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def test_portal_answers_503_while_postgres_is_down_and_recovers_without_a_restart(faults):
    web, port = faults.gunicorn()
    worker = faults.worker("pg-restart")
    for path in PAGES:  # twice: each of the threads opens its persistent connection
        for _ in range(2):
            assert get(port, path)[0] == 200, path
    worker.wait_ready()
    before, after = faults.seed["job_ids"][2:4]
    send(faults, before)
    wait_for(faults, before, "done", worker)  # the worker holds a database session now

    faults.pg.stop()
    for path in PAGES:
        status, body, headers = get(port, path)
        assert status == 503, (path, status, body[:500])
        assert headers.get("Retry-After")
    status, body, _ = get(port, "/api/v1/public/institutions/")
    assert json.loads(body)["code"] == "unavailable"

    faults.pg.start()
    for path in PAGES:
        assert get(port, path)[0] == 200, path

    faults.pg.restart()  # pg_ctl restart -m fast: every open connection is cut
    answers = [get(port, path)[0] for path in PAGES * 3]
    assert set(answers) <= {200, 503} and answers[-len(PAGES):] == [200] * len(PAGES), answers
    assert web.poll() is None  # the same gunicorn, never restarted

    send(faults, after)  # the same worker: its session was cut, the next task connects again
    assert wait_for(faults, after, "done", worker)["done"] == len(faults.seed["certificate_ids"])
    assert worker.process.poll() is None
