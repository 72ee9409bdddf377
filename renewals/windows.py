"""When a renewal may be applied for (REN-01, REN-03): from the window's opening before expiry until the last
day of the grace period after it. The dates themselves come from `institutions.filing_dates` (one place)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from institutions.filing_dates import grace_ends, renewal_window_opens
from institutions.models import Filing

# A renewal is applied for by an active filing (in its window) or an expired one (in its grace period).
RENEWABLE_STATES = (Filing.State.ACTIVE, Filing.State.EXPIRED)
# The rule that ends each other state's standing, named when a renewal is refused for it.
STATE_RULES = {
    Filing.State.LAPSED: "REN-03",
    Filing.State.REVOKED: "SUP-05",
    Filing.State.TERMINATED: "TERM-01",
    Filing.State.SUSPENDED: "SUP-04",
}


def renewal_may_apply(filing: Filing, today: dt.date) -> tuple[bool, str | None, str]:
    """(allowed, rule, message): may the filing's institution apply for its renewal on `today`?

    REN-01: from the first day of the window (90 days / 3 months before `expires_on`, the last valid day);
    REN-03: until the last day of the 60-day grace period; a lapsed, revoked, terminated or suspended filing
    may not (the rule of its state is named)."""
    if filing.state not in RENEWABLE_STATES:
        rule = STATE_RULES.get(filing.state, "REN-01")
        return False, rule, _("Filing %(number)s is %(state)s: it cannot be renewed.") % {
            "number": filing.number, "state": filing.get_state_display()}
    opens, last = renewal_window_opens(filing), grace_ends(filing)
    if today < opens:
        return False, "REN-01", _("The renewal window of filing %(number)s opens on %(day)s (expiry %(expiry)s).") % {
            "number": filing.number, "day": opens.isoformat(), "expiry": filing.expires_on.isoformat()}
    if today > last:
        return False, "REN-03", _("The grace period of filing %(number)s ended on %(day)s: the renewal was given up.") \
            % {"number": filing.number, "day": last.isoformat()}
    if today > filing.expires_on:
        return True, "REN-03", _("Filing %(number)s expired on %(expiry)s; a renewal is accepted in the grace period "
                                 "until %(day)s.") % {"number": filing.number, "expiry": filing.expires_on.isoformat(),
                                                      "day": last.isoformat()}
    return True, "REN-01", _("The renewal window of filing %(number)s is open until its expiry on %(expiry)s.") % {
        "number": filing.number, "expiry": filing.expires_on.isoformat()}


def in_grace(filing: Filing, today: dt.date) -> bool:
    """REN-03: `today` is after the last valid day (and at most the grace period's last day)."""
    return filing.expires_on < today <= grace_ends(filing)


def days_left(filing: Filing, today: dt.date) -> int:
    """Days until expiry (negative in the grace period)."""
    return (filing.expires_on - today).days
