"""In a real browser (Debian's chromium driven by Playwright): log in, see the role's home, verify a certificate."""

import contextlib
import os
import shutil
import tempfile

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def chromium_page(**context_options):
    """A page of Debian's chromium, headless with the flags the closed network needs and a fresh profile."""
    playwright = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    with playwright.sync_playwright() as p:
        # A fresh profile directory per run: launch_persistent_context is Playwright's way to pass it.
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=FLAGS, headless=True, locale="zh-CN",
            viewport={"width": 1280, "height": 900}, **context_options,
        )
        yield context.pages[0] if context.pages else context.new_page()
        context.close()
        # While that loop runs, asgiref gives Django a second set of connections (its "async" storage of the
        # thread); what the test did inside this block went through them. Close them here, or one stays open
        # to the end of the run and the test database cannot be dropped ("accessed by other users").
        connections.close_all()
    shutil.rmtree(profile, ignore_errors=True)
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(live_server):
    with chromium_page() as opened:
        yield opened


def test_staff_logs_in_and_sees_the_calendar_link(page, live_server, users):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"
    page.get_by_label("用户名").fill("city_hefei")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_label("用户名").input_value() == "city_hefei"  # what the user typed is kept
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "市级经办人员" in page.content() and "合肥市" in page.content()
    page.get_by_role("link", name="工作日日历").first.click()
    assert page.locator("table").count() >= 1
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "calendar.png"), full_page=True)


def test_public_verifies_a_certificate(page, live_server, issued):
    page.goto(f"{live_server.url}/verify/")
    number_form = page.locator("form").filter(has=page.locator("input[name='n-number']"))
    number_form.get_by_label("证书编号").fill(issued["zhang"].number)
    number_form.get_by_label("姓名").fill("张三")
    number_form.get_by_role("button").click()
    page.wait_for_load_state()
    text = page.locator(".results").inner_text()
    assert issued["zhang"].number in text and "汽车维修工" in text and "有效" in text
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "verify.png"), full_page=True)
