"""The renewals demo scenario (issue 7 item 10): institutions in the window, in grace, lapsed and renewed."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from filing_portal.audit.services import audit_verify_chain
from filing_portal.core import clock
from institutions.filing_dates import grace_ends, renewal_window_opens
from institutions.models import Announcement, Filing


@pytest.mark.django_db
def test_seed_demo_shows_every_stage_of_a_filings_life_and_is_idempotent():
    call_command("seed_demo", "--force", stdout=io.StringIO())
    filings = {f.institution.name: f for f in Filing.objects.select_related("institution")}
    today = clock.today()
    window, grace = filings["合肥匠心职业技能评价中心"], filings["合肥通达汽车技能培训学校"]
    lapsed, renewed = filings["合肥远航职业技能评价中心"], filings["合肥卓越职业技能评价中心"]
    assert window.state == "active" and renewal_window_opens(window) <= today <= window.expires_on
    assert grace.state == "expired" and grace.expires_on < today <= grace_ends(grace)
    assert lapsed.state == "lapsed" and grace_ends(lapsed) < today
    assert Announcement.objects.filter(kind="lapsed", filing=lapsed,
                                       published_on=grace_ends(lapsed) + dt.timedelta(days=1)).exists()
    assert renewed.state == "active" and renewed.renewed_count == 1 and renewed.expires_on > today + dt.timedelta(
        days=3 * 365)
    assert window.reminders.exists() and grace.reminders.filter(kind="expired").exists()
    before = (Filing.objects.count(), Announcement.objects.count())
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert (Filing.objects.count(), Announcement.objects.count()) == before
    assert audit_verify_chain().ok
