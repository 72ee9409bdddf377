"""PII guard: no full resident ID number in a test-client response, request URL or log record.

DESIGN.md "Personal data": ID numbers are shown masked everywhere but to the roles that need
the full number, public lookups never take them in a URL, and logs never contain them.
For every test this plugin watches

- each request made through Django's test `Client` (DRF's `APIClient` goes through it too):
  the request path and query string, the response's `Location` header, and the body of
  text/*, JSON and CSV responses (binary xlsx/pdf and streaming responses are not read);
- every log record that reaches the root logger while the test runs, as raw records, before
  any handler's redacting filter (a handler without the filter would write the number).

A hit is an 18-character GB 11643 number (`\\d{17}[\\dXx]`, not inside a longer digit run)
whose check character and birth date are valid. The test fails listing where the number was
seen (masked). A test in which a role that may see full numbers reveals one is marked
`@pytest.mark.pii_allowed(reason="...")`.
"""

from __future__ import annotations

import logging
import re

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", re.ASCII)
_TEXT_TYPES = ("text/", "json", "csv", "javascript")  # not "xml": xlsx is vnd.openxmlformats-…


def _is_full_id_number(candidate: str) -> bool:
    number = candidate.upper()
    if number[-1] != ric.calc_check_digit(number):
        return False
    try:
        born = ric.get_birth_date(number)
    except (StdnumError, ValueError):
        return False
    return 1900 <= born.year <= 2100


def find_full_id_numbers(text) -> list[str]:
    """The valid full resident ID numbers in `text` (str or bytes), in order of appearance."""
    if not text:
        return []
    if isinstance(text, bytes | bytearray | memoryview):
        text = bytes(text).decode("utf-8", errors="replace")
    return [m.group(0) for m in _CANDIDATE.finditer(str(text)) if _is_full_id_number(m.group(0))]


def _masked(number: str) -> str:
    return number[:3] + "*" * 11 + number[-4:]


class _Guard:
    """The findings of the running test; `None` between tests."""

    def __init__(self) -> None:
        self.findings: list[str] = []

    def note(self, where: str, text) -> None:
        for number in find_full_id_numbers(text):
            self.findings.append(f"{where}: {_masked(number)}")

    def check_request(self, request: dict) -> None:
        path = request.get("PATH_INFO", "")
        query = request.get("QUERY_STRING", "")
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        from urllib.parse import unquote

        self.note(f"request URL {request.get('REQUEST_METHOD', '')}", unquote(f"{path}?{query}"))

    def check_response(self, response, label: str = "") -> None:
        where = f"response to {label}" if label else "response"
        location = response.get("Location") if hasattr(response, "get") else None
        if location:
            from urllib.parse import unquote

            self.note(f"{where} Location header", unquote(location))
        content_type = (response.get("Content-Type", "") if hasattr(response, "get") else "").lower()
        if content_type and not any(kind in content_type for kind in _TEXT_TYPES):
            return  # xlsx, pdf, images
        if getattr(response, "streaming", False):
            # Reading it here would consume the stream the test is about to read: scan it as it is read.
            if not getattr(response, "is_async", False):
                response.streaming_content = self._scanned(f"{where} body", response.streaming_content)
            return
        self.note(f"{where} body", getattr(response, "content", b""))

    def _scanned(self, where: str, chunks):
        tail = b""  # a number split across two chunks is still seen
        for chunk in chunks:
            data = chunk if isinstance(chunk, bytes) else str(chunk).encode()
            window = tail + data
            # only numbers that end in this chunk, so one in the carried tail is not counted twice
            seen = len(tail.decode("utf-8", errors="replace"))
            for match in _CANDIDATE.finditer(window.decode("utf-8", errors="replace")):
                if match.end() > seen and _is_full_id_number(match.group(0)):
                    self.findings.append(f"{where}: {_masked(match.group(0))}")
            tail = window[-18:]
            yield chunk


_current: _Guard | None = None


class _LogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        guard = _current
        if guard is None:
            return
        try:
            message = record.getMessage()
        except Exception:  # a broken format string; logging reports it elsewhere
            message = f"{record.msg!r} {record.args!r}"
        guard.note(f"log record {record.name}", message)
        if record.exc_info and not record.exc_text:
            guard.note(f"log record {record.name} traceback",
                       logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            guard.note(f"log record {record.name} traceback", record.exc_text)


_handler = _LogHandler(level=logging.NOTSET)


def _install_client_hook() -> None:
    from django.test.client import Client

    if getattr(Client.request, "_pii_guarded", False):
        return
    original = Client.request

    def request(self, **kwargs):
        guard = _current
        if guard is not None:
            guard.check_request({**self.defaults, **kwargs})
        response = original(self, **kwargs)
        if guard is not None:
            label = f"{kwargs.get('REQUEST_METHOD', '')} {kwargs.get('PATH_INFO', '')}".strip()
            guard.check_response(response, label)
        return response

    request._pii_guarded = True
    Client.request = request


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    global _current
    if item.get_closest_marker("pii_allowed"):
        return (yield)
    _install_client_hook()
    guard = _Guard()
    root = logging.getLogger()
    root.addHandler(_handler)
    _current = guard
    try:
        result = yield
    finally:
        _current = None
        root.removeHandler(_handler)
    if guard.findings:
        shown = "\n  ".join(dict.fromkeys(guard.findings))
        pytest.fail(
            "DESIGN.md \"Personal data\": a full resident ID number was exposed (mark the test "
            f"pii_allowed if a role that may see it revealed it):\n  {shown}",
            pytrace=False,
        )
    return result
