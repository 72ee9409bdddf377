"""Shared fixtures: a small slice of the real reference data and one user per role."""

import pytest

from filing_portal.regions.models import PolicyProfile, Region
from tests.factories import InstitutionFactory, UserFactory

pytest_plugins = ["tests.pii_guard"]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def anhui(db):
    province = Region.objects.create(code="340000", name="安徽省", level="province", filing_city_code="00")
    PolicyProfile.objects.create(province=province, acceptance_deadline_wd=10)
    return province


@pytest.fixture
def hefei(anhui):
    return Region.objects.create(code="340100", name="合肥市", level="city", province=anhui, filing_city_code="01")


@pytest.fixture
def wuhu(anhui):
    return Region.objects.create(code="340200", name="芜湖市", level="city", province=anhui, filing_city_code="02")


@pytest.fixture
def inst_s(hefei):
    return InstitutionFactory(name="合肥示范职业技能评价中心", kind="S", region=hefei)


@pytest.fixture
def inst_y(wuhu):
    return InstitutionFactory(name="芜湖示范制造有限公司", kind="Y", region=wuhu)


@pytest.fixture
def users(anhui, hefei, wuhu, inst_s, inst_y):
    """One user per role, named as in seed_demo (DESIGN.md "Demo data")."""
    return {
        "admin": UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True),
        "province_ah": UserFactory(username="province_ah", role="province_staff", region=anhui),
        "city_hefei": UserFactory(username="city_hefei", role="city_staff", region=hefei),
        "city_wuhu": UserFactory(username="city_wuhu", role="city_staff", region=wuhu),
        "expert1": UserFactory(username="expert1", role="expert"),
        "inspector1": UserFactory(username="inspector1", role="inspector"),
        "inst_s": UserFactory(username="inst_s", role="institution", institution=inst_s),
        "inst_y": UserFactory(username="inst_y", role="institution", institution=inst_y),
    }


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def pytest_collection_modifyitems(config, items):
    """`postgres`/`redis` tests skip without those servers locally; CI (REQUIRE_POSTGRES=1) never skips them."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not (on_postgres and has_redis):
        raise pytest.UsageError("CI (REQUIRE_POSTGRES=1) needs DATABASE_URL on PostgreSQL and REDIS_URL")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); runs in CI")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL); runs in CI")
    import shutil

    has_chromium = bool(shutil.which("chromium"))
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not has_chromium:
        raise pytest.UsageError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
    skip_browser = pytest.mark.skip(reason="needs Debian's chromium (apt-get install chromium); runs in CI")
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(skip_pg)
        if item.get_closest_marker("redis") and not has_redis:
            item.add_marker(skip_redis)
        if item.get_closest_marker("browser") and not has_chromium:
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def _allow_flush_of_audit_table(request):
    """Transactional tests end with a TRUNCATE of every table, which the REC-02 trigger refuses on
    PostgreSQL. Disable triggers (session_replication_role) just for that flush, only in tests;
    every test that touches the database starts with them enabled again."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    uses_db = transactional or marker is not None or "db" in request.fixturenames
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")
    yield
    if transactional and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")


@pytest.fixture(autouse=True)
def _fresh_calendar_caches():
    """The calendar caches per process (banner years, fallback warnings); every test starts clean."""
    from filing_portal.workdays.calendar import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture(autouse=True)
def _fresh_region_rows():
    """The cached region rows of the public search forms (regions/reference_cache.py) outlive a test's rolled
    back database; every test starts without them."""
    from django.core.cache import cache

    from filing_portal.regions.reference_cache import ROWS_KEY

    cache.delete(ROWS_KEY)
    yield


# pid of another session on the test database -> the first test after which it was seen
_SEEN_SESSIONS: dict[int, str] = {}


def _other_sessions(cursor) -> list[tuple]:
    cursor.execute("SELECT pid, application_name, client_port, backend_start, state, left(query, 300) "
                   "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    return cursor.fetchall()


@pytest.fixture(autouse=True)
def _note_sessions_opened_by_the_test(request):
    """After each database test on PostgreSQL, note any other session on the test database that was not there
    before (one query): a session still there at the end of the run is reported with the test that left it."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames \
            and request.node.get_closest_marker("django_db") is None:
        yield
        return
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    if connection.vendor != "postgresql" or connection.connection is None:
        return
    from django.db import DatabaseError

    try:
        with blocker.unblock(), connection.cursor() as cursor:
            others = _other_sessions(cursor)
    except DatabaseError:  # a test that killed or broke the connection: nothing to learn from it here
        return
    for pid, *_rest in others:
        _SEEN_SESSIONS.setdefault(pid, request.node.nodeid)


@pytest.fixture(scope="session", autouse=True)
def _report_sessions_left_on_the_test_database(django_db_setup, django_db_blocker):
    """At the end of a run (before the test database is dropped), name any other session still connected to it:
    a connection a test left open makes the drop fail with "being accessed by other users". The warning carries
    each session's application, client port, start and last statement, and the first test after which it was
    seen, which points to the test that opened it."""
    yield
    import warnings

    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            others = _other_sessions(cursor)
    if others:
        found = [(row, _SEEN_SESSIONS.get(row[0], "before any test ended")) for row in others]
        warnings.warn(f"sessions still connected to the test database at the end of the run: {found}",
                      stacklevel=1)
