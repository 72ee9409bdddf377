"""The supervision file: one timeline of everything on record about an institution (SUP-02, SUP-07, INC-01)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.services import batch_submit
from filing_portal.core.errors import DomainError
from institutions.models import Filing
from institutions.services.filings import filing_suspend
from supervision.cases import case_open
from supervision.complaints import complaint_answer, complaint_start, complaint_submit
from supervision.models import Case, Inspection, ValidityPeriod
from supervision.timeline import KINDS, institution_file
from tests.assessments.conftest import filing, plan  # noqa: F401
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

D = dt.date.fromisoformat


def inspection(filing, n=1, **kw):  # noqa: F811
    return Inspection.objects.create(reference=f"JC-2026-{n:06d}", kind=kw.pop("kind", "random"), filing=filing,
                                     institution=filing.institution, region=filing.handling_region, **kw)


def complaint(people, day="2026-04-02"):  # noqa: F811
    with on(day):
        return complaint_submit(facts="收费与公示不符", institution=people["inst"], anonymous=True)


@pytest.fixture
def history(filing, people, occupations):  # noqa: F811
    """A filed institution with a batch, a suspension, a refused plan, an inspection, a complaint, a decided case."""
    batch = plan(filing, people, occupations)
    with on("2026-04-01"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
    inspection(filing, kind="exam", batch=batch, planned_on=D("2026-04-20"), inspected_on=D("2026-04-20"),
               outcome="fail", summary="无考场录像")
    c = complaint(people)
    with on("2026-04-03"):
        complaint_start(complaint=c, acting_user=people["city_hefei"])
        complaint_answer(complaint=c, outcome="substantiated", response="属实", acting_user=people["city_hefei"])
        case = case_open(institution=people["inst"], region=filing.handling_region, origin="complaint",
                         summary="收费与公示不符", acting_user=people["city_hefei"], filing=filing)
    Case.objects.filter(pk=case.pk).update(state="decided", tier="tier2", article="22(5)", decision="责令整改",
                                           decided_on=D("2026-04-25"), rectification_due=D("2026-05-25"),
                                           notice_number="ZG-2026-000001")
    with on("2026-04-25"):
        filing_suspend(filing=filing, reason="责令整改：收费与公示不符", acting_user=people["city_hefei"])
    with pytest.raises(DomainError):
        plan(Filing.objects.get(pk=filing.pk), people, occupations)  # refused for the suspension and recorded (SUP-07)
    ValidityPeriod.objects.create(filing=filing, index=1, starts_on=filing.valid_from, ends_on=filing.expires_on)
    return {"batch": batch, "complaint": c, "case": case}


def test_the_file_has_every_kind_with_rules__SUP_02_SUP_07(history, filing, people):  # noqa: F811
    file = institution_file(people["inst"])
    kinds = {e.kind for e in file.entries}
    assert kinds == set(KINDS)
    rules = {(e.kind, e.rule) for e in file.entries}
    assert ("refusal", "SUP-07") in rules and ("filing", "SUP-04") in rules and ("filing", "FIL-08") in rules
    assert ("decision", "SUP-04") in rules and ("complaint", "SUP-02") in rules and ("inspection", "ASM-04") in rules
    assert ("announcement", "PUB-02") in rules
    titles = " ".join(e.title for e in file.entries)
    assert filing.number in titles and history["batch"].plan_number in titles and history["case"].reference in titles
    assert [e.date for e in file.entries] == sorted((e.date for e in file.entries), reverse=True)
    assert [p.index for p in file.periods] == [1]


def test_the_file_is_built_from_a_constant_number_of_queries(history, filing, people):  # noqa: F811
    with CaptureQueriesContext(connection) as first:
        before = len(institution_file(people["inst"]).entries)
    for n in range(2, 6):
        inspection(filing, n, planned_on=D("2026-05-01"))
        complaint(people, "2026-05-02")
    with CaptureQueriesContext(connection) as second:
        after = len(institution_file(people["inst"]).entries)
    assert after == before + 8
    assert len(second) == len(first) <= 10


def test_staff_page_lists_the_timeline_in_jurisdiction__JUR_03(client, history, filing, people):  # noqa: F811
    url = reverse("supervision:institution_file", args=[people["inst"].pk])
    client.force_login(people["city_hefei"])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert history["complaint"].ack_number in text and "SUP-07" in text and history["case"].reference in text
    assert filing.number in text and "2026-04-25" in text
    only = client.get(url, {"kind": "complaint"}).content.decode()
    assert history["complaint"].ack_number in only and history["batch"].plan_number not in only
    client.force_login(people["city_wuhu"])
    assert client.get(url).status_code == 404
    client.force_login(people["inst_user"])
    assert client.get(url).status_code == 403


def test_institution_sees_its_own_file_without_complaint_numbers(client, history, people):  # noqa: F811
    client.force_login(people["inst_user"])
    page = client.get(reverse("supervision:my_file"))
    text = page.content.decode()
    assert page.status_code == 200
    assert history["batch"].plan_number in text and history["case"].reference in text
    assert history["complaint"].ack_number not in text
