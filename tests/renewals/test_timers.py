"""The timers of a filing's life in the deadline sweep: expiry (REN-02), lapse (REN-03), the scope-change
freeze by date (CHG-05) and the evaluation overdue flag (REN-07) — batched, audited, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import FilingNumber
from filing_portal.audit.models import AuditEvent
from filing_portal.audit.services import audit_verify_chain
from filing_portal.core.deadlines import registered_sweeps
from filing_portal.regions.models import PolicyProfile
from institutions.filing_dates import grace_ends, scope_freeze_starts
from institutions.models import Announcement, Filing
from institutions.services.eligibility import _change_problems
from institutions.services.filings import filings_expire_due, filings_lapse_due
from renewals.deadlines import renewals_flag_overdue
from renewals.models import RenewalApplication
from tests.factories import InstitutionFactory
from tests.renewals import fixtures_timers
from tests.renewals.fixtures_timers import EXPIRES, D, make_filing, sweep

filed = fixtures_timers.filed  # a fixture

ONE_DAY = dt.timedelta(days=1)


def _institutions(region, n):
    return [InstitutionFactory(name=f"合肥第{i}职业技能评价中心", kind="S", region=region) for i in range(n)]


def test_the_sweeps_run_expiry_before_lapse_before_reminders():
    names = registered_sweeps()
    assert names.index("institutions.filing_expiry") < names.index("renewals.filing_lapse") \
        < names.index("renewals.reminders") < names.index("renewals.evaluation_overdue")


def test_expiry_is_batched_audited_once_and_idempotent__REN_02(hefei):
    filings = [make_filing(i) for i in _institutions(hefei, 5)]
    later = make_filing(InstitutionFactory(region=hefei), expires_on=EXPIRES + ONE_DAY)
    assert filings_expire_due(EXPIRES) == 0  # the last valid day is still valid
    assert filings_expire_due(EXPIRES + ONE_DAY, chunk_size=2) == 5  # three chunks
    assert filings_expire_due(EXPIRES + ONE_DAY) == 0  # again: nothing left
    assert set(Filing.objects.filter(state="expired").values_list("pk", flat=True)) == {f.pk for f in filings}
    assert Filing.objects.get(pk=later.pk).state == "active"
    events = AuditEvent.objects.filter(action="filing.expire")
    assert sorted(int(e.object_id) for e in events) == sorted(f.pk for f in filings)
    event = events.get(object_id=str(filings[0].pk))
    assert (event.from_state, event.to_state, event.actor_id, event.actor_role) == ("active", "expired", None,
                                                                                   "system")
    assert event.object_repr == filings[0].number and EXPIRES.isoformat() in event.comment
    assert audit_verify_chain().ok


def _expire_queries(day) -> int:
    with CaptureQueriesContext(connection) as ctx:
        filings_expire_due(day)
    return len(ctx.captured_queries)


def test_expiry_query_count_does_not_grow_with_the_filings__REN_02(hefei):
    for i in _institutions(hefei, 3):
        make_filing(i, expires_on=D("2029-03-01"))
    for i in _institutions(hefei, 12):
        make_filing(i, expires_on=D("2029-03-05"))
    small = _expire_queries(D("2029-03-02"))
    large = _expire_queries(D("2029-03-06"))
    assert Filing.objects.filter(state="expired").count() == 15
    assert small == large
    assert audit_verify_chain().ok


def test_lapse_after_the_grace_period_is_published_and_retires_the_number__REN_03_NUM_03(filed):
    filing = filed["filing"]
    end = grace_ends(filing)
    assert end == D("2029-05-08")
    sweep(EXPIRES + ONE_DAY)
    assert Filing.objects.get(pk=filing.pk).state == "expired"
    assert "renewals.filing_lapse: 0 changed" in sweep(end)  # the last day of grace: still expired
    assert Filing.objects.get(pk=filing.pk).state == "expired"
    assert "renewals.filing_lapse: 1 changed" in sweep(end + ONE_DAY)
    assert "renewals.filing_lapse: 0 changed" in sweep(end + ONE_DAY)
    filing.refresh_from_db()
    assert filing.state == "lapsed"
    announcement = Announcement.objects.get(kind="lapsed", filing=filing)
    assert announcement.published_on == end + ONE_DAY and filing.number in announcement.body
    assert filed["institution"].name in announcement.title and "REN-03" in announcement.body
    number = FilingNumber.objects.get(pk=filing.filing_number_id)
    assert (number.status, number.retired_reason, number.retired_on) == ("retired", "lapsed", end + ONE_DAY)
    lapse = AuditEvent.objects.get(action="filing.lapse")
    assert (lapse.object_id, lapse.from_state, lapse.to_state) == (str(filing.pk), "expired", "lapsed")
    assert AuditEvent.objects.filter(action="filingnumber.retire", object_id=str(number.pk)).count() == 1
    assert audit_verify_chain().ok


def _renewal(filing, user, state):
    application = RenewalApplication.objects.create(
        reference=f"XQ-{filing.pk}", filing=filing, expires_on=filing.expires_on, institution_name="x",
        uscc=filing.institution.uscc, created_by=user)
    RenewalApplication.objects.filter(pk=application.pk).update(state=state)
    return application


@pytest.mark.parametrize("state", ["submitted", "under_evaluation"])
def test_a_pending_renewal_holds_the_lapse__REN_03(filed, state):
    filing = filed["filing"]
    _renewal(filing, filed["users"][0], state)
    sweep(EXPIRES + ONE_DAY)
    assert "renewals.filing_lapse: 0 changed" in sweep(grace_ends(filing) + dt.timedelta(days=5))
    assert Filing.objects.get(pk=filing.pk).state == "expired"


def test_a_draft_renewal_does_not_hold_the_lapse__REN_03(filed):
    filing = filed["filing"]
    _renewal(filing, filed["users"][0], "draft")
    sweep(EXPIRES + ONE_DAY)
    sweep(grace_ends(filing) + ONE_DAY)
    assert Filing.objects.get(pk=filing.pk).state == "lapsed"


def test_lapse_is_chunked_and_uses_each_provinces_grace_period__REN_03(hefei, anhui):
    filings = [make_filing(i, state="expired") for i in _institutions(hefei, 5)]
    end = grace_ends(filings[0])
    assert filings_lapse_due(end) == 0
    PolicyProfile.objects.filter(province=anhui).update(grace_period_days=61)
    assert filings_lapse_due(end + ONE_DAY, chunk_size=2) == 0  # a 61-day grace: one more day
    assert filings_lapse_due(end + 2 * ONE_DAY, chunk_size=2) == 5
    assert Announcement.objects.filter(kind="lapsed").count() == 5
    assert AuditEvent.objects.filter(action="filing.lapse").count() == 5
    assert audit_verify_chain().ok


def test_the_scope_change_freeze_takes_effect_on_its_date__CHG_05(filed):
    from institutions.models import FilingApplication

    filing = filed["filing"]
    change = FilingApplication.objects.create(institution=filed["institution"], kind="scope_change", filing=filing)
    starts = scope_freeze_starts(filing)
    assert starts == EXPIRES - dt.timedelta(days=90)
    day_before = {p.rule for p in _change_problems(change, starts - ONE_DAY)}
    on_the_day = {p.rule for p in _change_problems(change, starts)}
    assert "CHG-05" not in day_before and "CHG-05" in on_the_day


def test_an_evaluation_past_its_due_date_is_flagged_once__REN_07(filed):
    application = _renewal(filed["filing"], filed["users"][0], "under_evaluation")
    RenewalApplication.objects.filter(pk=application.pk).update(evaluation_due=D("2029-04-20"))
    assert "renewals.evaluation_overdue: 0 changed" in sweep("2029-04-20")
    assert "renewals.evaluation_overdue: 1 changed" in sweep("2029-04-25")
    assert "renewals.evaluation_overdue: 0 changed" in sweep("2029-04-26")
    assert RenewalApplication.objects.get(pk=application.pk).evaluation_overdue_on == D("2029-04-21")
    assert AuditEvent.objects.filter(action="renewalapplication.evaluation_overdue").count() == 1
    assert renewals_flag_overdue(D("2029-05-01")) == 0
    assert audit_verify_chain().ok
