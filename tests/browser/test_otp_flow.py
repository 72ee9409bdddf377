"""In a real browser: the second factor (TOTP, django-otp) of a staff user from enrolment to a later login
(GB/T 22239-2019 8.1.4.1 d; ASVS 5.0 V6.3.3), with OTP_REQUIRED_FOR_STAFF on as in base/production settings.

The test plays the authenticator app: it reads the secret the enrolment page shows (what a user types when the
QR code cannot be scanned) and computes the six digits with django_otp.oath.TOTP, the same RFC 6238 code a phone
shows. override_settings changes the settings object every thread reads, so the live server sees it too.
"""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import os
import re
from base64 import b32decode

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from filing_portal.audit.models import AuditEvent
from tests.browser.test_accessibility import _fresh_rate_limits, axe_check, axe_page  # noqa: F401
from tests.browser.test_smoke import page  # noqa: F401  (the same chromium launch, flags and fresh profile)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG_CODE = "验证码不正确或已被使用。请等待下一个验证码。"


@pytest.fixture
def second_factor_on():
    with override_settings(OTP_REQUIRED_FOR_STAFF=True):
        yield


def app_code(key: bytes, *, at_step: int | None = None) -> str:
    """What an authenticator app with this key shows now (or in the 30-second step `at_step`)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    if at_step is not None:
        totp.time = at_step * 30 + 1
    return f"{totp.token():06d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device has not accepted yet: a used step is never accepted twice (no replay), so after the
    enrolment code the next one comes from the following step (inside django-otp's tolerance of one step)."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits).t()
    return app_code(device.bin_key, at_step=max(now, device.last_t + 1))


def no_valid_code(key: bytes) -> str:
    """Six digits that match none of the steps the server would accept around now."""
    now = TOTP(key, step=30, t0=0, digits=6).t()
    valid = {app_code(key, at_step=now + offset) for offset in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid)


def password_login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_staff_enrols_a_totp_app_then_every_login_needs_a_fresh_code(axe_page, live_server, users,
                                                                    second_factor_on):
    """GB/T 22239-2019 8.1.4.1 d: enrolment on the first login, the code on every later one, wrong codes
    refused in Chinese, each step in the audit log; both pages pass axe (no serious or critical finding)."""
    page, base, staff = axe_page, live_server.url, users["city_hefei"]

    # First login: led to the enrolment page, which shows the QR code and the secret.
    password_login(page, base, "city_hefei")
    assert page.url == f"{base}/accounts/otp/setup/?next=%2F"
    assert page.locator("h1").inner_text() == "设置双因素认证"
    assert page.get_by_role("img", name="身份验证器应用二维码").is_visible()  # the inline SVG QR code
    secret = page.locator("#otp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret), secret
    key = b32decode(secret.replace(" ", ""))
    assert key == TOTPDevice.objects.get(user=staff, confirmed=False).bin_key
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "otp.png"), full_page=True)
    assert axe_check(page, base, "/accounts/otp/setup/") == []
    page.goto(f"{base}/staff/applications/")  # no staff page before the code is confirmed
    assert page.url.startswith(f"{base}/accounts/otp/setup/?next=")

    page.get_by_label("一次性验证码").fill(app_code(key))
    page.get_by_role("button", name="确认", exact=True).click()
    page.wait_for_url(f"{base}/staff/applications/")
    page.goto(f"{base}/")
    assert "欢迎您" in page.locator("h1").inner_text() and "市级经办人员" in page.content()
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{base}/accounts/login/")

    # Later login: the password is not enough; the staff pages wait for the current code.
    password_login(page, base, "city_hefei")
    assert page.url == f"{base}/accounts/otp/verify/?next=%2F"
    assert page.locator("h1").inner_text() == "输入一次性验证码"
    assert "二维码" not in page.content() and page.locator("#otp-secret").count() == 0  # no second enrolment
    page.goto(f"{base}/staff/applications/")
    assert page.url == f"{base}/accounts/otp/verify/?next=%2Fstaff%2Fapplications%2F"

    page.get_by_label("一次性验证码").fill(no_valid_code(key))
    page.get_by_role("button", name="确认验证码").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text() == WRONG_CODE
    assert axe_check(page, base, "/accounts/otp/verify/ (wrong code)") == []
    assert page.url.startswith(f"{base}/accounts/otp/verify/")
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/accounts/otp/verify/")  # still nothing opens

    # django-otp makes the next try wait 1 s after a failure; a user simply types again, the test skips it.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    page.get_by_label("一次性验证码").fill(fresh_code(device))
    page.get_by_role("button", name="确认验证码").click()
    page.wait_for_url(f"{base}/")
    assert "市级经办人员" in page.content()
    page.goto(f"{base}/staff/applications/")
    assert page.url == f"{base}/staff/applications/"

    actions = list(AuditEvent.objects.filter(actor=staff).order_by("pk").values_list("action", flat=True))
    assert actions == ["auth.login", "auth.second_factor_setup", "auth.logout", "auth.login",
                       "auth.second_factor_failed", "auth.second_factor_verified"]
    failed = AuditEvent.objects.get(actor=staff, action="auth.second_factor_failed")
    assert failed.data == {"stage": "login"}
