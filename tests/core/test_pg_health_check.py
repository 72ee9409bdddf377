"""The PostgreSQL backend's health check (filing_portal/core/postgresql/base.py).

A persistent connection in steady use is reused without Django's `SELECT 1`; one the server has terminated is
noticed before a request uses it and replaced, as Django's own check would (docs/FAULTS.md); one idle for
longer than the window gets Django's check."""

from __future__ import annotations

import select

import pytest
from django.db import connection

from filing_portal.core.postgresql import base as backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def persistent(monkeypatch):
    """A second connection to the test database, set up as production's: persistent, health-checked."""
    settings = {**connection.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    wrapper = backend.DatabaseWrapper(settings, alias="health_check_test")
    checks = []
    original = backend.DatabaseWrapper.is_usable

    def counted(self):
        checks.append(self.alias)
        return original(self)

    monkeypatch.setattr(backend.DatabaseWrapper, "is_usable", counted)
    yield wrapper, checks
    wrapper.close()


def _request(wrapper) -> int:
    """What a request does with the connection: Django's request_started/finished bookends and one query."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    wrapper.close_if_unusable_or_obsolete()
    return pid


def test_connection_in_steady_use_is_reused_without_a_round_trip(persistent):
    wrapper, checks = persistent
    pids = {_request(wrapper) for _ in range(20)}
    assert len(pids) == 1  # one connection, kept
    assert checks == []  # and never a SELECT 1


def test_connection_the_server_terminated_is_replaced_before_the_request_uses_it(persistent):
    wrapper, checks = persistent
    first = _request(wrapper)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    # The server's FATAL message and its end of the socket arrive asynchronously; wait until they have.
    assert select.select([wrapper.connection.fileno()], [], [], 5)[0]
    second = _request(wrapper)  # no error: the dead connection was noticed and a new one opened
    assert second != first
    assert checks == ["health_check_test"]  # the unread message sent it to Django's own check


def test_connection_idle_longer_than_the_window_gets_djangos_check(persistent, monkeypatch):
    wrapper, checks = persistent
    first = _request(wrapper)
    monkeypatch.setattr(backend, "QUICK_CHECK_WINDOW", 0.0)
    assert _request(wrapper) == first
    assert checks == ["health_check_test"]
