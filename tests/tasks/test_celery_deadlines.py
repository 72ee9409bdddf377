"""The deadline sweep runs as a real Celery task through a real broker: Redis in CI,
kombu's filesystem transport for the embedded `make run` mode (DESIGN.md "Time")."""

import datetime as dt
import os

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from filing_portal.core.workflow import transition_run
from tests.workflow_app.models import Ticket


def _app(broker: str, backend: str, transport_options: dict | None = None) -> Celery:
    app = Celery("filing_portal_test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=broker, result_backend=backend, broker_transport_options=transport_options or {},
                    task_always_eager=False)
    import filing_portal.core.tasks  # noqa: F401  (registers the shared task on every app)
    return app


def _walk(app, users, inst_s, hefei):
    ticket = Ticket.objects.create(institution=inst_s, region=hefei, title="到期申请", due_on=dt.date(2026, 3, 6))
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        result = app.send_task("filing_portal.core.tasks.run_deadlines_task", kwargs={"as_of": "2026-03-09"})
        report = result.get(timeout=30)
    assert {"name": "workflow_app.ticket_expiry", "changed": 1, "error": ""} in report
    ticket.refresh_from_db()
    assert ticket.state == "terminated"


@pytest.mark.django_db(transaction=True)
def test_sweep_task_through_the_filesystem_broker__FIL_04(tmp_path, users, inst_s, hefei):
    queue = tmp_path / "queue"
    queue.mkdir()
    (tmp_path / "results").mkdir()
    app = _app("filesystem://", f"file://{tmp_path / 'results'}",
               {"data_folder_in": str(queue), "data_folder_out": str(queue), "store_processed": False,
                "control_folder": str(tmp_path / "control")})
    _walk(app, users, inst_s, hefei)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_sweep_task_through_redis__FIL_04(users, inst_s, hefei):
    url = os.environ["REDIS_URL"]
    _walk(_app(url, url), users, inst_s, hefei)


@pytest.mark.django_db(transaction=True)
def test_batch_pdf_job_through_the_filesystem_broker__CERT_04(tmp_path, users, inst_s, hefei, settings):
    import datetime as dt

    from certificates.services import HolderData, certificates_issue, filing_number_allocate, pdf_job_create
    from tests.certificates.helpers import resident_id

    settings.MEDIA_ROOT = str(tmp_path / "media")
    number = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    certs = certificates_issue(filing_number=number, institution_name=inst_s.name, issue_date=dt.date(2026, 11, 2),
                               holders=[HolderData(holder_name=f"考生{i}", id_type="201", id_number=resident_id(i),
                                                   level=3, occupation_code="4-12-01-01", occupation_name="汽车维修工")
                                        for i in range(60)])
    job = pdf_job_create(certificate_ids=[c.pk for c in certs], title="60", acting_user=users["city_hefei"])
    queue = tmp_path / "queue"
    queue.mkdir()
    (tmp_path / "results").mkdir()
    app = _app("filesystem://", f"file://{tmp_path / 'results'}",
               {"data_folder_in": str(queue), "data_folder_out": str(queue), "store_processed": False,
                "control_folder": str(tmp_path / "control")})
    import certificates.tasks  # noqa: F401

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        assert app.send_task("certificates.tasks.build_pdf_job", args=[str(job.pk)]).get(timeout=60) == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 60, 60) and job.file.size > 0
