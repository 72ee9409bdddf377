"""Shared fixtures of the timer tests: filed institutions of Hefei with chosen expiry dates, their users,
Celery run eagerly (the e-mail task) and the sweep run like the operator does (`run_deadlines --as-of`)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from certificates.services import filing_number_allocate
from institutions.models import Filing
from tests.factories import InstitutionFactory, UserFactory

D = dt.date.fromisoformat
EXPIRES = D("2029-03-09")  # the last valid day of a filing issued on 2026-03-10


def make_filing(institution, *, expires_on: dt.date = EXPIRES, state: str = "active") -> Filing:
    """A filing record of `institution` (its city's office) with a real number (NUM-01), valid 3 years."""
    region = institution.region
    number = filing_number_allocate(kind=institution.kind, province_code=region.province_code,
                                    city_code=region.filing_city_code, holder_name=institution.name,
                                    institution_id=institution.pk)
    valid_from = expires_on.replace(year=expires_on.year - 3) + dt.timedelta(days=1)
    filing = Filing.objects.create(institution=institution, filing_number=number, number=number.number,
                                   handling_region=region, first_filed_on=valid_from, valid_from=valid_from,
                                   expires_on=expires_on)
    if state != "active":
        Filing.objects.filter(pk=filing.pk).update(state=state)
        filing.refresh_from_db()
    return filing


def sweep(day: dt.date | str) -> str:
    """`manage.py run_deadlines --as-of day`, its output."""
    out = io.StringIO()
    call_command("run_deadlines", "--as-of", str(day), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def eager_celery():
    """Tasks queued after commit run at once (the test settings keep Celery non-eager by default)."""
    from celery import current_app

    from filing_portal.celery import app

    apps = {id(a): a for a in (app, current_app._get_current_object())}.values()
    before = [(a, a.conf.task_always_eager) for a in apps]
    for a, _ in before:
        a.conf.task_always_eager = True
    yield
    for a, value in before:
        a.conf.task_always_eager = value


@pytest.fixture
def filed(hefei):
    """A Hefei institution with two active users with e-mail, one inactive user, and its filing."""
    institution = InstitutionFactory(name="合肥工匠职业技能评价中心", kind="S", region=hefei)
    users = [UserFactory(username="inst_a", role="institution", institution=institution, email="a@example.cn"),
             UserFactory(username="inst_b", role="institution", institution=institution, email="b@example.cn"),
             UserFactory(username="inst_gone", role="institution", institution=institution, email="c@example.cn",
                         is_active=False)]
    return {"institution": institution, "users": users, "filing": make_filing(institution)}
