"""Faults: a Celery worker killed with SIGKILL in the middle of a batch PDF (docs/FAULTS.md, CERT-04).

A real worker (prefork, one child) on a private Redis and a private PostgreSQL; each certificate page is
slowed down (tests/faults/worker.py) so the kill lands half-way through the batch. Either way the job
reruns, ends "done", and exactly one PDF file exists for it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg
import pytest
from celery import Celery

pytestmark = [pytest.mark.faults]


def send(stack, job_id: str) -> str:
    """What pdf_job_create does after its commit, from a process of its own; returns the task id."""
    app = Celery("faults-client", broker=stack.redis.url, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"])
    task_id = app.send_task("certificates.tasks.build_pdf_job", args=[job_id], ignore_result=True).id
    app.close()
    return task_id


def job_row(stack, job_id: str) -> dict:
    with psycopg.connect(stack.pg.url("faults"), autocommit=True) as conn:
        status, done, total, file = conn.execute(
            "SELECT status, done, total, file FROM certificates_pdfjob WHERE id = %s", [job_id]).fetchone()
    return {"status": status, "done": done, "total": total, "file": file}


def wait_for(stack, job_id: str, status: str, worker, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = job_row(stack, job_id)
        if row["status"] == status:
            return row
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not {status} after {timeout} s: {row}\n{worker.text()}")


def pdf_files(stack, job_id: str) -> list[Path]:
    return sorted((stack.media / "certificates" / "pdf-jobs").rglob(f"{job_id}*.pdf"))


def test_pool_child_killed_mid_batch_the_job_reruns_and_one_pdf_appears__CERT_04(faults):
    job_id = faults.seed["job_ids"][0]
    worker = faults.worker("child-kill", page_delay=0.1)
    worker.wait_ready()
    task_id = send(faults, job_id)
    wait_for(faults, job_id, "running", worker)
    time.sleep(0.5)  # a few pages in
    assert job_row(faults, job_id)["status"] == "running" and pdf_files(faults, job_id) == []
    (child,) = worker.children()
    os.kill(child, signal.SIGKILL)

    row = wait_for(faults, job_id, "done", worker)
    assert worker.process.poll() is None  # the main process stayed up, requeued the task, a new child built it
    assert "WorkerLostError" in worker.text()
    assert worker.text().count(f"build_pdf_job[{task_id}] received") == 2  # requeued, delivered again
    assert row["done"] == row["total"] == len(faults.seed["certificate_ids"])
    (pdf,) = pdf_files(faults, job_id)
    assert row["file"] == str(pdf.relative_to(faults.media)) and pdf.read_bytes().startswith(b"%PDF")


def test_whole_worker_killed_mid_batch_a_new_worker_takes_the_job_over__CERT_04(faults):
    job_id = faults.seed["job_ids"][1]
    # visibility_timeout 2 s: how long an unacknowledged message waits before another worker may take it
    # (production: CELERY_VISIBILITY_TIMEOUT, 10 minutes)
    first = faults.worker("killed", page_delay=0.1, visibility_timeout=2)
    first.wait_ready()
    task_id = send(faults, job_id)
    wait_for(faults, job_id, "running", first)
    os.killpg(first.process.pid, signal.SIGKILL)  # the main process and its child, as a crash or OOM kill
    first.process.wait(timeout=10)
    assert job_row(faults, job_id)["status"] == "running" and pdf_files(faults, job_id) == []

    second = faults.worker("successor", visibility_timeout=2)
    row = wait_for(faults, job_id, "done", second)
    received = f"build_pdf_job[{task_id}] received"
    assert received in first.text() and received in second.text()  # the same message, given back by Redis
    assert row["done"] == row["total"]
    (pdf,) = pdf_files(faults, job_id)
    assert row["file"] == str(pdf.relative_to(faults.media))
