"""The strict policy in a real browser (Debian's chromium): pages that run our own scripts and the Swagger UI
at /api/docs/ work and the browser reports no CSP violation (issue 9 item 5)."""

import pytest

from tests.browser.test_smoke import page  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):  # noqa: F811
    """Every console message and `securitypolicyviolation` event, collected for the test to read."""
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI));")
    return messages


def test_the_api_docs_render_under_the_policy(page, live_server, users):  # noqa: F811
    messages = _watch(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)  # rendered from /api/schema/
    assert "Filing portal API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10  # the operations are listed
    assert [m for m in messages if "CSP-VIOLATION" in m or "Content Security Policy" in m] == []


@pytest.mark.parametrize("url", ["/directory/", "/accounts/login/", "/supervision/complaints/new/"])
def test_public_pages_raise_no_violation(page, live_server, users, url):  # noqa: F811
    messages = _watch(page)
    page.goto(f"{live_server.url}{url}")
    page.wait_for_load_state("networkidle")
    assert [m for m in messages if "CSP-VIOLATION" in m or "Content Security Policy" in m] == []
