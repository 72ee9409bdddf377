"""tests/pii_guard.py: a full ID number in a response, URL or log line fails the test; a masked one passes."""

import logging
import os
import subprocess
import sys

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from filing_portal.personal_data import mask_id_number
from tests import pii_guard
from tests.personal_data.helpers import VALID_RIC, with_check_digit, with_wrong_check_digit

MASKED = mask_id_number(VALID_RIC)


def test_scanner_finds_a_valid_number_and_ignores_masked_or_invalid_ones():
    lower_x = with_check_digit("11010519491231002")  # a real-shaped number ending in X
    assert lower_x.endswith("X")
    text = f"证件号码 {VALID_RIC}, {lower_x.lower()}; {MASKED}; {with_wrong_check_digit('34010219900101123')}"
    assert pii_guard.find_full_id_numbers(text) == [VALID_RIC, lower_x.lower()]
    assert pii_guard.find_full_id_numbers(text.encode()) == [VALID_RIC, lower_x.lower()]
    # inside a longer digit run (a 19-digit serial) it is not an ID number
    assert pii_guard.find_full_id_numbers("9" + VALID_RIC) == []
    assert pii_guard.find_full_id_numbers(MASKED) == []


def test_guard_records_a_leaking_json_response_and_not_a_masked_one():
    guard = pii_guard._Guard()
    guard.check_response(JsonResponse({"id_number": MASKED}))
    assert guard.findings == []
    guard.check_response(JsonResponse({"id_number": VALID_RIC}), "GET /api/v1/certificates/")
    assert guard.findings == [f"response to GET /api/v1/certificates/ body: {MASKED}"]


def test_guard_checks_csv_and_html_but_skips_binary_and_streaming_bodies():
    guard = pii_guard._Guard()
    guard.check_response(HttpResponse(f"name,id\n张三,{VALID_RIC}\n", content_type="text/csv"))
    guard.check_response(HttpResponse(f"<td>{VALID_RIC}</td>"))
    assert len(guard.findings) == 2
    guard.check_response(HttpResponse(VALID_RIC.encode(), content_type="application/pdf"))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    guard.check_response(HttpResponse(VALID_RIC.encode(), content_type=xlsx))
    assert len(guard.findings) == 2


def test_guard_scans_a_streaming_csv_as_the_test_reads_it():
    guard = pii_guard._Guard()
    response = StreamingHttpResponse(iter(["name,id\n", f"张三,{VALID_RIC[:9]}", f"{VALID_RIC[9:]}\n", MASKED]),
                                     content_type="text/csv")
    guard.check_response(response)
    assert guard.findings == []  # not read yet: the test still gets the whole stream
    body = b"".join(response.streaming_content).decode()
    assert body == f"name,id\n张三,{VALID_RIC}\n{MASKED}"
    assert guard.findings == [f"response body: {MASKED}"]


def test_guard_checks_request_urls_and_redirect_locations():
    guard = pii_guard._Guard()
    url = {"REQUEST_METHOD": "GET", "PATH_INFO": "/public/verify/"}
    guard.check_request({**url, "QUERY_STRING": "q=" + MASKED})
    assert guard.findings == []
    guard.check_request({**url, "QUERY_STRING": "q=" + VALID_RIC})
    response = HttpResponse(status=302)
    response["Location"] = f"/certificates/?id_number={VALID_RIC}"
    guard.check_response(response)
    assert [f.split(":")[0] for f in guard.findings] == ["request URL GET", "response Location header"]


def test_the_client_hook_sees_real_requests(client, db):
    """Through the real test client: the URL with a full number is recorded while a test runs."""
    guard = pii_guard._Guard()
    previous, pii_guard._current = pii_guard._current, guard
    try:
        client.get("/", {"q": VALID_RIC})
        client.get("/", {"q": MASKED})
    finally:
        pii_guard._current = previous
    assert [f for f in guard.findings if f.startswith("request URL")] == [f"request URL GET: {MASKED}"]


def test_log_records_are_checked_raw():
    guard = pii_guard._Guard()
    logger = logging.getLogger("filing_portal.test_pii_guard")
    previous, pii_guard._current = pii_guard._current, guard
    try:
        pii_guard._handler.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 1,
                                                    "holder %s", (MASKED,), None))
        assert guard.findings == []
        pii_guard._handler.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 1,
                                                    "holder %s", (VALID_RIC,), None))
    finally:
        pii_guard._current = previous
    assert guard.findings == [f"log record {logger.name}: {MASKED}"]


LEAKING_TEST = f'''
import logging
import pytest

def test_leaks_in_a_log_line():
    logging.getLogger("x").warning("holder %s", "{VALID_RIC}")

def test_masked_is_fine():
    logging.getLogger("x").warning("holder %s", "{MASKED}")

@pytest.mark.pii_allowed(reason="a reveal")
def test_allowed_reveal():
    logging.getLogger("x").warning("holder %s", "{VALID_RIC}")
'''


def test_a_leaking_test_fails_and_the_others_pass(tmp_path):
    """A real pytest run with the plugin: the leaking test fails, naming the masked number only."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    pii_allowed(reason): x\n")
    (tmp_path / "test_leak.py").write_text(LEAKING_TEST)
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own files
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.pii_guard", "-p", "no:django", "-p", "no:xdist",
         "-p", "no:cacheprovider", "test_leak.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "1 failed, 2 passed" in out
    assert "FAILED test_leak.py::test_leaks_in_a_log_line" in out
    # the failure message names the number masked (pytest's own "Captured log" section still shows the record)
    assert f"log record x: {MASKED}" in out


def test_the_client_hook_covers_drf_api_client(api_client, db):
    guard = pii_guard._Guard()
    previous, pii_guard._current = pii_guard._current, guard
    try:
        api_client.get("/api/v1/public/", {"id_number": VALID_RIC})
    finally:
        pii_guard._current = previous
    assert [f for f in guard.findings if f.startswith("request URL")] == [f"request URL GET: {MASKED}"]
