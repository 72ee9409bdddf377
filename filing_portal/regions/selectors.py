"""Read queries on regions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .jurisdiction import staff_scope
from .models import Region


def regions_visible_to(user) -> QuerySet[Region]:
    """The regions the user's jurisdiction covers (JUR-03), for `region__in=` scoping elsewhere.

    Admins: all; province staff: their province and its cities; city staff: their city; others: none.
    Kept in step with `jurisdiction.region_in_jurisdiction` through the shared `staff_scope`.
    """
    kind, region_id = staff_scope(user)
    regions = Region.objects.all()
    if kind == "all":
        return regions
    if kind == Region.Level.PROVINCE:
        return regions.filter(Q(pk=region_id) | Q(province_id=region_id))
    if kind == Region.Level.CITY:
        return regions.filter(pk=region_id)
    return regions.none()


def provinces_with_cities() -> QuerySet[Region]:
    """Provinces with their cities prefetched, for region pickers and the public directory's filter."""
    return Region.objects.filter(level=Region.Level.PROVINCE).prefetch_related("cities")
