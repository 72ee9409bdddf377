"""Who handles a filing and who may see a region (JUR-01/02/03), and the renewal window (REN-01)."""

from datetime import date

import pytest

from filing_portal.core.errors import DomainError
from filing_portal.regions.jurisdiction import (
    handling_region,
    profile_for,
    region_in_jurisdiction,
    renewal_window_start,
)
from filing_portal.regions.models import PolicyProfile, Region
from filing_portal.regions.selectors import regions_visible_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# 1 = 高级技师, 2 = 技师, 3 = 高级工, 4 = 中级工, 5 = 初级工
SENIOR_TECHNICIAN, TECHNICIAN, SENIOR_WORKER, INTERMEDIATE, JUNIOR = 1, 2, 3, 4, 5


# --- handling_region -----------------------------------------------------------------------------


def test_city_handles_senior_worker_and_below__JUR_01(region):
    hefei = region("340100")
    assert handling_region(city=hefei, levels=[SENIOR_WORKER]) == hefei
    assert handling_region(city=hefei, levels=[SENIOR_WORKER, INTERMEDIATE, JUNIOR]) == hefei


def test_technician_level_goes_to_the_province__JUR_01(region):
    assert handling_region(city=region("340100"), levels=[TECHNICIAN]) == region("340000")
    # One level above the ceiling is enough to send the whole filing up.
    assert handling_region(city=region("340100"), levels=[JUNIOR, SENIOR_WORKER, TECHNICIAN]) == region("340000")


def test_province_affiliated_unit_goes_to_the_province__JUR_01(region):
    assert handling_region(city=region("340100"), levels=[JUNIOR], province_affiliated=True) == region("340000")
    assert handling_region(city=region("510100"), levels=[JUNIOR], province_affiliated=True) == region("510000")


def test_unit_at_province_level_stays_with_the_province__JUR_01(region):
    assert handling_region(city=region("220000"), levels=[JUNIOR]) == region("220000")


def test_chengdu_handles_technician_but_not_senior_technician__JUR_02(region):
    chengdu, sichuan = region("510100"), region("510000")
    assert handling_region(city=chengdu, levels=[TECHNICIAN, SENIOR_WORKER]) == chengdu
    assert handling_region(city=chengdu, levels=[SENIOR_TECHNICIAN]) == sichuan
    # Other Sichuan cities keep the default ceiling.
    assert handling_region(city=region("510700"), levels=[TECHNICIAN]) == sichuan


def test_handling_region_with_a_prefetched_profile_runs_no_query__JUR_02(region, django_assert_num_queries):
    chengdu = Region.objects.select_related("province").get(code="510100")
    profile = profile_for(chengdu)
    with django_assert_num_queries(0):
        assert handling_region(city=chengdu, levels=[TECHNICIAN], profile=profile) == chengdu


def test_handling_region_refuses_a_level_outside_1_to_5__JUR_01(region):
    with pytest.raises(ValueError, match="1–5"):
        handling_region(city=region("340100"), levels=[6])


# --- profile_for ---------------------------------------------------------------------------------


def test_profile_for_a_city_is_its_provinces__JUR_01(region):
    profile = profile_for(region("510100"))
    assert profile.province == region("510000")
    assert profile_for(region("510000")) == profile


def test_profile_for_a_province_without_profile_names_the_rule__JUR_01(db):
    hubei = Region.objects.create(code="420000", name="湖北省", level="province", filing_city_code="00")
    wuhan = Region.objects.create(code="420100", name="武汉市", level="city", province=hubei, filing_city_code="01")
    with pytest.raises(DomainError) as excinfo:
        profile_for(wuhan)
    assert excinfo.value.rule == "JUR-01"
    assert "420000" in excinfo.value.message


# --- region_in_jurisdiction / regions_visible_to -------------------------------------------------


@pytest.fixture
def staff(region):
    return {
        "province_ah": UserFactory(username="province_ah", role="province_staff", region=region("340000")),
        "city_hefei": UserFactory(username="city_hefei", role="city_staff", region=region("340100")),
        "city_wuhu": UserFactory(username="city_wuhu", role="city_staff", region=region("340200")),
        "admin": UserFactory(username="admin", role="admin"),
        "expert1": UserFactory(username="expert1", role="expert"),
    }


def test_province_staff_see_their_whole_province__JUR_03(staff, region):
    user = staff["province_ah"]
    assert region_in_jurisdiction(user, region("340000"))
    assert region_in_jurisdiction(user, region("340100"))
    assert region_in_jurisdiction(user, region("341800"))
    assert not region_in_jurisdiction(user, region("510100"))
    assert not region_in_jurisdiction(user, region("510000"))
    assert regions_visible_to(user).count() == 17
    assert not regions_visible_to(user).exclude(code__startswith="34").exists()


def test_city_staff_see_only_their_city__JUR_03(staff, region):
    user = staff["city_wuhu"]
    assert region_in_jurisdiction(user, region("340200"))
    assert not region_in_jurisdiction(user, region("340100"))  # another city of the same province
    assert not region_in_jurisdiction(user, region("340000"))  # nor the province above
    assert list(regions_visible_to(user)) == [region("340200")]


def test_admin_sees_everything_and_others_nothing__JUR_03(staff, region):
    assert region_in_jurisdiction(staff["admin"], region("510100"))
    assert regions_visible_to(staff["admin"]).count() == 4 + 55
    assert not region_in_jurisdiction(staff["expert1"], region("340100"))
    assert not regions_visible_to(staff["expert1"]).exists()


def test_staff_with_the_wrong_kind_of_region_see_nothing__JUR_03(region):
    # A "province staff" account pointed at a city is a configuration mistake, not a wider view.
    user = UserFactory(role="province_staff", region=region("340100"))
    assert not region_in_jurisdiction(user, region("340100"))
    assert not regions_visible_to(user).exists()


def test_inactive_and_anonymous_users_see_nothing__JUR_03(staff, region):
    from django.contrib.auth.models import AnonymousUser

    user = staff["province_ah"]
    user.is_active = False
    assert not region_in_jurisdiction(user, region("340100"))
    assert not region_in_jurisdiction(AnonymousUser(), region("340100"))
    assert not regions_visible_to(AnonymousUser()).exists()


def test_regions_visible_to_scopes_other_querysets__JUR_03(staff):
    from filing_portal.accounts.models import User

    visible = User.objects.filter(region__in=regions_visible_to(staff["province_ah"]))
    assert set(visible.values_list("username", flat=True)) == {"province_ah", "city_hefei", "city_wuhu"}


# --- renewal window ------------------------------------------------------------------------------


def test_fujian_window_opens_90_days_before_expiry__REN_01(reference_data):
    fujian = PolicyProfile.objects.get(province__code="350000")
    assert renewal_window_start(fujian, date(2027, 5, 31)) == date(2027, 3, 2)
    # Calendar days, not months: across a leap February the window starts a day later.
    assert renewal_window_start(fujian, date(2027, 4, 30)) == date(2027, 1, 30)
    assert renewal_window_start(fujian, date(2028, 4, 30)) == date(2028, 1, 31)


def test_jilin_window_opens_three_calendar_months_before_expiry__REN_01(reference_data):
    jilin = PolicyProfile.objects.get(province__code="220000")
    assert renewal_window_start(jilin, date(2027, 5, 31)) == date(2027, 2, 28)  # clamped to February's end
    assert renewal_window_start(jilin, date(2027, 8, 15)) == date(2027, 5, 15)
