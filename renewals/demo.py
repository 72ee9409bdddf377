"""Demo scenario of renewals (DESIGN.md "Demo data", issue 7 item 10): Hefei institutions in the renewal
window, in the grace period, lapsed and renewed — filed through the real workflow on past dates, then moved
by the same sweeps beat runs (expiry, lapse, reminders). Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from filing_portal.accounts.models import User
from filing_portal.core import clock
from institutions.demo import _draft, _institution, _user_for, _walk
from institutions.filing_dates import grace_ends
from institutions.models import Filing
from institutions.services.filings import filing_renew, filings_expire_due

from .deadlines import filing_lapse
from .reminders import reminders_send_due

# key, name, USCC seed, days from "three years ago today" the filing application is submitted
SCENARIO = [
    ("window", "合肥匠心职业技能评价中心", "3P5T7W1", 30),     # expires in about 6 weeks: the window
    ("grace", "合肥通达汽车技能培训学校", "3P5T7W2", -40),      # expired about 4 weeks ago: in grace
    ("lapsed", "合肥远航职业技能评价中心", "3P5T7W3", -130),    # expired, 60 days passed: lapsed
    ("renewed", "合肥卓越职业技能评价中心", "3P5T7W4", 20),     # renewed in its window
]


def seed_demo(stdout) -> None:
    today = clock.today()
    staff = User.objects.get(username="city_hefei")
    expert = User.objects.get(username="expert1")
    made = {}
    for key, name, seed, offset in SCENARIO:
        institution = _institution(name, "S", "340100", seed)
        user = _user_for(institution, f"inst_{key}")
        if not user.email:
            user.email = f"inst_{key}@example.cn"
            user.save(update_fields=["email"])
        filing = Filing.objects.filter(institution=institution).first()
        if filing is None:
            start = today - relativedelta(years=3) + dt.timedelta(days=offset)
            _walk(_draft(institution, user), user, staff, expert, until="approved", start=start)
            filing = Filing.objects.get(institution=institution)
            if key == "renewed":
                with clock.as_of(min(today, filing.expires_on - dt.timedelta(days=30))):
                    filing_renew(filing=filing, acting_user=staff)
        made[key] = filing
    # What beat would have done on the days these filings reached their dates.
    days = {f.expires_on + dt.timedelta(days=1) for f in made.values()}
    days |= {grace_ends(f) + dt.timedelta(days=1) for f in made.values()}
    for day in sorted(days | {today}):
        if day <= today:
            with clock.as_of(day):
                filings_expire_due(day)
                filing_lapse(day)
    with clock.as_of(today):
        reminders_send_due(today)
    states = {key: Filing.objects.get(pk=f.pk).state for key, f in made.items()}
    stdout.write("renewals: " + ", ".join(f"{key} {Filing.objects.get(pk=f.pk).number} {states[key]} "
                                           f"(valid until {Filing.objects.get(pk=f.pk).expires_on})"
                                           for key, f in made.items()))
