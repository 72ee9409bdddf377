# ruff: noqa: F811  (the fixtures are imported from tests/renewals/fixtures_app.py: no conftest here)
"""Shared fixtures of the renewal tests (imported by each test module; no conftest here on purpose).

A filing made directly (as tests/institutions/test_public_pages.py does), batches of it in a reported state
with candidates and certificates, and helpers to walk a renewal through its services.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from assessments.models import AssessmentBatch, BatchItem, Candidate
from certificates.models import FilingNumber
from certificates.numbers import build_filing_number
from certificates.services import HolderData, certificates_issue
from filing_portal.core.deadlines import run_deadlines  # noqa: F401  (re-exported for the tests)
from institutions.models import Attachment, Filing, FilingApplication, FilingScope
from renewals.services import (
    renewal_application_start,
    renewal_approve,
    renewal_start_evaluation,
    renewal_submit,
    renewal_update,
)
from tests.institutions.conftest import occupations, on, people, regions  # noqa: F401
from tests.personal_data.helpers import with_check_digit

D = dt.date.fromisoformat
_serial = itertools.count(501)
_plan = itertools.count(1)
_person = itertools.count(1)

VALID_FROM, EXPIRES = D("2023-06-01"), D("2026-05-31")  # the first validity period; the window opens 2026-03-02
SUMMARY = {"summary_basic": "机构名称、性质、备案号、有效期及评价总体情况；新增保育师职业。",
           "summary_problems": "无整改通知；考评员不足已补充。",
           "summary_next_period": "拓展认定业务，完善制度规范。"}


def make_filing(institution, occupations, *, state="active", valid_from=VALID_FROM,  # noqa: F811
                expires_on=EXPIRES, region=None) -> Filing:
    """A filing record made directly (no workflow), with 汽车维修工 levels 3 and 4 in scope."""
    region = region or institution.region
    serial = next(_serial)
    number = FilingNumber.objects.create(
        number=build_filing_number(institution.kind, "0000", region.province_code, region.filing_city_code, serial),
        kind=institution.kind, institution_code="0000", province_code=region.province_code,
        city_code=region.filing_city_code, serial=serial, holder_name=institution.name, institution=institution)
    application = FilingApplication.objects.create(institution=institution)
    filing = Filing.objects.create(institution=institution, filing_number=number, number=number.number,
                                   handling_region=region, first_filed_on=valid_from, valid_from=valid_from,
                                   expires_on=expires_on, source_application=application)
    if state != "active":
        Filing.objects.filter(pk=filing.pk).update(state=state)
        filing.refresh_from_db()
    FilingScope.objects.bulk_create(
        FilingScope(filing=filing, occupation=occupations["4-12-01-01"], work_type="汽车机械维修工", level=level,
                    added_on=valid_from, added_by=application) for level in (3, 4))
    return filing


def make_batch(filing, occupations, *, exam: str, state="certificates_issued", candidates=3,  # noqa: F811
               passed=2, uploaded=True, levels=(3,)) -> AssessmentBatch:
    """A batch of the filing with results reported (or certificates issued), its candidates and certificates."""
    occupation = occupations["4-12-01-01"]
    day = D(exam)
    batch = AssessmentBatch.objects.create(
        plan_number=f"P{day.year}{next(_plan):06d}", filing=filing, institution=filing.institution,
        handling_region=filing.handling_region, exam_start=day, exam_end=day, venue_address="合肥市蜀山区实训楼1号",
        candidate_source="社会人员", planned_count=candidates, reported_on=day + dt.timedelta(days=20))
    AssessmentBatch.objects.filter(pk=batch.pk).update(state=state)
    batch.refresh_from_db()
    for level in levels:
        BatchItem.objects.create(batch=batch, occupation=occupation, work_type="汽车机械维修工", level=level)
    holders = []
    for i in range(candidates):
        n = next(_person)
        id_number = with_check_digit(f"34010419900101{n % 100:02d}1")
        result = "pass" if i < passed else "fail"
        Candidate.objects.create(batch=batch, name=f"考生{n}", gender="M", id_type="201", id_number=id_number,
                                 occupation=occupation, work_type="汽车机械维修工", level=levels[0], result=result)
        if result == "pass":
            holders.append(HolderData(holder_name=f"考生{n}", id_type="201", id_number=id_number, level=levels[0],
                                      occupation_code=occupation.code, occupation_name=occupation.name,
                                      work_type="汽车机械维修工"))
    if holders and state == "certificates_issued":
        certificates = certificates_issue(filing_number=filing.number, institution_name=filing.institution.name,
                                          issue_date=day + dt.timedelta(days=25), holders=holders,
                                          extra_fields={"batch": batch, "filing": filing})
        if uploaded:
            from certificates.services import certificates_mark_uploaded

            certificates_mark_uploaded(ids=[c.pk for c in certificates])
    return batch


def six_batches(filing, occupations, n=6, **kw):  # noqa: F811
    return [make_batch(filing, occupations, exam=f"{2024 + (i // 4)}-{(i % 4) * 3 + 1:02d}-15", **kw)
            for i in range(n)]


def add_incentive(filing, user) -> Attachment:
    from django.core.files.base import ContentFile

    return Attachment.objects.create(application=filing.source_application, kind="incentive",
                                     file=ContentFile(b"%PDF-1.4 incentive", name="incentive.pdf"),
                                     original_name="激励制度.pdf", content_type="application/pdf", size=18,
                                     sha256="0" * 64, uploaded_by=user)


def fill(application, user, **extra):
    return renewal_update(application=application, acting_user=user, pledge_accepted=True, **{**SUMMARY, **extra})


def submitted(filing, user, day="2026-04-01", **extra):
    """Start, fill and submit a renewal of `filing` on `day`."""
    with on(day):
        application = renewal_application_start(filing=filing, acting_user=user)
        fill(application, user, **extra)
        return renewal_submit(application=application, acting_user=user)


def approved(filing, user, staff, day="2026-04-01", decide="2026-04-20", **extra):
    application = submitted(filing, user, day, **extra)
    with on(decide):
        renewal_start_evaluation(application=application, acting_user=staff)
        return renewal_approve(application=application, acting_user=staff)


def many_submitted(people, occupations, n):
    """n more institutions of Hefei, each with a filing and a submitted renewal (for query counts)."""
    from tests.factories import InstitutionFactory, UserFactory, make_uscc

    for i in range(n):
        inst = InstitutionFactory(name=f"合肥机构{i}{make_uscc()[-4:]}", kind="S", region=people["inst"].region,
                                  uscc=make_uscc("340100"))
        user = UserFactory(role="institution", institution=inst)
        filing = make_filing(inst, occupations)
        six_batches(filing, occupations, n=1)
        submitted(filing, user, shortfall_explanation="疫情")


@pytest.fixture
def inst(people):  # noqa: F811
    return people["inst"]


@pytest.fixture
def filing(people, occupations):  # noqa: F811
    return make_filing(people["inst"], occupations)


@pytest.fixture
def filing_with_batches(filing, occupations):  # noqa: F811
    six_batches(filing, occupations)
    return filing
