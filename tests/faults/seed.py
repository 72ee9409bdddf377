"""The fault tests' private database: the portal's tables (made from the models, see settings.py), then
Anhui/Hefei, one institution, a staff user, certificates and four batch-PDF jobs not sent yet. Prints one
JSON line: {"user_id", "certificate_ids", "job_ids"}.

Run as `python -m tests.faults.seed` with the environment of `Stack` (tests/faults/conftest.py).
"""

import datetime as dt
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)

from certificates.models import PdfJob  # noqa: E402
from certificates.services import HolderData, certificates_issue, filing_number_allocate  # noqa: E402
from filing_portal.regions.models import PolicyProfile, Region  # noqa: E402
from tests.certificates.helpers import resident_id  # noqa: E402
from tests.factories import InstitutionFactory, UserFactory  # noqa: E402

CERTIFICATES = 40
JOBS = 4

anhui = Region.objects.create(code="340000", name="安徽省", level="province", filing_city_code="00")
PolicyProfile.objects.create(province=anhui, acceptance_deadline_wd=10)
hefei = Region.objects.create(code="340100", name="合肥市", level="city", province=anhui, filing_city_code="01")
institution = InstitutionFactory(name="合肥示范职业技能评价中心", kind="S", region=hefei)
staff = UserFactory(username="city_hefei", role="city_staff", region=hefei)
number = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name=institution.name,
                                institution_id=institution.pk).number
certificates = certificates_issue(
    filing_number=number, institution_name=institution.name, issue_date=dt.date(2026, 11, 2),
    holders=[HolderData(holder_name=f"考生{i}", id_type="201", id_number=resident_id(i), level=3,
                        occupation_code="4-12-01-01", occupation_name="汽车维修工") for i in range(CERTIFICATES)])
ids = [c.pk for c in certificates]
jobs = [PdfJob.objects.create(requested_by=staff, title=f"faults {n}", certificate_ids=ids, total=len(ids))
        for n in range(JOBS)]
print(json.dumps({"user_id": staff.pk, "certificate_ids": ids, "job_ids": [str(j.pk) for j in jobs]}))
