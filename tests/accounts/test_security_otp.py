"""The second factor (TOTP) for staff and administrators (GB/T 22239-2019 8.1.4.1 d), with
OTP_REQUIRED_FOR_STAFF on as in base/production settings (the suite's test settings turn it off)."""

import re
from base64 import b32decode

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from filing_portal.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("second_factor_on")
LOGIN = "/accounts/login/"
STAFF_PAGE = "/staff/calendar/"


@pytest.fixture
def second_factor_on():
    with override_settings(OTP_REQUIRED_FOR_STAFF=True):
        yield


def code(device: TOTPDevice) -> str:
    """What the user's authenticator app shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def password_login(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_first_login_sets_up_the_device_from_the_qr_code_or_the_secret(client, users):
    response = password_login(client, "city_hefei")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/setup/?next=")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "<img" not in html
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    device = TOTPDevice.objects.get(user=users["city_hefei"], confirmed=False)
    assert b32decode(secret.replace(" ", "")) == device.bin_key  # the manual secret is the device's key
    assert client.get(STAFF_PAGE).status_code == 302  # nothing opens before the code is confirmed
    assert client.get(response["Location"]).content.decode().count(secret) == 1  # the same secret on reload

    wrong = client.post(response["Location"], {"otp_token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(confirmed=True).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # the 1-second back-off
    done = client.post(response["Location"], {"otp_token": code(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(STAFF_PAGE).status_code == 200
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["auth.login", "auth.second_factor_failed", "auth.second_factor_setup"]


def test_every_login_with_a_device_needs_the_current_code(client, users):
    device = device_for(users["province_ah"])
    response = password_login(client, "province_ah", next_url=STAFF_PAGE)
    assert response["Location"] == STAFF_PAGE
    refused = client.get(STAFF_PAGE)
    assert refused.status_code == 302 and refused["Location"] == "/accounts/otp/verify/?next=%2Fstaff%2Fcalendar%2F"
    assert client.get("/").status_code == 302
    wrong = client.post("/accounts/otp/verify/", {"otp_token": "12345", "next": STAFF_PAGE})
    assert wrong.status_code == 400  # not six digits
    ok = client.post("/accounts/otp/verify/", {"otp_token": code(device), "next": STAFF_PAGE})
    assert ok.status_code == 302 and ok["Location"] == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_verified", actor=users["province_ah"]).count() == 1
    # The next login starts unverified again.
    client.post("/accounts/logout/")
    password_login(client, "province_ah")
    assert client.get(STAFF_PAGE).status_code == 302


def test_a_used_code_cannot_be_replayed(client, users):
    device = device_for(users["city_hefei"])
    used = code(device)
    password_login(client, "city_hefei")
    assert client.post("/accounts/otp/verify/", {"otp_token": used}).status_code == 302
    client.post("/accounts/logout/")
    password_login(client, "city_hefei")
    assert client.post("/accounts/otp/verify/", {"otp_token": used}).status_code == 400
    assert client.get(STAFF_PAGE).status_code == 302


def test_session_api_calls_of_unverified_staff_are_refused_with_the_rule(client, users):
    device = device_for(users["city_hefei"])
    password_login(client, "city_hefei")
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required" and "8.1.4.1 d" in response.json()["rule"]
    client.post("/accounts/otp/verify/", {"otp_token": code(device)})
    assert client.get("/api/v1/me/").json()["username"] == "city_hefei"


def test_the_admin_site_needs_the_code_too(client, users):
    device_for(users["admin"])
    password_login(client, "admin")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/verify/")


@pytest.mark.parametrize("username", ["inst_s", "expert1", "inspector1"])
def test_institution_users_experts_and_inspectors_log_in_with_the_password(client, users, username):
    password_login(client, username)
    assert client.get("/").status_code == 200


def test_force_login_sessions_of_staff_are_not_verified(client, users):
    client.force_login(users["city_wuhu"])
    assert client.get(STAFF_PAGE).status_code == 302


def test_the_token_endpoint_asks_staff_for_the_code(api_client, users):
    url = "/api/v1/auth/token/"
    response = api_client.post(url, {"username": "city_hefei", "password": PASSWORD}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "second_factor_setup_required"
    device = device_for(users["city_hefei"])
    response = api_client.post(url, {"username": "city_hefei", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "second_factor_required"
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = api_client.post(url, {"username": "city_hefei", "password": PASSWORD, "otp": code(device)},
                               format="json")
    assert response.status_code == 200 and response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["username"] == "city_hefei"
    assert AuditEvent.objects.filter(action="auth.token_issued", actor=users["city_hefei"]).count() == 1
    # An institution user needs no code.
    response = api_client.post(url, {"username": "inst_s", "password": PASSWORD}, format="json")
    assert response.status_code == 200
