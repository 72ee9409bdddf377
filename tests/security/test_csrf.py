"""Every form that changes something refuses a POST without the CSRF token (issue 9 item 5; OWASP ASVS 5.0
V3.5.1): a browser with Django's checks on (`enforce_csrf_checks=True`) posts once without the token —
403, nothing changes — and once with the token its page handed out, which goes through."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from institutions.models import FilingApplication, Objection
from institutions.services import applications as svc
from supervision.models import Complaint
from tests.assessments.conftest import filing  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401
from tests.institutions.test_workflow import walk_to_notice


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def strict_browser(user=None) -> Client:
    browser = Client(enforce_csrf_checks=True)
    if user is not None:
        browser.force_login(user)
    return browser


def page_token(browser: Client, url: str) -> str:
    assert browser.get(url).status_code == 200
    return browser.cookies[settings.CSRF_COOKIE_NAME].value


def test_login_without_the_token_is_refused(people):
    browser = strict_browser()
    url = reverse("login")
    data = {"username": people["inst_user"].username, "password": PASSWORD}
    response = browser.post(url, data)
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session
    response = browser.post(url, {**data, "csrfmiddlewaretoken": page_token(browser, url)})
    assert response.status_code == 302 and "_auth_user_id" in browser.session


def test_the_public_complaint_form_without_the_token_is_refused(filing, people):
    browser = strict_browser()
    url = reverse("supervision:complaint_new")
    data = {"institution": people["inst"].pk, "facts": "考场无监控录像", "anonymous": "on"}
    with on("2026-03-16"):
        assert browser.post(url, data).status_code == 403
        assert not Complaint.objects.exists()
        response = browser.post(url, {**data, "csrfmiddlewaretoken": page_token(browser, url)})
    assert response.status_code == 302 and Complaint.objects.count() == 1


def test_the_public_objection_form_without_the_token_is_refused(draft, people):
    application = walk_to_notice(draft, people)
    browser = strict_browser()
    url = f"/notices/{application.pk}/"
    data = {"name": "王群众", "contact": "13912345678", "content": "该机构实操场地为临时租用"}
    with on("2026-03-04"):
        assert browser.post(url, data).status_code == 403
        assert not Objection.objects.exists()
        response = browser.post(url, {**data, "csrfmiddlewaretoken": page_token(browser, url)})
    assert response.status_code == 302 and Objection.objects.filter(application=application).count() == 1


def test_a_staff_action_without_the_token_is_refused(draft, people):
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    browser = strict_browser(people["city_hefei"])
    url = reverse("institutions:staff_application_action", args=[draft.pk, "accept"])
    with on("2026-02-13"):
        assert browser.post(url).status_code == 403
        assert FilingApplication.objects.get(pk=draft.pk).state == "submitted"
        token = page_token(browser, reverse("institutions:staff_application", args=[draft.pk]))
        response = browser.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert FilingApplication.objects.get(pk=draft.pk).state == "initial_review"


def test_an_api_transition_by_a_session_without_the_token_is_refused(draft, people):
    """Session-authenticated API calls are CSRF-checked by DRF too; token-authenticated ones need no cookie."""
    with on("2026-02-12"):
        svc.application_submit(application=draft, acting_user=people["inst_user"])
    browser = strict_browser(people["city_hefei"])
    with on("2026-02-13"):
        response = browser.post(f"/api/v1/filing-applications/{draft.pk}/transitions/accept/", {},
                                content_type="application/json")
    assert response.status_code == 403
    assert FilingApplication.objects.get(pk=draft.pk).state == "submitted"


def test_every_post_form_in_every_template_carries_the_token():
    """The pages above stand for the rest: no template has a POST form without {% csrf_token %}."""
    form = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
    missing = []
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        for body in form.findall(path.read_text()):
            if "{% csrf_token %}" not in body:
                missing.append(str(path.relative_to(settings.BASE_DIR)))
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for body in form.findall(path.read_text()):
            if "{% csrf_token %}" not in body:
                missing.append(str(path.relative_to(settings.BASE_DIR)))
    assert missing == []
