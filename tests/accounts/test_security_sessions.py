"""Session lifetimes (ASVS 5.0 V7.3): staff 30 minutes idle and 12 hours in all, institution users 8 hours
idle; an ended session is logged out (and audited) and sent to the login page with a message."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from filing_portal.accounts.security import LOGIN_AT, SEEN_AT
from filing_portal.audit.models import AuditEvent

STAFF_PAGE = "/staff/calendar/"


def stamp(client, *, login_ago: timedelta, seen_ago: timedelta):
    now = int(timezone.now().timestamp())
    session = client.session
    session[LOGIN_AT] = now - int(login_ago.total_seconds())
    session[SEEN_AT] = now - int(seen_ago.total_seconds())
    session.save()


def test_login_stores_the_login_time_and_the_last_activity(client, users):
    before = int(timezone.now().timestamp())
    client.force_login(users["city_hefei"])
    assert before <= client.session[LOGIN_AT] == client.session[SEEN_AT] <= before + 2


def test_staff_idle_29_minutes_keeps_the_session_and_refreshes_it(client, users):
    client.force_login(users["city_hefei"])
    stamp(client, login_ago=timedelta(minutes=29), seen_ago=timedelta(minutes=29))
    assert client.get(STAFF_PAGE).status_code == 200
    assert int(timezone.now().timestamp()) - client.session[SEEN_AT] < 5


def test_staff_idle_31_minutes_is_logged_out_with_a_message(client, users):
    client.force_login(users["city_hefei"])
    stamp(client, login_ago=timedelta(minutes=31), seen_ago=timedelta(minutes=31))
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/staff/calendar/")
    assert "_auth_user_id" not in client.session
    messages = [m for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and "30" in str(messages[0]) and messages[0].level_tag == "warning"
    event = AuditEvent.objects.filter(action="auth.logout").get()
    assert event.actor == users["city_hefei"] and event.data == {"reason": "session_idle"}
    # The login page shows it.
    page = client.get(response["Location"])
    assert page.status_code == 200 and "30" in page.content.decode()


def test_staff_active_all_day_is_logged_out_after_12_hours(client, users):
    client.force_login(users["province_ah"])
    stamp(client, login_ago=timedelta(hours=11, minutes=59), seen_ago=timedelta(minutes=1))
    assert client.get(STAFF_PAGE).status_code == 200
    stamp(client, login_ago=timedelta(hours=12, minutes=1), seen_ago=timedelta(minutes=1))
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(action="auth.logout").data == {"reason": "session_absolute"}


def test_admin_sessions_follow_the_staff_limits(client, users):
    client.force_login(users["admin"])
    stamp(client, login_ago=timedelta(minutes=40), seen_ago=timedelta(minutes=31))
    assert client.get("/admin/").status_code == 302 and "_auth_user_id" not in client.session


def test_institution_users_keep_a_working_day(client, users):
    client.force_login(users["inst_s"])
    stamp(client, login_ago=timedelta(hours=7), seen_ago=timedelta(hours=7, minutes=50))
    assert client.get("/").status_code == 200
    stamp(client, login_ago=timedelta(hours=9), seen_ago=timedelta(hours=8, minutes=1))
    assert client.get("/").status_code == 302 and "_auth_user_id" not in client.session


def test_time_travel_with_the_clock_patched(client, users):
    """The same rule with the clock moved rather than the stamps: 31 minutes after the last request."""
    client.force_login(users["city_wuhu"])
    assert client.get(STAFF_PAGE).status_code == 200
    later = timezone.now() + timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_an_expired_session_api_call_gets_401_with_the_rule(client, users):
    client.force_login(users["city_hefei"])
    assert client.get("/api/v1/me/").status_code == 200
    stamp(client, login_ago=timedelta(hours=1), seen_ago=timedelta(minutes=45))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "session_expired" and "V7.3" in body["rule"]
    assert client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.parametrize(("seconds_ago", "rewritten"), [(30, False), (61, True)])
def test_last_activity_is_rewritten_at_most_once_a_minute(client, users, seconds_ago, rewritten):
    client.force_login(users["city_hefei"])
    session = client.session
    session[SEEN_AT] = int(timezone.now().timestamp()) - seconds_ago
    session.save()
    seen = client.session[SEEN_AT]
    client.get(STAFF_PAGE)
    assert (client.session[SEEN_AT] > seen) is rewritten
