"""Fixtures of the API fuzz tests: the world seeded once per module, the rate limits out of the way, and the
WSGI app's requests kept inside the test's transaction."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import TestCase

from tests.fuzz import world as world_module


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """Seed the world once per module inside an outer transaction that is rolled back at the end.

    Each test runs inside it in its own savepoint (pytest-django's per-test transaction), so whatever a
    fuzzed POST changes is undone before the next test. The outer block is entered the way Django's
    `TestCase.setUpClass` does, so the services' `atomic(durable=True)` blocks may run inside it.
    """
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            world_module.CURRENT = world_module.seed_world()
            yield world_module.CURRENT
        finally:
            world_module.CURRENT = None
            TestCase._rollback_atomics(atomics)


@pytest.fixture(autouse=True)
def _fuzz_environment(fuzz_world, db, settings):
    """Per test: no login lockout (django-axes would answer 429 after five fuzzed passwords from one address),
    and the WSGI handler must not close the test's connection after each request (Django's test client
    disconnects the same signal handler)."""
    settings.AXES_ENABLED = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
