"""seed_demo: the named users of DESIGN.md, reference data, demo certificates; idempotent."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from certificates.models import Certificate
from filing_portal.accounts.models import User
from filing_portal.core import clock
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
    assert {k: roles[k] for k in ("admin", "province_ah", "city_hefei", "expert1", "inspector1", "inst_s",
                                  "inst_y")} == {"admin": "admin", "province_ah": "province_staff", "city_hefei": "city_staff",
                     "expert1": "expert", "inspector1": "inspector", "inst_s": "institution",
                     "inst_y": "institution"}
    assert User.objects.get(username="city_hefei").region.name == "合肥市"
    assert User.objects.get(username="inst_y").institution.region.name == "芜湖市"
    assert authenticate(username="province_ah", password="Demo-pass-9876") is not None
    assert Region.objects.filter(level="province").count() == 4 and PolicyProfile.objects.count() == 4
    from institutions.models import Filing, FilingApplication

    states = set(FilingApplication.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "supplement_requested", "initial_review", "technical_evaluation",
                      "comprehensive_review", "public_notice", "approved", "rejected", "terminated", "withdrawn"}
    assert FilingApplication.objects.get(state="public_notice").objections.filter(status="open").exists()
    assert Filing.objects.filter(handling_region__code="510100").count() == 2  # Sichuan, Chengdu
    assert Filing.objects.filter(expires_on__lte=clock.today() + dt.timedelta(days=90)).exists()
    from assessments.models import AssessmentBatch

    assert set(AssessmentBatch.objects.values_list("state", flat=True)) == {
        "draft", "submitted", "scheduled", "conducted", "results_published", "results_reported",
        "certificates_issued", "cancelled"}
    certs = Certificate.objects.filter(batch__isnull=True).order_by("number")
    assert certs.count() == 4 and certs.filter(status="voided").count() == 1
    assert certs.first().number.startswith("S000034010002")  # inst_s, filed after the 2023 one
