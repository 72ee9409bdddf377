"""Eligibility checks at submission (ELIG-01…11, JUR-01/02, CHG-04/05). Every problem names its rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.regions.jurisdiction import handling_region, profile_for

from ..models import Filing, FilingApplication, Institution, Venue, uscc_problem
from ..occupation_services import occupation_check_fileable

BAN_YEARS = 3  # ELIG-11
TECHNICIAN_LEVELS = {1, 2}


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str


class EligibilityError(DomainError):
    """One or more eligibility rules refuse the submission; `problems` lists all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(f"{p.rule}: {p.message}" for p in problems), rule=problems[0].rule,
                         code="not_eligible")
        self.problems = problems

    def as_dict(self) -> dict:
        return {**super().as_dict(), "problems": [{"rule": p.rule, "message": p.message} for p in self.problems]}


def institution_banned_until(institution: Institution) -> dt.date | None:
    """ELIG-11: 3 years from the latest revocation."""
    revoked = (Filing.objects.filter(institution=institution, state=Filing.State.REVOKED)
               .order_by("-revoked_on").values_list("revoked_on", flat=True).first())
    return revoked + relativedelta(years=BAN_YEARS) if revoked else None


def application_levels(application: FilingApplication) -> set[int]:
    return {int(level) for row in application.occupations.all() for level in row.levels}


def application_check_eligibility(application: FilingApplication, *, today: dt.date | None = None) -> list[Problem]:
    """Every rule the application breaks (empty when it may be submitted)."""
    today = today or clock.today()
    institution = application.institution
    problems: list[Problem] = []
    if uscc_problem(institution.uscc):
        problems.append(Problem("ELIG-01", _("The unified social credit code %(code)s is not valid.")
                                % {"code": institution.uscc}))
    banned_until = institution_banned_until(institution)
    if banned_until and today < banned_until:
        problems.append(Problem("ELIG-11", _("The institution's filing was revoked; it may apply again from "
                                             "%(date)s.") % {"date": banned_until.isoformat()}))
    problems.extend(_registration_problems(application, institution))
    problems.extend(_name_problems(application, institution))
    if (institution.kind == Institution.Kind.SOCIAL and institution.sub_type == Institution.SubType.ASSOCIATION
            and institution.association_rating not in ("3A", "4A", "5A")):
        problems.append(Problem("ELIG-09", _("An industry association needs a civil-affairs rating of 3A or above.")))
    if application.kind == FilingApplication.Kind.INFO_CHANGE:
        if not any(str(v).strip() for v in (application.proposed_changes or {}).values()):
            problems.append(Problem("CHG-02", _("An information change proposes at least one new value.")))
        return problems
    rows = list(application.occupations.select_related("occupation"))
    if not rows:
        problems.append(Problem("ELIG-03", _("Apply for at least one occupation.")))
    for row in rows:
        if not row.levels:
            problems.append(Problem("ELIG-03", _("Choose the levels for %(occ)s.") % {"occ": row.occupation.name}))
        for level in sorted(row.levels):
            try:
                occupation_check_fileable(code=row.occupation.code, level=int(level))
            except DomainError as exc:
                problems.append(Problem(exc.rule or "ELIG-03", exc.message))
                break
        if TECHNICIAN_LEVELS & set(row.levels) and not row.prior_senior_evaluation:
            problems.append(Problem("ELIG-05", _("Technician levels of %(occ)s need prior experience evaluating "
                                                 "senior worker or above.") % {"occ": row.occupation.name}))
    if institution.kind == Institution.Kind.EMPLOYER:
        problems.extend(_business_problems(application, rows))
    if application.province_wide:
        # ELIG-06: ≥5 consecutive years, ≥20,000 person-times in total and ≥5,000 in the occupation, or subsidised duties.
        enough = application.years_of_experience >= 5 and application.total_person_times >= 20000 and all(
            row.person_times >= 5000 for row in rows)
        if not (enough or application.subsidised_training):
            problems.append(Problem("ELIG-06", _("Province-wide service needs 5 consecutive years, 20,000 "
                                                 "person-times in total and 5,000 in each occupation, or "
                                                 "government-subsidised training duties.")))
    if institution.kind == Institution.Kind.EMPLOYER and not application.attachments.filter(kind="incentive").exists():
        problems.append(Problem("ELIG-08", _("Employers attach the incentive scheme linking certificate level to "
                                             "post, pay or bonus.")))
    problems.extend(_venue_problems(application, institution))
    if application.kind == FilingApplication.Kind.SCOPE_CHANGE:
        problems.extend(_change_problems(application, today))
    return problems


def _registration_problems(application: FilingApplication, institution: Institution) -> list[Problem]:
    """ELIG-01: the applicant is registered in the province of the office it files with.

    The office's province follows from the institution's region (or, for a change, from the filing's office);
    the registration follows from the division code in positions 3–8 of the credit code. A ministry-affiliated
    unit may be registered nationally, so only its region is checked.
    """
    province = institution.region.province_region
    office = application.filing.handling_region if application.filing_id else province
    if office.province_region.pk != province.pk:
        return [Problem("ELIG-01", _("%(name)s is located in %(here)s, outside %(office)s, which holds its filing.")
                        % {"name": institution.name, "here": province.name, "office": office.province_region.name})]
    code = (institution.uscc or "").strip().upper()
    if (institution.affiliation != Institution.Affiliation.MINISTRY and len(code) == 18
            and code[2:4] != province.province_code):
        return [Problem("ELIG-01", _("The credit code %(code)s was issued outside %(province)s (division code "
                                     "%(division)s); the applicant must be registered in the province.")
                        % {"code": code, "province": province.name, "division": code[2:8]})]
    return []


def name_has_required_suffix(name: str, suffix: str) -> bool:
    """FIL-11: Sichuan writes its suffix "职业技能考核鉴定所（站）", meaning "…所" or "…站" (or the suffix as written)."""
    name = (name or "").strip()
    if not suffix or name.endswith(suffix):
        return True
    match = re.fullmatch(r"(.*)(.)[（(](.+)[）)]", suffix)
    if match is None:
        return False
    stem, first, second = match.groups()
    return any(name.endswith(stem + ending) and len(name) > len(stem) + len(ending) for ending in (first, second))


def _name_problems(application: FilingApplication, institution: Institution) -> list[Problem]:
    """FIL-11: the name (the proposed one, for an information change) carries the province's required suffix."""
    suffix = profile_for(institution.region).required_name_suffix
    name = (application.proposed_changes or {}).get("name") or institution.name
    if suffix and not name_has_required_suffix(name, suffix):
        return [Problem("FIL-11", _("Institution names here are the full legal name followed by "
                                    "“%(suffix)s”; “%(name)s” is not.") % {"suffix": suffix, "name": name})]
    return []


def _business_problems(application: FilingApplication, rows) -> list[Problem]:
    """ELIG-04: an employer's occupations relate directly to its main business, which it states per occupation."""
    problems = []
    if not (application.main_business or "").strip():
        problems.append(Problem("ELIG-04", _("Employers state their main business.")))
    for row in rows:
        if not (row.business_relation or "").strip():
            problems.append(Problem("ELIG-04", _("State how %(occ)s relates directly to the main business.")
                                    % {"occ": row.occupation.name}))
    return problems


def _venue_problems(application: FilingApplication, institution: Institution) -> list[Problem]:
    problems = []
    venues = list(application.venues.all())
    codes_applied = {row.occupation.code for row in application.occupations.all()}
    for venue in venues:
        if venue.tenure == Venue.Tenure.TEMPORARY:
            problems.append(Problem("ELIG-10", _("Temporary rented venues are not allowed (%(addr)s).")
                                    % {"addr": venue.address}))
        if (venue.is_college_venue and institution.kind == Institution.Kind.SOCIAL
                and institution.sub_type != Institution.SubType.COLLEGE):
            problems.append(Problem("ELIG-10", _("A social organisation that is not a college should not file a "
                                                 "college venue (%(addr)s).") % {"addr": venue.address}))
    # ELIG-10: one venue is not filed twice for the same occupation by different institutions.
    keys = {v.address_key: v for v in venues}
    if keys:
        others = (Venue.objects.filter(application__state=FilingApplication.State.APPROVED,
                                       application__filing__state__in=["active", "suspended"])
                  .exclude(application__institution=institution)
                  .select_related("application__institution"))
        live_filings = Filing.objects.filter(state__in=["active", "suspended"]).exclude(institution=institution)
        source_ids = set(live_filings.values_list("source_application_id", flat=True))
        others = Venue.objects.filter(application_id__in=source_ids).select_related("application__institution")
        for other in others:
            mine = keys.get(other.address_key)
            if mine is None:
                continue
            shared = (set(mine.occupation_codes or codes_applied)) & set(other.occupation_codes)
            if shared:
                problems.append(Problem("ELIG-10", _("The venue %(addr)s is already filed by %(other)s for "
                                                     "%(codes)s.") % {"addr": mine.address,
                                                                      "other": other.application.institution.name,
                                                                      "codes": "、".join(sorted(shared))}))
    return problems


def _change_problems(application: FilingApplication, today: dt.date) -> list[Problem]:
    filing = application.filing
    if filing is None:
        return [Problem("CHG-01", _("A scope change belongs to a filing."))]
    if filing.expansion_barred_until and today <= filing.expansion_barred_until:
        # SUP-04 (FJ23 Art.22, 24): a sanction bars new occupations, levels and sites for the validity period;
        # no staff override lifts it.
        return [Problem("SUP-04", _("After a violation finding no new occupations, levels or sites are accepted "
                                    "until %(date)s: %(reason)s")
                        % {"date": filing.expansion_barred_until.isoformat(),
                           "reason": filing.expansion_barred_reason})]
    if application.override_reason:
        return []  # staff override recorded with its reason (audited by the service)
    problems = []
    profile = profile_for(filing.handling_region)
    if (filing.expires_on - today).days <= profile.change_freeze_days:
        problems.append(Problem("CHG-05", _("Within %(days)d days of expiry (%(date)s) new or changed occupations "
                                            "are suspended; apply with the renewal.")
                                % {"days": profile.change_freeze_days, "date": filing.expires_on.isoformat()}))
    if today < filing.first_filed_on + relativedelta(years=1):
        problems.append(Problem("CHG-04", _("Scope changes are allowed after one year of evaluation work "
                                            "(from %(date)s).") % {"date": (filing.first_filed_on
                                                                            + relativedelta(years=1)).isoformat()}))
    return problems


def application_handling_region(application: FilingApplication):
    """JUR-01/02: the office that handles the application."""
    institution = application.institution
    levels = application_levels(application) or {5}
    if application.kind != FilingApplication.Kind.INITIAL and application.filing_id:
        levels |= set(application.filing.scope.filter(active=True).values_list("level", flat=True))
    city = institution.region
    return handling_region(city=city, levels=levels,
                           province_affiliated=institution.affiliation != Institution.Affiliation.LOCAL,
                           profile=profile_for(city))
