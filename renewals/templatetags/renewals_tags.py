"""The renewal card of an institution user's home page (the kernel's home view does not know renewals)."""

from __future__ import annotations

from django import template

from filing_portal.core import clock
from institutions.filing_dates import grace_ends, renewal_window_opens
from institutions.models import Filing

from ..models import RenewalApplication

register = template.Library()


@register.simple_tag
def renewal_cards(user) -> list[dict]:
    """One card per filing of the user's institution from the window's opening (90 days / 3 months before
    expiry) to the end of the grace period: the days left and the renewal's status."""
    if getattr(user, "role", None) != "institution" or not getattr(user, "institution_id", None):
        return []
    today = clock.today()
    filings = Filing.objects.filter(institution_id=user.institution_id,
                                    state__in=(Filing.State.ACTIVE, Filing.State.EXPIRED)).select_related(
        "handling_region", "handling_region__province")
    cards = []
    for filing in filings:
        opens, last = renewal_window_opens(filing), grace_ends(filing)
        if not opens <= today <= last:
            continue
        renewal = (RenewalApplication.objects.filter(filing=filing, expires_on=filing.expires_on)
                   .order_by("-created_at", "-pk").first())
        cards.append({"filing": filing, "days_left": (filing.expires_on - today).days, "grace_ends": last,
                      "in_grace": today > filing.expires_on, "renewal": renewal,
                      "grace_days_left": (last - today).days})
    return cards
