"""seed_demo: the named users of DESIGN.md, reference data, demo certificates; idempotent."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from certificates.models import Certificate
from filing_portal.accounts.models import User
from filing_portal.regions.models import PolicyProfile, Region


@pytest.mark.django_db
def test_refuses_with_debug_off_unless_forced():
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_creates_every_role_and_is_idempotent(capsys):
    call_command("seed_demo", "--force", "--password", "Demo-pass-9876")
    call_command("seed_demo", "--force", "--password", "Demo-pass-9876")
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {"admin": "admin", "province_ah": "province_staff", "city_hefei": "city_staff",
                     "expert1": "expert", "inspector1": "inspector", "inst_s": "institution",
                     "inst_y": "institution"}
    assert User.objects.get(username="city_hefei").region.name == "合肥市"
    assert User.objects.get(username="inst_y").institution.region.name == "芜湖市"
    assert authenticate(username="province_ah", password="Demo-pass-9876") is not None
    assert Region.objects.filter(level="province").count() == 4 and PolicyProfile.objects.count() == 4
    certs = Certificate.objects.order_by("number")
    assert certs.count() == 4 and certs.filter(status="voided").count() == 1
    assert certs.first().number.startswith("S000034010001")
