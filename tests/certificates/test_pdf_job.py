"""Batch PDFs: one multi-page PDF built by a Celery job with visible progress (CERT-04)."""

import io

import pytest
from pypdf import PdfReader

from certificates.models import PdfJob
from certificates.services import pdf_job_build, pdf_job_create
from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError
from tests.conftest import PASSWORD


def test_print_the_search_as_one_pdf__CERT_04(client, users, issued, django_capture_on_commit_callbacks):
    client.login(username="city_hefei", password=PASSWORD)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/certificates/print/", {"q": "", "status": ""})
    job = PdfJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/pdf-jobs/{job.pk}/"
    assert len(callbacks) == 1  # the worker is asked only once the job is committed
    assert (job.total, job.status) == (2, "queued")  # Hefei staff: the two Hefei certificates only
    page = client.get(f"/certificates/pdf-jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "0 / 2" in page
    assert AuditEvent.objects.filter(action="certificates.pdf_requested").count() == 1

    assert pdf_job_build(job_id=str(job.pk)) == "done"
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 2)
    page = client.get(f"/certificates/pdf-jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    download = client.get(f"/certificates/pdf-jobs/{job.pk}/download/")
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(reader.pages) == 2
    text = "".join(p.extract_text() for p in reader.pages)
    assert issued["zhang"].number in text and issued["li"].number in text


def test_building_twice_changes_nothing(users, issued):
    job = pdf_job_create(certificate_ids=[issued["zhang"].pk], title="一张", acting_user=users["city_hefei"])
    pdf_job_build(job_id=str(job.pk))
    name = PdfJob.objects.get(pk=job.pk).file.name
    assert pdf_job_build(job_id=str(job.pk)) == "done"
    assert PdfJob.objects.get(pk=job.pk).file.name == name


def test_only_the_requester_sees_the_job(client, users, issued):
    job = pdf_job_create(certificate_ids=[issued["zhang"].pk], title="一张", acting_user=users["city_hefei"])
    client.login(username="province_ah", password=PASSWORD)
    assert client.get(f"/certificates/pdf-jobs/{job.pk}/").status_code == 404


def test_an_empty_job_is_refused(users):
    with pytest.raises(DomainError):
        pdf_job_create(certificate_ids=[], title="无", acting_user=users["city_hefei"])


def test_single_certificate_pdf_download__CERT_04(client, users, issued):
    client.login(username="city_hefei", password=PASSWORD)
    response = client.get(f"/certificates/{issued['li'].pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    assert "李四" in page.extract_text()
    api = client.get(f"/api/v1/certificates/{issued['li'].pk}/pdf/")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
