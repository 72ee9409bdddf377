"""Faults: Redis (cache and task queue) stopped under the portal (docs/FAULTS.md, CERT-04/CERT-05).

With Redis killed, public pages, certificate verification (rate-limited on the cache), login (django-axes,
database sessions), staff pages and the API all answer; a batch PDF asked for meanwhile is committed, the
request succeeds with a clear "starts once the queue is back", and the failed send is logged. When Redis
returns, the re-enqueue step sends the job again and a worker builds it, once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from celery import Celery
from celery._state import get_current_app
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from certificates.models import PdfJob
from certificates.services import HolderData, certificates_issue, filing_number_allocate, pdf_jobs_requeue
from tests.certificates.helpers import resident_id
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.faults]


@pytest.fixture
def celery_app(redis_server):
    """The portal's Celery configuration with broker and results on the private Redis (current app, so the
    tasks' `apply_async` goes there)."""
    previous = get_current_app()
    app = Celery("filing_portal_faults")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=redis_server.url, result_backend=redis_server.url, task_always_eager=False,
                    broker_transport_options={"visibility_timeout": 600, "socket_connect_timeout": 2,
                                              "socket_timeout": 10})
    import certificates.tasks  # noqa: F401  (registers the shared tasks on this app)

    yield app
    app.close()
    previous.set_current()


def issue(inst_s, count: int):
    number = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name=inst_s.name,
                                    institution_id=inst_s.pk).number
    return certificates_issue(
        filing_number=number, institution_name=inst_s.name, issue_date=dt.date(2026, 11, 2),
        holders=[HolderData(holder_name=f"考生{i}", id_type="201", id_number=resident_id(i), level=3,
                            occupation_code="4-12-01-01", occupation_name="汽车维修工") for i in range(count)])


@pytest.mark.django_db(transaction=True)
def test_redis_down_the_portal_answers_and_a_batch_pdf_waits_then_is_built_once__CERT_04(
        client, api_client, users, inst_s, redis_server, celery_app, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {"default": {"BACKEND": "filing_portal.core.cache.FailSoftRedisCache",
                                   "LOCATION": redis_server.url, "OPTIONS": {"RETRY_SECONDS": 0}}}
    certs = issue(inst_s, 5)
    cache.set("faults-probe", 1)
    assert cache.get("faults-probe") == 1  # the cache is on the private Redis

    redis_server.stop()
    caplog.set_level(logging.INFO)
    for path in ["/", "/verify/", "/directory/", "/notices/", "/announcements/", "/api/v1/public/institutions/"]:
        assert client.get(path).status_code < 400, path
    # verification counts requests on the cache (rate limit): without it the answer still comes (CERT-05)
    page = client.post("/verify/", {"mode": "number", "n-number": certs[0].number, "n-name": certs[0].holder_name})
    assert page.status_code == 200 and certs[0].number in page.content.decode()
    answer = api_client.post("/api/v1/public/certificates/verify/",
                             {"number": certs[1].number, "name": certs[1].holder_name}, format="json")
    assert answer.status_code == 200 and answer.json()["found"] is True
    token = api_client.post("/api/v1/auth/token/", {"username": "city_hefei", "password": PASSWORD}, format="json")
    assert token.status_code == 200 and token.json()["token"]

    login = client.post("/accounts/login/", {"username": "city_hefei", "password": PASSWORD})
    assert login.status_code == 302  # axes and the session live in the database
    for path in ["/certificates/", "/staff/applications/", "/notifications/", "/api/v1/me/",
                 "/api/v1/certificates/"]:
        assert client.get(path).status_code == 200, path
    assert "cache unavailable" in caplog.text

    response = client.post("/certificates/print/", {"q": "", "status": ""})
    job = PdfJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/pdf-jobs/{job.pk}/"
    assert (job.status, job.total) == ("queued", 5)  # committed, nothing lost
    page = client.get(response["Location"]).content.decode()
    assert "message-warning" in page and 'http-equiv="refresh"' in page  # "starts once the queue is back"
    assert f"PDF job {job.pk} not queued" in caplog.text

    redis_server.start()
    assert cache.get("faults-probe") is None  # an empty Redis: the cache is back, as a miss
    cache.set("faults-probe", 2)
    assert cache.get("faults-probe") == 2
    assert pdf_jobs_requeue(older_than_minutes=0) == 1
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 60
        while job.status != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
            job.refresh_from_db()
    assert (job.status, job.done) == ("done", 5)
    assert pdf_jobs_requeue(older_than_minutes=0) == 0  # a job done is not sent again
    assert [p.name for p in (tmp_path / "media").rglob("*.pdf")] == [f"{job.pk}.pdf"]
    download = client.get(f"/certificates/pdf-jobs/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
