"""Fixtures of the calendar tests: regions, one user per role that matters to the calendar, a recompute recorder."""

import pytest
from stdnum.cn import uscc

from filing_portal.accounts.models import User
from filing_portal.regions.models import Region
from filing_portal.workdays import calendar
from institutions.models import Institution


@pytest.fixture(autouse=True)
def fresh_calendar_caches():
    """Each test sees the fallback warning afresh and no banner answer from an earlier test."""
    calendar.clear_caches()
    yield
    calendar.clear_caches()


@pytest.fixture
def empty_recompute_registry(monkeypatch):
    """The recompute registry emptied for one test, then restored."""
    # Discover the apps' deadlines modules first: were they first imported while
    # the registry is swapped out, their registrations would be lost afterwards.
    calendar.registered_recomputes()
    monkeypatch.setattr(calendar, "_RECOMPUTES", {})


@pytest.fixture
def recompute_calls(empty_recompute_registry):
    """One recorder registered alone; the list holds the years it was called with."""
    calls: list[int] = []

    @calendar.register_recompute
    def record(year: int) -> int:
        calls.append(year)
        return 3

    return calls


def _region(code, **defaults):
    return Region.objects.get_or_create(code=code, defaults=defaults)[0]


@pytest.fixture
def wd_anhui(db):
    return _region("340000", name="安徽省", level="province", filing_city_code="00")


@pytest.fixture
def wd_hefei(wd_anhui):
    return _region("340100", name="合肥市", level="city", province=wd_anhui, filing_city_code="01")


@pytest.fixture
def portal_admin(db):
    return User.objects.create_user(
        username="wd_admin", password="correct-horse-battery", role="admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def city_hefei(wd_hefei):
    return User.objects.create_user(username="wd_city_hefei", role="city_staff", region=wd_hefei)


@pytest.fixture
def province_ah(wd_anhui):
    return User.objects.create_user(username="wd_province_ah", role="province_staff", region=wd_anhui)


@pytest.fixture
def inst_s(wd_hefei):
    base = "91340100MA2N3K4L1"
    code = base + uscc.calc_check_digit(base)
    assert uscc.is_valid(code)
    institution = Institution.objects.create(name="合肥示范职业技能评价中心", kind="S", uscc=code, region=wd_hefei)
    return User.objects.create_user(username="wd_inst_s", role="institution", institution=institution)
