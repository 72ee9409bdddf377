"""Lockout after 5 failed logins per account and per address, 30 minutes, on the page and the API
(GB/T 22239-2019 8.1.4.1 b, ASVS 5.0 V6.3.1), and the audit of every login, failure, lockout and logout."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import override_settings

from filing_portal.audit.models import AuditEvent
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def fail(client, username, ip="127.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": "wrong-Pass-1"}, REMOTE_ADDR=ip, **extra)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_settings_are_explicit():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "filing_portal.accounts.backends.LockoutBackend"


def test_fifth_failure_locks_the_account_with_a_429_page_even_for_the_right_password(client, users):
    for n in range(4):
        assert fail(client, "city_hefei", ip=f"10.0.0.{n}").status_code == 200  # a new address each time
    response = fail(client, "city_hefei", ip="10.0.0.9")
    assert response.status_code == 429
    assert "30" in response.content.decode() and response["Retry-After"] == "1800"
    # The account is locked wherever the next attempt comes from, the right password included.
    response = client.post(LOGIN, {"username": "city_hefei", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # Another account from a fresh address is not affected.
    response = client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR="10.9.9.8")
    assert response.status_code == 302


def test_fifth_failure_from_one_address_locks_that_address_for_every_account(client, users):
    for name in ["nobody1", "nobody2", "nobody3", "nobody4"]:
        assert fail(client, name, ip="198.51.100.7").status_code == 200
    assert fail(client, "nobody5", ip="198.51.100.7").status_code == 429
    response = client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    response = client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 302


def test_the_lock_ends_after_30_minutes(client, users):
    for n in range(5):
        fail(client, "inst_s", ip=f"10.1.0.{n}")
    assert client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=29))
    assert client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    assert client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}).status_code == 302


def test_attempts_while_locked_do_not_extend_the_lock(client, users):
    for n in range(5):
        fail(client, "inst_s", ip=f"10.2.0.{n}")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=20))
    assert fail(client, "inst_s", ip="10.2.1.1").status_code == 429  # refused, not counted
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=11))
    assert client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR="10.2.1.2").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_forwarded_client_address_is_locked_not_the_proxy(client, users):
    proxy = "172.16.0.2"
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        # What the client sent first ("1.2.3.4") is ignored: only the entry our proxy appended counts.
        fail(client, name, ip=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{len(name)}, 203.0.113.5")
    locked = client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    other = client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR=proxy,
                        HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302


def test_token_endpoint_counts_failures_and_refuses_when_locked(api_client, users):
    for n in range(4):
        response = api_client.post(TOKEN, {"username": "inst_s", "password": "nope"}, format="json",
                                   REMOTE_ADDR=f"10.3.0.{n}")
        assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    response = api_client.post(TOKEN, {"username": "inst_s", "password": "nope"}, format="json",
                               REMOTE_ADDR="10.3.0.9")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and "V6.3.1" in body["rule"] and body["retry_after_minutes"] == 30
    response = api_client.post(TOKEN, {"username": "inst_s", "password": PASSWORD}, format="json",
                               REMOTE_ADDR="10.3.1.1")
    assert response.status_code == 429 and "token" not in response.json()


def test_failures_on_the_page_and_the_api_add_up(client, api_client, users):
    for n in range(3):
        fail(client, "inst_s", ip=f"10.4.0.{n}")
    api_client.post(TOKEN, {"username": "inst_s", "password": "nope"}, format="json", REMOTE_ADDR="10.4.1.1")
    response = api_client.post(TOKEN, {"username": "inst_s", "password": "nope"}, format="json",
                               REMOTE_ADDR="10.4.1.2")
    assert response.status_code == 429
    assert fail(client, "inst_s", ip="10.4.2.2").status_code == 429


# --- the audit of logins (REC-01) ------------------------------------------------------------------------------

def test_login_and_logout_are_audited_with_the_address(client, users):
    client.post(LOGIN, {"username": "inst_s", "password": PASSWORD}, REMOTE_ADDR="10.5.0.1")
    client.post("/accounts/logout/", REMOTE_ADDR="10.5.0.1")
    login, = events("auth.login")
    logout, = events("auth.logout")
    assert (login.actor, login.ip, login.actor_role) == (users["inst_s"], "10.5.0.1", "institution")
    assert (logout.actor, logout.data["reason"]) == (users["inst_s"], "user")


def test_a_failed_login_records_the_typed_name_truncated_and_never_the_password(client, users, caplog):
    secret = "Sup3r-Secret-Guess!"
    typed = "x" * 300
    client.post(LOGIN, {"username": "city_hefei", "password": secret}, REMOTE_ADDR="10.6.0.1")
    assert client.post(LOGIN, {"username": typed, "password": secret}, REMOTE_ADDR="10.6.0.1").status_code == 200
    first, second = events("auth.login_failed")
    assert first.actor is None and first.actor_role == "public" and first.ip == "10.6.0.1"
    assert first.data["username"] == "city_hefei"
    assert second.data["username"] == "x" * 150
    everything = json.dumps([list(e.__dict__.values()) for e in AuditEvent.objects.all()], default=str)
    assert secret not in everything
    assert all(secret not in a.post_data for a in AccessAttempt.objects.all())
    assert secret not in caplog.text


def test_the_lockout_is_audited_once_and_refused_attempts_as_failures(client, users):
    for n in range(5):
        fail(client, "inst_y", ip=f"10.7.0.{n}")
    client.post(LOGIN, {"username": "inst_y", "password": PASSWORD}, REMOTE_ADDR="10.7.1.1")
    lockout, = events("auth.lockout")
    assert lockout.data == {"username": "inst_y", "failures": 5, "minutes": 30}
    assert lockout.ip == "10.7.0.4" and "V6.3.1" in lockout.comment
    failures = events("auth.login_failed")
    assert [f.data["refused_while_locked"] for f in failures] == [False] * 5 + [True]


@pytest.mark.parametrize("path", ["/admin/login/"])
def test_the_admin_login_is_throttled_too(client, users, path):
    for n in range(5):
        client.post(path, {"username": "admin", "password": "wrong", "next": "/admin/"}, REMOTE_ADDR=f"10.8.0.{n}")
    response = client.post(path, {"username": "admin", "password": PASSWORD, "next": "/admin/"},
                           REMOTE_ADDR="10.8.1.1")
    assert response.status_code == 429


def test_an_overlong_username_is_an_ordinary_failure_not_an_error(client, api_client, users):
    assert fail(client, "y" * 1000).status_code == 200
    response = api_client.post(TOKEN, {"username": "y" * 1000, "password": "nope"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    assert AccessAttempt.objects.get().username == "y" * 150  # both counted against the same name
