"""Who handles what, and who may see what (JUR-01/02/03), plus the profile's date helpers.

Levels are numbered as in the national scheme: 1 = 高级技师 (highest) … 5 = 初级工 (lowest),
so a city "handles up to level 3" means it handles levels 3, 4 and 5.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from filing_portal.accounts.models import Role
from filing_portal.core.errors import DomainError

from .models import PolicyProfile, Region

LEVELS = range(1, 6)


def profile_for(region: Region) -> PolicyProfile:
    """The policy profile of the region's province, with its jurisdiction ceilings prefetched."""
    province_id = region.pk if region.level == Region.Level.PROVINCE else region.province_id
    profile = PolicyProfile.objects.select_related("province").prefetch_related("ceilings").filter(
        province_id=province_id
    ).first()
    if profile is None:
        province = region.province_region
        raise DomainError(
            _("%(province)s (%(code)s) has no policy profile; load its reference data first.")
            % {"province": province.name, "code": province.code},
            rule="JUR-01", code="missing_policy_profile",
        )
    return profile


def handling_region(
    *,
    city: Region,
    levels: Iterable[int],
    province_affiliated: bool = False,
    profile: PolicyProfile | None = None,
) -> Region:
    """The office that handles a filing for a unit located in `city` covering `levels`.

    JUR-01: the province when the unit is province- or ministry-affiliated (省、部属) or any
    level is above what the city handles; otherwise the city. JUR-02: the city's ceiling comes
    from the profile (Chengdu handles up to 技师, level 2). Pass `profile` to save a query
    when routing many filings of one province.
    """
    levels = list(levels)
    for level in levels:
        if isinstance(level, bool) or level not in LEVELS:
            raise ValueError(f"skill level must be 1–5, got {level!r}")
    province = city.province_region
    if city.level == Region.Level.PROVINCE or province_affiliated:
        return province
    profile = profile if profile is not None else profile_for(city)
    ceiling = profile.ceiling_for(city)
    # A smaller number is a higher level: level 2 is above a ceiling of 3.
    if any(level < ceiling for level in levels):
        return province
    return city


def staff_scope(user) -> tuple[str, int | None]:
    """The user's jurisdiction (JUR-03) as ("all", None), ("province", id), ("city", id) or ("none", None).

    Province staff need a province as their region and city staff a city; a staff account
    pointing at the wrong kind of region sees nothing rather than guessing.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ("none", None)
    role = getattr(user, "role", None)
    if role == Role.ADMIN or getattr(user, "is_superuser", False):
        return ("all", None)
    if role in (Role.PROVINCE_STAFF, Role.CITY_STAFF) and user.region_id:
        wanted = Region.Level.PROVINCE if role == Role.PROVINCE_STAFF else Region.Level.CITY
        if user.region.level == wanted:
            return (wanted.value, user.region_id)
    return ("none", None)


def region_in_jurisdiction(user, region: Region) -> bool:
    """JUR-03: province staff cover their province and its cities, city staff their city, admins all."""
    kind, region_id = staff_scope(user)
    if kind == "all":
        return True
    if kind == Region.Level.PROVINCE:
        return region.pk == region_id or region.province_id == region_id
    if kind == Region.Level.CITY:
        return region.pk == region_id
    return False


def renewal_window_start(profile: PolicyProfile, expires_on: date) -> date:
    """First day on which a renewal may be applied for (REN-01): 90 days (FJ) or 3 months (JL) before expiry.

    Months are calendar months clamped to the month's end: 3 months before 2027-05-31 is 2027-02-28.
    """
    if profile.renewal_window_unit == PolicyProfile.WindowUnit.MONTHS:
        return expires_on - relativedelta(months=profile.renewal_window_value)
    return expires_on - timedelta(days=profile.renewal_window_value)
