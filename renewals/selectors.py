"""Reads of the renewals app, scoped to what the user may see (JUR-03)."""

from __future__ import annotations

from django.db.models import QuerySet

from filing_portal.regions.selectors import regions_visible_to

from .models import RenewalApplication

STAFF_ROLES = ("city_staff", "province_staff", "admin")


def renewals_visible_to(user) -> QuerySet[RenewalApplication]:
    """Institutions see their own renewals; the office those of the filings it holds, once submitted."""
    qs = RenewalApplication.objects.select_related("filing", "filing__institution", "filing__handling_region",
                                                   "filing__handling_region__province")
    role = getattr(user, "role", None)
    if role == "institution" and user.institution_id:
        return qs.filter(filing__institution_id=user.institution_id)
    if role == "admin":
        return qs.exclude(state=RenewalApplication.State.DRAFT)
    if role in ("city_staff", "province_staff"):
        return qs.filter(filing__handling_region__in=regions_visible_to(user)).exclude(
            state=RenewalApplication.State.DRAFT)
    return qs.none()


def renewal_queue(user) -> QuerySet[RenewalApplication]:
    """The office's queue: what waits for it first (submitted, under evaluation by due date), then decided."""
    from django.db.models import Case, IntegerField, Value, When

    order = Case(When(state="submitted", then=Value(0)), When(state="under_evaluation", then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return renewals_visible_to(user).annotate(waiting=order).order_by("waiting", "evaluation_due", "submitted_on",
                                                                      "pk")
