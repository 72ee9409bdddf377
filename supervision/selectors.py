"""What other apps read from supervision (renewals reads these for REN-05)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from filing_portal.core import clock

from .models import Case, Tier

OPEN_STATES = (Case.State.PROPOSED, Case.State.OPEN, Case.State.INVESTIGATING)


def rectification_overdue_cases(filing, today: dt.date | None = None):
    """REN-05: tier-2 rectification orders of the filing not completed in time: the due date passed with no
    rectification submitted, or the rectification came in after its due date, or it was escalated."""
    today = today or clock.today()
    return Case.objects.filter(filing=filing, tier=Tier.TIER2, rectification_due__lt=today).filter(
        Q(state__in=(Case.State.DECIDED, Case.State.ESCALATED))
        | Q(rectification_submitted_on__gt=F("rectification_due")))


def termination_cases(filing):
    """REN-05: a case that ends the filing (tier 3) is pending or was decided against it."""
    return Case.objects.filter(filing=filing).filter(
        Q(state__in=OPEN_STATES, proposed_tier=Tier.TIER3) | Q(tier=Tier.TIER3) | Q(state=Case.State.ESCALATED))
