"""The admin pages administrators use to keep regions and policy profiles."""

import pytest
from django.urls import reverse

from filing_portal.regions.models import PolicyProfile, Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, reference_data):
    client.force_login(UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True))
    return client


def test_region_list_filters_by_province_and_searches_by_code(admin_client, django_assert_max_num_queries):
    url = reverse("admin:regions_region_changelist")
    with django_assert_max_num_queries(12):
        page = admin_client.get(url, {"q": "5101"})
    assert page.status_code == 200
    assert "成都市" in page.text and "合肥市" not in page.text
    anhui = Region.objects.get(code="340000")
    page = admin_client.get(url, {"level__exact": "city", "province__id__exact": anhui.pk})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 16
    assert "宣城市" in page.text and "成都市" not in page.text


def test_policy_profile_page_shows_chengdus_ceiling__JUR_02(admin_client):
    assert admin_client.get(reverse("admin:regions_policyprofile_changelist")).status_code == 200
    sichuan = PolicyProfile.objects.get(province__code="510000")
    page = admin_client.get(reverse("admin:regions_policyprofile_change", args=[sichuan.pk]))
    assert page.status_code == 200
    assert "成都市" in page.text
    assert "职业技能考核鉴定所（站）" in page.text
