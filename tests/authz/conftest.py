"""The matrix's world, built once per test process (xdist worker) and rolled back at the end of the module.

Each cell runs in pytest-django's per-test savepoint inside the world's transaction, so an unsafe
request that changes something is undone before the next cell.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.authz.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Services open durable atomic blocks; Django lets them nest only in a test case's block.
        outer._from_testcase = True
        outer.__enter__()
        try:
            world = build_world()
            for role, user in world.users.items():
                if user is not None:  # sessions outlive each cell's savepoint: they belong to the world
                    client = Client()
                    client.force_login(user)
                    world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
