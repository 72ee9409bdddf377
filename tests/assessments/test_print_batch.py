"""A batch's certificates: found by batch in the register and the API, printed as one PDF job from the
staff and institution batch pages (issue 3 §8, CERT-04, JUR-03)."""

import datetime as dt

import pytest
from django.core.cache import cache

from assessments.models import AssessmentBatch
from assessments.services import batch_issue_certificates, batch_report_results
from certificates.models import Certificate, PdfJob
from certificates.selectors import certificates_search
from certificates.services import HolderData, certificates_issue
from filing_portal.audit.models import AuditEvent
from tests.assessments.test_batches import scheduled  # noqa: F401
from tests.assessments.test_pages import published
from tests.certificates.helpers import resident_id
from tests.institutions.conftest import on


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(scheduled, people):  # noqa: F811
    """A batch with its certificates issued, and one certificate of the same filing outside any batch."""
    batch = published(scheduled, people)
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    certificates_issue(filing_number=batch.filing.number, institution_name=batch.institution.name,
                       issue_date=dt.date(2026, 5, 6), holders=[HolderData(
                           holder_name="批外人员", id_type="201", id_number=resident_id(901), level=3,
                           occupation_code="4-12-01-01", occupation_name="汽车维修工")])
    batch = AssessmentBatch.objects.get(pk=batch.pk)
    assert batch.state == "certificates_issued" and batch.certificates.exists()
    return batch


PRINT_URL = "/certificates/print/batch/{}/"


def test_search_by_batch_finds_only_that_batchs_certificates(issued, people):
    mine = set(issued.certificates.values_list("number", flat=True))
    assert Certificate.objects.exclude(number__in=mine).exists()  # the one outside the batch
    by_plan = certificates_search(people["city_hefei"], batch=issued.plan_number.lower())
    assert set(by_plan.values_list("number", flat=True)) == mine
    assert set(certificates_search(people["city_hefei"], batch_id=issued.pk).values_list("number", flat=True)) == mine
    assert not certificates_search(people["city_wuhu"], batch=issued.plan_number).exists()  # JUR-03


def test_register_page_filters_by_batch_plan_number(client, issued, people):
    client.force_login(people["city_hefei"])
    response = client.get("/certificates/", {"batch": issued.plan_number})
    assert response.status_code == 200
    shown = {row["cert"].number for row in response.context["rows"]}
    assert shown == set(issued.certificates.values_list("number", flat=True))
    assert "批外人员" not in response.content.decode()


def test_api_filters_by_batch_id_and_plan_number(api_client, issued, people, django_assert_max_num_queries):
    api_client.force_authenticate(people["city_hefei"])
    mine = set(issued.certificates.values_list("number", flat=True))
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/certificates/", {"batch": issued.pk})
    assert response.status_code == 200
    numbers = {c["number"] for c in response.json()["results"]} if "results" in response.json() else {
        c["number"] for c in response.json()}
    assert numbers == mine
    response = api_client.get("/api/v1/certificates/", {"batch_plan_number": issued.plan_number})
    body = response.json()
    assert {c["number"] for c in body.get("results", body)} == mine


@pytest.mark.parametrize(("who", "page"), [("city_hefei", "/staff/batches/{}/"), ("inst_user", "/my/batches/{}/")])
def test_batch_pages_offer_printing_the_batchs_certificates(client, issued, people, who, page):
    client.force_login(people[who])
    html = client.get(page.format(issued.pk)).content.decode()
    assert f'action="{PRINT_URL.format(issued.pk)}"' in html


def test_batch_page_offers_no_print_before_certificates(client, scheduled, people):  # noqa: F811
    client.force_login(people["city_hefei"])
    html = client.get(f"/staff/batches/{scheduled.pk}/").content.decode()
    assert PRINT_URL.format(scheduled.pk) not in html


@pytest.mark.parametrize("who", ["city_hefei", "inst_user"])
def test_printing_a_batch_queues_one_pdf_job_of_its_certificates__CERT_04(client, issued, people, who,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(people[who])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(PRINT_URL.format(issued.pk))
    job = PdfJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/pdf-jobs/{job.pk}/"
    expected = list(issued.certificates.order_by("number").values_list("pk", flat=True))
    assert job.certificate_ids == expected and job.total == len(expected)
    assert issued.plan_number in job.title and job.requested_by == people[who]
    assert len(callbacks) == 1  # the worker is started once the job commits
    assert AuditEvent.objects.filter(action="certificates.pdf_requested").count() == 1


def test_printing_another_jurisdictions_batch_is_404__JUR_03(client, issued, people):
    for user in (people["city_wuhu"], people["other_user"]):
        client.force_login(user)
        assert client.post(PRINT_URL.format(issued.pk)).status_code == 404
    assert not PdfJob.objects.exists()


def test_printing_is_post_only_and_for_logged_in_users(client, issued, people):
    assert client.post(PRINT_URL.format(issued.pk)).status_code == 302  # to the login page
    client.force_login(people["city_hefei"])
    assert client.get(PRINT_URL.format(issued.pk)).status_code == 405
    assert not PdfJob.objects.exists()
