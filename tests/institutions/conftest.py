"""Fixtures for the filing workflow: Anhui and Sichuan reference data, occupations, a ready draft."""

import datetime as dt

import pytest

from filing_portal.core import clock
from filing_portal.regions.models import Region
from filing_portal.regions.services import reference_data_load
from institutions.models import ApplicationOccupation, Assessor, FilingApplication, StaffMember, Venue
from institutions.occupations import Occupation
from tests.factories import InstitutionFactory, UserFactory, make_uscc


@pytest.fixture
def regions(db):
    reference_data_load()
    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def occupations(db):
    rows = [
        ("4-12-01-01", "汽车维修工", True, False),
        ("6-18-01-01", "车工", True, False),
        ("4-10-01-03", "保育师", True, False),
        ("4-07-05-03", "消防设施操作员", True, True),  # access-type (准入类): not fileable
        ("2-02-10-01", "计算机软件工程技术人员", True, False),  # professional, not a skill occupation
    ]
    return {code: Occupation.objects.create(code=code, name=name, major_group=int(code[0]),
                                            has_national_standard=std, is_access_licensed=access)
            for code, name, std, access in rows}


@pytest.fixture
def people(regions):
    hefei, wuhu, anhui, chengdu = regions["340100"], regions["340200"], regions["340000"], regions["510100"]
    inst = InstitutionFactory(name="合肥新华职业技能评价中心", kind="S", sub_type="enterprise", region=hefei,
                              uscc=make_uscc("340100"), legal_representative="王法人", head="李所长",
                              address="合肥市蜀山区长江西路100号")
    employer = InstitutionFactory(name="芜湖江城汽车零部件有限公司", kind="Y", region=wuhu, uscc=make_uscc("340200"))
    other = InstitutionFactory(name="合肥另一家评价机构", kind="S", region=hefei, uscc=make_uscc("340100"))
    return {
        "inst": inst, "employer": employer, "other": other,
        "inst_user": UserFactory(username="inst_s", role="institution", institution=inst, email="inst@example.cn"),
        "employer_user": UserFactory(username="inst_y", role="institution", institution=employer),
        "other_user": UserFactory(username="inst_o", role="institution", institution=other),
        "city_hefei": UserFactory(username="city_hefei", role="city_staff", region=hefei),
        "city_wuhu": UserFactory(username="city_wuhu", role="city_staff", region=wuhu),
        "province_ah": UserFactory(username="province_ah", role="province_staff", region=anhui),
        "city_chengdu": UserFactory(username="city_chengdu", role="city_staff", region=chengdu),
        "expert1": UserFactory(username="expert1", role="expert"),
        "admin": UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True),
    }


def make_draft(institution, occupations, *, levels=(3, 4, 5), code="4-12-01-01", address="合肥市蜀山区实训楼1号",
               tenure="owned", signed=True, kind="initial", filing=None, **fields) -> FilingApplication:
    application = FilingApplication.objects.create(institution=institution, kind=kind, filing=filing, **fields)
    ApplicationOccupation.objects.create(application=application, occupation=occupations[code],
                                         work_type="汽车机械维修工" if code == "4-12-01-01" else "",
                                         levels=list(levels), own_assessors=6)
    Venue.objects.create(application=application, kind="practical", address=address, room_count=2, area_m2=600,
                         tenure=tenure, occupation_codes=[code], video_surveillance=True)
    StaffMember.objects.create(application=application, post="head", name="李所长", gender="M", age=45,
                               phone="0551-62000000")
    Assessor.objects.create(application=application, role="assessor", name="张考评", gender="M", age=40,
                            phone="13800000000", occupation_code=code)
    if signed:
        FilingApplication.objects.filter(pk=application.pk).update(
            pledge_truthfulness=True, pledge_operation=True, pledged_by="王法人")
        application.refresh_from_db()
    return application


@pytest.fixture
def draft(people, occupations):
    return make_draft(people["inst"], occupations)


def on(day: str):
    """Run as if today were `day` (the business clock the sweep also sets)."""
    return clock.as_of(dt.date.fromisoformat(day))
