"""Occupation checks (ELIG-03)."""

from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError

from .occupations import Occupation


def occupation_check_fileable(*, code: str, level: int) -> Occupation:
    """ELIG-03: the occupation exists, is a skill occupation (groups 3–6), is not access-licensed and has a
    national standard or an active filed norm covering the level."""
    occupation = Occupation.objects.filter(code=(code or "").strip()).first()
    if occupation is None or not occupation.active:
        raise DomainError(_("Occupation %(code)s is not in the national occupational classification.")
                          % {"code": code}, rule="ELIG-03", code="unknown_occupation")
    if occupation.major_group not in (3, 4, 5, 6):
        raise DomainError(_("%(occ)s is not a skill occupation (major groups 3–6).") % {"occ": occupation},
                          rule="ELIG-03", code="not_skill_occupation")
    if occupation.is_access_licensed:
        raise DomainError(_("%(occ)s is an access-type licensed occupation and cannot be filed.")
                          % {"occ": occupation}, rule="ELIG-03", code="access_licensed")
    if not occupation.has_national_standard and not any(
            level in (norm.levels or []) for norm in occupation.norms.filter(active=True)):
        raise DomainError(_("%(occ)s has no national skill standard or filed evaluation norm for level %(level)d.")
                          % {"occ": occupation, "level": level}, rule="ELIG-03", code="no_standard")
    return occupation
