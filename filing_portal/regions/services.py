"""Writes to the region tables: loading the provinces' reference data (regions, city codes, policy profiles).

The reference files live in `fixtures/reference/`, one per province, in this shape:

    {"province": {"code": "340000", "name": "安徽省"},
     "cities": [{"code": "340100", "name": "合肥市", "filing_city_code": "01"}, ...],
     "profile": {"acceptance_deadline_wd": 10, ..., "source_note": "..."},
     "ceilings": [{"city": "510100", "max_level": 2}]}          # optional (JUR-02)

Every file is parsed and checked before anything is written, so a bad file
changes nothing; every problem found is reported at once, each naming the file
and the entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError

from .models import JurisdictionCeiling, PolicyProfile, Region

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"

_SIX_DIGITS = re.compile(r"[0-9]{6}")  # not \d: Python's \d also matches full-width digits like "３"
_TWO_DIGITS = re.compile(r"[0-9]{2}")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_SMALLINT_MAX = 32767

# Profile fields a file must give (a missing number must not silently fall back to a default: the
# point of the file is to say where each number comes from), with the smallest value that makes sense.
_PROFILE_INT_FIELDS: dict[str, int] = {
    "renewal_window_value": 1,
    "grace_period_days": 0,
    "acceptance_deadline_wd": 1,
    "supplement_deadline_wd": 1,
    "completion_deadline_wd": 1,
    "public_notice_wd": 1,
    "validity_years": 1,
    "pilot_months": 0,
    "change_materials_wd": 1,
    "change_freeze_days": 0,
    "plan_lead_wd": 1,
    "results_publicity_days": 1,
    "results_report_wd": 1,
    "renewal_evaluation_wd": 1,
    "default_city_ceiling_level": 1,
}
_PROFILE_REQUIRED = [*_PROFILE_INT_FIELDS, "renewal_window_unit", "institution_code", "source_note"]
_PROFILE_OPTIONAL = {"required_name_suffix": ""}  # FIL-11: only Sichuan has one

_TOP_REQUIRED = ("province", "cities", "profile")
_TOP_OPTIONAL = ("ceilings",)


class ReferenceDataError(DomainError):
    """The reference files are invalid; `problems` lists each one as "file: entry: problem"."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems), code="invalid_reference_data")


@dataclass
class _ProvinceFile:
    path: Path
    province: dict
    cities: list[dict]
    profile: dict
    ceilings: list[dict]


def reference_data_files() -> list[Path]:
    """The shipped reference files, in a stable order."""
    return sorted(REFERENCE_DIR.glob("*.json"))


def reference_data_load(*, paths: Iterable[str | Path] | None = None, acting_user=None) -> dict:
    """Create or update provinces, cities, policy profiles and ceilings from reference files.

    Idempotent: rows are matched by GB/T 2260 code and only saved when a value differs,
    so a second run reports everything unchanged. A province's ceilings become exactly
    those in its file. Raises `ReferenceDataError` (nothing saved) if any file is invalid.

    Not `durable`: `seed_demo` calls this inside its own transaction.
    Returns {"provinces"|"cities"|"profiles"|"ceilings": {"created", "updated", "unchanged"[, "deleted"]}}.
    """
    paths = [Path(p) for p in paths] if paths else reference_data_files()
    if not paths:
        raise ReferenceDataError([_("No reference data files in %(dir)s.") % {"dir": REFERENCE_DIR}])
    files = _parse_all(paths)
    summary = {
        "provinces": {"created": 0, "updated": 0, "unchanged": 0},
        "cities": {"created": 0, "updated": 0, "unchanged": 0},
        "profiles": {"created": 0, "updated": 0, "unchanged": 0},
        "ceilings": {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0},
    }
    with transaction.atomic():
        _check_against_database(files)
        for data in files:
            _write_province_file(data, summary)
        changed = any(counts[k] for counts in summary.values() for k in counts if k != "unchanged")
        if changed:
            audit_record(
                actor=acting_user, action="reference_data.load",
                data={"files": [p.name for p in paths], "summary": summary},
            )
    return summary


# --- parsing and checking --------------------------------------------------------------------


def _parse_all(paths: list[Path]) -> list[_ProvinceFile]:
    problems: list[str] = []
    files: list[_ProvinceFile] = []
    seen_provinces: dict[str, Path] = {}
    for path in paths:
        data = _parse_file(path, problems)
        if data is None:
            continue
        code = data.province["code"]
        if code in seen_provinces:
            problems.append(_("%(file)s: province (%(code)s): the province is also defined in %(other)s.")
                            % {"file": path, "code": code, "other": seen_provinces[code]})
            continue
        seen_provinces[code] = path
        files.append(data)
    if problems:
        raise ReferenceDataError(problems)
    return files


def _parse_file(path: Path, problems: list[str]) -> _ProvinceFile | None:
    """Check one file; append its problems and return None if there are any."""
    before = len(problems)

    def problem(entry: str, message: str) -> None:
        problems.append(f"{path}: {entry}: {message}")

    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))  # -sig: tolerate a BOM from Windows editors
    except FileNotFoundError:
        problem(_("file"), _("the file does not exist."))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problem(_("file"), _("cannot read the file: %(error)s") % {"error": exc})
        return None
    except json.JSONDecodeError as exc:
        problem(_("file"), _("invalid JSON at line %(line)s column %(col)s: %(error)s")
                % {"line": exc.lineno, "col": exc.colno, "error": exc.msg})
        return None

    if not isinstance(raw, dict):
        problem(_("top level"), _("expected a JSON object with the keys %(keys)s.") % {"keys": ", ".join(_TOP_REQUIRED)})
        return None
    _check_keys(raw, _TOP_REQUIRED, _TOP_OPTIONAL, _("top level"), problem)

    province = raw.get("province")
    province_code = None
    if "province" in raw:
        if _check_object(province, "province", problem):
            _check_keys(province, ("code", "name"), (), "province", problem)
            province_code = _check_code(province.get("code"), "province", problem)
            if province_code and not province_code.endswith("0000"):
                problem("province", _('code "%(code)s" is not a province code (it must end in 0000).')
                        % {"code": province_code})
                province_code = None
            _check_name(province.get("name"), "province", problem)

    cities = raw.get("cities")
    city_codes: set[str] | None = None  # None: the city list itself is broken, ceilings cannot be matched
    if "cities" in raw:
        city_codes = _check_cities(cities, province_code, problem)

    profile = raw.get("profile")
    if "profile" in raw and _check_object(profile, "profile", problem):
        _check_profile(profile, problem)

    ceilings = raw.get("ceilings", [])
    if not isinstance(ceilings, list):
        problem("ceilings", _("expected a list."))
    else:
        _check_ceilings(ceilings, city_codes, problem)

    if len(problems) > before:
        return None
    return _ProvinceFile(path=path, province=province, cities=cities, profile=profile, ceilings=ceilings)


def _check_object(value, entry: str, problem) -> bool:
    if not isinstance(value, dict):
        problem(entry, _("expected a JSON object."))
        return False
    return True


def _check_keys(obj: dict, required: Iterable[str], optional: Iterable[str], entry: str, problem) -> None:
    for key in required:
        if key not in obj:
            problem(entry, _('missing required key "%(key)s".') % {"key": key})
    # A misspelt key would otherwise be ignored and its number silently left at the default.
    for key in sorted(set(obj) - set(required) - set(optional)):
        problem(entry, _('unknown key "%(key)s".') % {"key": key})


def _check_code(value, entry: str, problem) -> str | None:
    if value is None:
        return None  # already reported as missing
    if not isinstance(value, str) or not _SIX_DIGITS.fullmatch(value):
        problem(entry, _("region code %(code)s is not six digits (GB/T 2260, given as a string).")
                % {"code": json.dumps(value, ensure_ascii=False)})
        return None
    return value


def _check_name(value, entry: str, problem) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        problem(entry, _("the name must be a non-empty text of at most 64 characters."))


def _check_cities(cities, province_code: str | None, problem) -> set[str] | None:
    if not isinstance(cities, list) or not cities:
        problem("cities", _("expected a non-empty list of cities."))
        return None
    codes: dict[str, str] = {}
    filing_codes: dict[str, str] = {}
    for index, city in enumerate(cities):
        entry = f"cities[{index}]"
        if not _check_object(city, entry, problem):
            continue
        if isinstance(city.get("code"), str):
            entry = f"cities[{index}] ({city['code']})"
        _check_keys(city, ("code", "name", "filing_city_code"), (), entry, problem)
        code = _check_code(city.get("code"), entry, problem)
        if code:
            if code.endswith("0000") or not code.endswith("00"):
                problem(entry, _('code "%(code)s" is not a prefecture-level city code (it must end in 00 '
                                 'but not 0000).') % {"code": code})
            elif province_code and code[:2] != province_code[:2]:
                problem(entry, _('city code "%(code)s" does not start with the province\'s digits "%(prefix)s".')
                        % {"code": code, "prefix": province_code[:2]})
            elif code in codes:
                problem(entry, _('city code "%(code)s" is listed twice (also %(other)s).')
                        % {"code": code, "other": codes[code]})
            else:
                codes[code] = entry
        _check_name(city.get("name"), entry, problem)
        filing_code = city.get("filing_city_code")
        if filing_code is None:
            continue
        if not isinstance(filing_code, str) or not _TWO_DIGITS.fullmatch(filing_code):
            problem(entry, _("filing city code %(value)s is not two digits (given as a string).")
                    % {"value": json.dumps(filing_code, ensure_ascii=False)})
        elif filing_code == "00":
            problem(entry, _('filing city code "00" is reserved for the province itself (NUM-08).'))
        elif filing_code in filing_codes:
            problem(entry, _('duplicate filing city code "%(value)s": %(other)s has it too (NUM-08).')
                    % {"value": filing_code, "other": filing_codes[filing_code]})
        else:
            filing_codes[filing_code] = entry
    return set(codes)


def _check_profile(profile: dict, problem) -> None:
    _check_keys(profile, _PROFILE_REQUIRED, _PROFILE_OPTIONAL, "profile", problem)
    for field, minimum in _PROFILE_INT_FIELDS.items():
        value = profile.get(field)
        if value is None:
            continue
        # bool is an int in Python; `true` in a file is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= _SMALLINT_MAX:
            problem("profile", _("%(field)s must be a whole number of at least %(min)s, not %(value)s.")
                    % {"field": field, "min": minimum, "value": json.dumps(value, ensure_ascii=False)})
    level = profile.get("default_city_ceiling_level")
    if isinstance(level, int) and not isinstance(level, bool) and not 1 <= level <= 5:
        problem("profile", _("default_city_ceiling_level must be a level from 1 (高级技师) to 5 (初级工)."))
    unit = profile.get("renewal_window_unit")
    if unit is not None and unit not in PolicyProfile.WindowUnit.values:
        problem("profile", _('renewal_window_unit must be "days" or "months", not %(value)s.')
                % {"value": json.dumps(unit, ensure_ascii=False)})
    institution_code = profile.get("institution_code")
    if institution_code is not None and (
        not isinstance(institution_code, str) or not _FOUR_DIGITS.fullmatch(institution_code)
    ):
        problem("profile", _("institution_code must be four digits given as a string (NUM-01)."))
    for field in ("source_note", "required_name_suffix"):
        if field in profile and not isinstance(profile[field], str):
            problem("profile", _("%(field)s must be a text.") % {"field": field})
    suffix = profile.get("required_name_suffix", "")
    if isinstance(suffix, str) and len(suffix) > 32:
        problem("profile", _("required_name_suffix is longer than 32 characters."))


def _check_ceilings(ceilings: list, city_codes: set[str] | None, problem) -> None:
    seen: set[str] = set()
    for index, ceiling in enumerate(ceilings):
        entry = f"ceilings[{index}]"
        if not _check_object(ceiling, entry, problem):
            continue
        _check_keys(ceiling, ("city", "max_level"), (), entry, problem)
        city = ceiling.get("city")
        if city is not None:
            entry = f"ceilings[{index}] ({city})"
            if city_codes is not None and city not in city_codes:
                problem(entry, _("unknown region code %(code)s: not a city listed in this file.")
                        % {"code": json.dumps(city, ensure_ascii=False)})
            elif city in seen:
                problem(entry, _('city "%(code)s" has two ceilings.') % {"code": city})
            seen.add(city)
        level = ceiling.get("max_level")
        if "max_level" in ceiling and (isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5):
            problem(entry, _("max_level must be a level from 1 (高级技师) to 5 (初级工), not %(value)s.")
                    % {"value": json.dumps(level, ensure_ascii=False)})


def _check_against_database(files: list[_ProvinceFile]) -> None:
    """Refuse a filing city code already held by a city of the province that the file does not list.

    (Cities are never deleted here: filings and users point at them.)
    """
    problems: list[str] = []
    for data in files:
        listed = {city["code"] for city in data.cities}
        wanted = {city["filing_city_code"]: city["code"] for city in data.cities}
        others = Region.objects.filter(
            level=Region.Level.CITY, province__code=data.province["code"], filing_city_code__in=list(wanted)
        ).exclude(code__in=listed)
        for other in others:
            problems.append(
                _('%(file)s: cities (%(code)s): filing city code "%(value)s" is already used by %(name)s '
                  "(%(other)s), which this file does not list (NUM-08).")
                % {"file": data.path, "code": wanted[other.filing_city_code], "value": other.filing_city_code,
                   "name": other.name, "other": other.code}
            )
    if problems:
        raise ReferenceDataError(problems)


# --- writing ---------------------------------------------------------------------------------


def _upsert(model, lookup: dict, values: dict, counts: dict):
    """Create, or update only the fields that differ, so reruns write nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        counts["created"] += 1
        return model.objects.create(**lookup, **values)
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=changed)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return obj


def _write_province_file(data: _ProvinceFile, summary: dict) -> None:
    province = _upsert(
        Region, {"code": data.province["code"]},
        {"name": data.province["name"], "level": Region.Level.PROVINCE, "province_id": None, "filing_city_code": "00"},
        summary["provinces"],
    )
    _make_room_for_renumbered_cities(province, data.cities)
    cities = {
        city["code"]: _upsert(
            Region, {"code": city["code"]},
            {"name": city["name"], "level": Region.Level.CITY, "province_id": province.pk,
             "filing_city_code": city["filing_city_code"]},
            summary["cities"],
        )
        for city in data.cities
    }
    profile_values = {**_PROFILE_OPTIONAL, **data.profile}
    profile = _upsert(PolicyProfile, {"province": province}, profile_values, summary["profiles"])
    wanted = {cities[c["city"]].pk: c["max_level"] for c in data.ceilings}
    for ceiling in list(profile.ceilings.all()):
        if ceiling.city_id not in wanted:
            ceiling.delete()
            summary["ceilings"]["deleted"] += 1
    for city_id, max_level in wanted.items():
        _upsert(JurisdictionCeiling, {"profile": profile, "city_id": city_id}, {"max_level": max_level},
                summary["ceilings"])


def _make_room_for_renumbered_cities(province: Region, cities: list[dict]) -> None:
    """Park cities whose filing code changes on unused codes first.

    The (province, filing_city_code) constraint is checked row by row, so swapping two
    cities' codes in place would collide halfway through.
    """
    wanted = {city["code"]: city["filing_city_code"] for city in cities}
    moving = [
        region for region in Region.objects.filter(code__in=wanted, province=province)
        if region.filing_city_code != wanted[region.code]
    ]
    if not moving:
        return
    used = set(Region.objects.filter(province=province).values_list("filing_city_code", flat=True))
    used |= set(wanted.values())
    free = [code for code in (f"{n:02d}" for n in range(99, 0, -1)) if code not in used]
    if len(free) < len(moving):
        raise ReferenceDataError([_("%(province)s: no free filing city codes left to renumber cities.")
                                  % {"province": province.code}])
    for region, code in zip(moving, free, strict=False):
        region.filing_city_code = code
        region.save(update_fields=["filing_city_code"])
