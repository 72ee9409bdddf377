"""Content-Security-Policy, nosniff and Referrer-Policy on every kind of page (issue 9 item 5, OWASP ASVS 5.0 V3.4)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

STRICT = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
          "base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


def _directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


def _client_for(client, user):
    user.set_password(PASSWORD)
    user.save()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("who, url", [
    (None, "/directory/"),
    (None, "/supervision/complaints/new/"),
    (None, "/accounts/login/"),
    ("city_hefei", "/staff/applications/"),
    ("inst_s", "/my/applications/"),
    ("inst_s", "/my/institution/"),
])
def test_every_kind_of_page_carries_the_strict_policy_and_the_other_headers(client, users, who, url):
    if who:
        _client_for(client, users[who])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_errors_and_api_answers_carry_the_policy_too(client, users):
    assert client.get("/no-such-page/")["Content-Security-Policy"] == STRICT
    response = client.get("/api/v1/institutions/")
    assert response.status_code in (401, 403)
    assert response["Content-Security-Policy"] == STRICT


def test_the_api_docs_run_their_one_inline_script_by_a_fresh_nonce_and_nothing_else_inline(client, users):
    _client_for(client, users["city_hefei"])
    first, second = client.get("/api/docs/"), client.get("/api/docs/")
    assert first.status_code == 200
    policy = _directives(first["Content-Security-Policy"])
    (nonce,) = re.findall(r"'nonce-([^']+)'", " ".join(policy["script-src"]))
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "'unsafe-inline'" not in first["Content-Security-Policy"]
    html = first.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts == [f' nonce="{nonce}"']  # the start-up script only, with the header's nonce
    assert "<style" not in html and "style=" not in html  # moved to static/css/swagger-ui-page.css
    assert nonce not in second["Content-Security-Policy"]  # a nonce is used once


def test_no_template_has_inline_script_style_or_event_handler():
    """What the strict policy would block: every template in the project (json_script data blocks excepted)."""
    roots = [Path(settings.BASE_DIR) / d for d in
             ("templates", "institutions", "assessments", "certificates", "supervision", "renewals", "filing_portal")]
    offenders = []
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|"
                        r"javascript:", re.IGNORECASE)
    for root in roots:
        for path in root.rglob("*.html"):
            if path.parts[-2:] == ("drf_spectacular", "swagger_ui.html"):
                continue  # the nonce'd one, checked above
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if inline.search(line):
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    assert offenders == []


def test_an_oversize_api_request_gets_a_413_json_error_with_the_policy(client, db, settings):
    settings.MAX_UPLOAD_REQUEST_BYTES = 1024 * 1024
    response = client.post("/api/v1/auth/token/", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large" and "413" in response.json()["message"]
    assert response["Content-Security-Policy"] == STRICT


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/public/disclosures/?kind=%00", "/api/v1/public/institutions/?q=a%00b",
                                  "/directory/?q=%00"])
def test_a_nul_character_in_the_query_is_a_400_not_a_500(client, path):
    """PostgreSQL text cannot hold NUL (tests/fuzz found a 500 on the disclosures API)."""
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "invalid"
