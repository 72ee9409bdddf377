"""The dates of a filing's life that follow from its expiry and the policy profile (REN-01, REN-03, CHG-05).

Stored: `Filing.expires_on`. Derived here (one place; renewals, the API and the sweep read these):
the renewal window's first day, the last day of the grace period, and the first day of the scope-change freeze.
"""

from __future__ import annotations

import datetime as dt

from filing_portal.regions.jurisdiction import profile_for, renewal_window_start


def renewal_window_opens(filing, profile=None) -> dt.date:
    """REN-01: the first day a renewal may be applied for — 90 days (FJ22) or 3 months (JL25) before expiry."""
    return renewal_window_start(profile or profile_for(filing.handling_region), filing.expires_on)


def grace_ends(filing, profile=None) -> dt.date:
    """REN-03: the last day of the 60-day grace period (存续期) after expiry; later, the renewal is given up."""
    profile = profile or profile_for(filing.handling_region)
    return filing.expires_on + dt.timedelta(days=profile.grace_period_days)


def scope_freeze_starts(filing, profile=None) -> dt.date:
    """CHG-05: from this day new or changed occupation applications are suspended until the renewal."""
    profile = profile or profile_for(filing.handling_region)
    return filing.expires_on - dt.timedelta(days=profile.change_freeze_days)
