"""Small fixtures for draws and inspections: Hefei filings made directly, a pool of inspectors.

Import explicitly: `from tests.supervision.conftest_draws import office, make_filing  # noqa: F401`.
"""

import datetime as dt

import pytest

from certificates.services import filing_number_allocate
from filing_portal.core import clock
from institutions.models import Filing, FilingApplication, FilingScope
from supervision.models import InspectorProfile
from tests.factories import InstitutionFactory, UserFactory, make_uscc

D = dt.date.fromisoformat
PASSWORD = "correct-horse-battery"


def make_filing(institution, region, *, state="active", supervision_mode="every_exam",
                occupation=None) -> Filing:
    """An active filing of `institution` handled by `region`, with its allocated filing number."""
    number = filing_number_allocate(kind=institution.kind, province_code=region.code[:2],
                                    city_code=region.filing_city_code, holder_name=institution.name,
                                    institution_id=institution.pk)
    filing = Filing.objects.create(institution=institution, filing_number=number, number=number.number,
                                   state=state, handling_region=region, first_filed_on=D("2026-01-05"),
                                   valid_from=D("2026-01-05"), expires_on=D("2029-01-04"),
                                   supervision_mode=supervision_mode)
    if occupation is not None:
        application = FilingApplication.objects.create(institution=institution, kind="initial")
        FilingScope.objects.create(filing=filing, occupation=occupation, level=3, added_on=D("2026-01-05"),
                                   added_by=application)
    return filing


def make_inspector(code: str, region, *, employer=None, active=True) -> InspectorProfile:
    user = UserFactory(username=f"insp_{code.lower()}", role="inspector", first_name=code)
    return InspectorProfile.objects.create(user=user, code=code, region=region, employer=employer,
                                           active=active)


@pytest.fixture
def office(users, hefei, wuhu, inst_s, inst_y):
    """Hefei's office with six filed institutions (one of them suspended) and a pool of five inspectors."""
    institutions = [inst_s] + [
        InstitutionFactory(name=f"合肥第{i}评价中心", kind="S" if i % 2 else "Y", region=hefei,
                           uscc=make_uscc("340100")) for i in range(1, 6)]
    with clock.as_of(D("2026-01-05")):
        filings = [make_filing(inst, hefei, supervision_mode="random" if i == 2 else "every_exam")
                   for i, inst in enumerate(institutions)]
    Filing.objects.filter(pk=filings[5].pk).update(state="suspended")
    wuhu_filing = make_filing(inst_y, wuhu)
    inspectors = [make_inspector(f"HF{i:02d}", hefei) for i in range(1, 6)]
    return {"users": users, "institutions": institutions, "filings": filings, "wuhu_filing": wuhu_filing,
            "inspectors": inspectors, "hefei": hefei, "wuhu": wuhu, "staff": users["city_hefei"]}
