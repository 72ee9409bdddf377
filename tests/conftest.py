"""Shared fixtures: a small slice of the real reference data and one user per role."""

import pytest

from filing_portal.regions.models import PolicyProfile, Region
from tests.factories import InstitutionFactory, UserFactory

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
    """`postgres` tests skip on SQLite locally, but CI (REQUIRE_POSTGRES=1) must never skip them."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL does not point at PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); runs in CI")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
