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


# A tier-3 case staff have confirmed (open or under investigation) blocks a renewal; a mere proposal of the
# sweep does not until staff confirm it (SUP-06: staff confirm or dismiss what the sweep detects).
PENDING_TERMINATION_STATES = (Case.State.OPEN, Case.State.INVESTIGATING)


def termination_cases(filing):
    """REN-05: a case that ends the filing (tier 3) is pending (confirmed by staff) or was decided against it."""
    return Case.objects.filter(filing=filing).filter(
        Q(state__in=PENDING_TERMINATION_STATES, proposed_tier=Tier.TIER3) | Q(tier=Tier.TIER3)
        | Q(state=Case.State.ESCALATED))


# -- cases (SUP-03…06) --------------------------------------------------------------------------------------
# What the institution sees of its cases: the decision and what follows (not proposals or investigations).
INSTITUTION_STATES = (Case.State.DECIDED, Case.State.RECTIFICATION_SUBMITTED, Case.State.CLOSED,
                      Case.State.ESCALATED)


def cases_visible_to(user):
    """Cases in the caller's view: staff those of their jurisdiction (JUR-03), an institution its own decided
    cases and later, everyone else none."""
    from filing_portal.regions.selectors import regions_visible_to

    qs = Case.objects.select_related("institution", "filing", "region", "decided_by", "escalated_from",
                                     "voided_batch", "batch")
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role in ("city_staff", "province_staff"):
        return qs.filter(region__in=regions_visible_to(user))
    if role == "institution" and user.institution_id:
        return qs.filter(institution_id=user.institution_id, state__in=INSTITUTION_STATES)
    return qs.none()
