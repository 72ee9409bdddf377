"""The occupation catalogue (职业分类大典, ELIG-03): loading it, and checking an occupation can be filed.

The catalogue file (`fixtures/occupations/occupations.json`) has this shape:

    {"source": "...",
     "occupations": [{"code": "4-12-01-01", "name": "汽车维修工", "work_types": ["汽车机械维修工", ...],
                      "has_national_standard": true, "is_access_licensed": false, "is_new": false,
                      "published_year": null, "active": true, "note": ""}, ...],
     "norms": [{"occupation": "4-13-01-10", "title": "...", "filed_on": "2025-03-18",
                "filed_by": "...", "levels": [3, 4, 5], "active": true}, ...]}

Only "code" and "name" are required for an occupation; a missing flag takes the model's default.
The whole file is checked before anything is written, and every problem is reported at once,
each naming the entry.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError

from .occupations import (
    CODE_VALIDATOR,
    LEVELS,
    SKILL_GROUPS,
    EvaluationNorm,
    Occupation,
    WorkType,
    validate_levels,
)

OCCUPATIONS_FILE = Path(settings.BASE_DIR) / "fixtures" / "occupations" / "occupations.json"

_TOP_KEYS = {"source", "notes", "occupations", "norms"}
_OCCUPATION_FLAGS = {
    "has_national_standard": False, "is_access_licensed": False, "is_new": False, "active": True,
}
_OCCUPATION_KEYS = {"code", "name", "work_types", "published_year", "note", *_OCCUPATION_FLAGS}
_NORM_KEYS = {"occupation", "title", "filed_on", "filed_by", "levels", "active"}
_NAME_MAX = Occupation._meta.get_field("name").max_length
_NOTE_MAX = Occupation._meta.get_field("note").max_length
_TITLE_MAX = EvaluationNorm._meta.get_field("title").max_length
_FILED_BY_MAX = EvaluationNorm._meta.get_field("filed_by").max_length


class OccupationDataError(DomainError, CommandError):
    """The catalogue file is invalid; nothing was saved. `problems` lists each as "entry: problem".

    Also a `CommandError`, so `manage.py load_occupations` and `seed_demo` report it without a traceback.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems), code="invalid_occupation_data")


def occupations_load(*, path: str | Path | None = None, acting_user=None) -> dict:
    """Create or update the occupation catalogue (occupations, work types, evaluation norms) from a file.

    Idempotent: occupations are matched by code and norms by (occupation, title), and a row is only
    saved when a value differs, so a second run reports everything unchanged. Nothing is deleted:
    occupations, work types and norms missing from the file stay (filings point at them; an
    occupation is retired by setting `active` to false). Raises `OccupationDataError` (a
    `CommandError`) naming every bad entry, and then saves nothing.

    Not `durable`: `seed_demo` calls this inside its own transaction.
    Returns {"occupations"|"norms": {"created", "updated", "unchanged"},
             "work_types": {"created", "unchanged"}}.
    """
    path = Path(path) if path else OCCUPATIONS_FILE
    occupations, norms = _parse(path)
    summary = {
        "occupations": {"created": 0, "updated": 0, "unchanged": 0},
        "work_types": {"created": 0, "unchanged": 0},
        "norms": {"created": 0, "updated": 0, "unchanged": 0},
    }
    with transaction.atomic():
        known = {o.code: o for o in Occupation.objects.filter(code__in=[n["occupation"] for n in norms])}
        missing = [n for n in norms if n["occupation"] not in known and n["occupation"] not in occupations]
        if missing:
            raise OccupationDataError([
                _('norms[%(index)s] (%(title)s): unknown occupation "%(code)s": it is neither in the file '
                  "nor in the catalogue.")
                % {"index": n["_index"], "title": n["title"], "code": n["occupation"]}
                for n in missing
            ])
        existing = {o.code: o for o in Occupation.objects.filter(code__in=list(occupations))}
        for code, entry in occupations.items():
            known[code] = _write_occupation(entry, existing.get(code), summary)
        for norm in norms:
            _write_norm(norm, known[norm["occupation"]], summary["norms"])
        changed = any(counts.get("created") or counts.get("updated") for counts in summary.values())
        if changed:
            audit_record(actor=acting_user, action="occupations.load",
                         data={"file": path.name, "summary": summary})
    return summary


def occupation_check_fileable(*, code: str, level: int) -> Occupation:
    """ELIG-03: the occupation can be filed at this level, or `DomainError` (rule ELIG-03) says why not.

    It must be in the catalogue and active, a skill occupation (major groups 3–6), not access-type
    licensed (准入类), and have a national skill standard or an active filed evaluation norm
    (评价规范) that covers the level (1 = 高级技师 … 5 = 初级工).
    """
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise DomainError(_("Level %(level)s does not exist; levels run from 1 (senior technician) to 5 "
                            "(junior worker).") % {"level": level}, rule="ELIG-03", code="invalid_level")
    code = (code or "").strip()
    occupation = Occupation.objects.filter(code=code).prefetch_related("norms").first()
    if occupation is None:
        raise DomainError(_("Occupation %(code)s is not in the national occupational classification.")
                          % {"code": code or "—"}, rule="ELIG-03", code="unknown_occupation")
    names = {"occupation": str(occupation), "level": level}
    if not occupation.active:
        raise DomainError(_("%(occupation)s is no longer an active occupation of the classification.")
                          % names, rule="ELIG-03", code="inactive_occupation")
    if occupation.major_group not in SKILL_GROUPS:
        raise DomainError(_("%(occupation)s is not a skill occupation: only occupations of major groups 3 "
                            "to 6 can be filed.") % names, rule="ELIG-03", code="not_skill_occupation")
    if occupation.is_access_licensed:
        raise DomainError(_("%(occupation)s is an access-type licensed occupation and cannot be filed for "
                            "skill-level evaluation.") % names, rule="ELIG-03", code="access_licensed")
    if occupation.has_national_standard:
        return occupation
    norms = [norm for norm in occupation.norms.all() if norm.active]
    if any(norm.covers(level) for norm in norms):
        return occupation
    if norms:
        covered = sorted({lv for norm in norms for lv in norm.levels})
        raise DomainError(_("%(occupation)s has no national skill standard, and its filed evaluation norms "
                            "cover levels %(levels)s but not level %(level)s.")
                          % {**names, "levels": ", ".join(map(str, covered))},
                          rule="ELIG-03", code="no_standard")
    raise DomainError(_("%(occupation)s has neither a national skill standard nor a filed evaluation norm.")
                      % names, rule="ELIG-03", code="no_standard")


# --- parsing and checking --------------------------------------------------------------------


def _parse(path: Path) -> tuple[dict[str, dict], list[dict]]:
    """Check the whole file; return (occupations by code, norms) or raise with every problem found."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))  # -sig: tolerate a BOM from Windows editors
    except FileNotFoundError:
        raise OccupationDataError([_("%(file)s: the file does not exist.") % {"file": path}]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OccupationDataError([_("%(file)s: cannot read the file: %(error)s")
                                   % {"file": path, "error": exc}]) from None
    except json.JSONDecodeError as exc:
        message = _("%(file)s: invalid JSON at line %(line)s column %(col)s: %(error)s") % {
            "file": path, "line": exc.lineno, "col": exc.colno, "error": exc.msg}
        raise OccupationDataError([message]) from None
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("occupations"), list):
        raise OccupationDataError([_('%(file)s: expected a JSON object with an "occupations" list.')
                                   % {"file": path}])
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(_('top level: unknown key "%(key)s".') % {"key": key})
    occupations: dict[str, dict] = {}
    for index, entry in enumerate(raw["occupations"]):
        checked = _check_occupation(index, entry, occupations, problems)
        if checked:
            occupations[checked["code"]] = checked
    norms_raw = raw.get("norms", [])
    norms: list[dict] = []
    if not isinstance(norms_raw, list):
        problems.append(_('norms: expected a list.'))
    else:
        seen: dict[tuple[str, str], int] = {}
        for index, entry in enumerate(norms_raw):
            checked = _check_norm(index, entry, problems)
            if not checked:
                continue
            key = (checked["occupation"], checked["title"])
            if key in seen:
                problems.append(_('norms[%(index)s] (%(title)s): the same norm is listed twice for %(code)s '
                                  "(also norms[%(other)s]).") % {"index": index, "title": checked["title"],
                                                           "code": checked["occupation"], "other": seen[key]})
                continue
            seen[key] = index
            norms.append(checked)
    if problems:
        raise OccupationDataError(problems)
    return occupations, norms


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _check_occupation(index: int, entry, occupations: dict[str, dict], problems: list[str]) -> dict | None:
    before = len(problems)
    if not isinstance(entry, dict):
        problems.append(_("occupations[%(index)s]: expected a JSON object.") % {"index": index})
        return None
    code = entry.get("code")
    label = f"occupations[{index}] ({code})" if isinstance(code, str) else f"occupations[{index}]"

    def problem(message: str) -> None:
        problems.append(f"{label}: {message}")

    for key in ("code", "name"):
        if key not in entry:
            problem(_('missing required key "%(key)s".') % {"key": key})
    for key in sorted(set(entry) - _OCCUPATION_KEYS):
        problem(_('unknown key "%(key)s".') % {"key": key})
    if "code" in entry:
        try:
            if not isinstance(code, str):
                raise ValidationError("not a string")
            CODE_VALIDATOR(code)
        except ValidationError:
            problem(_("code %(code)s is not of the form d-dd-dd-dd (e.g. 4-12-01-01), major group 1 to 8.")
                    % {"code": _json(code)})
        else:
            if code in occupations:
                problem(_('code "%(code)s" is listed twice (also occupations[%(other)s]).')
                        % {"code": code, "other": occupations[code]["_index"]})
    name = entry.get("name")
    if "name" in entry and (not isinstance(name, str) or not name.strip() or len(name) > _NAME_MAX):
        problem(_("the name must be a non-empty text of at most %(max)s characters.") % {"max": _NAME_MAX})
    for flag in _OCCUPATION_FLAGS:
        if flag in entry and not isinstance(entry[flag], bool):
            problem(_("%(field)s must be true or false, not %(value)s.")
                    % {"field": flag, "value": _json(entry[flag])})
    year = entry.get("published_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2100):
        problem(_("published_year must be a year or null, not %(value)s.") % {"value": _json(year)})
    note = entry.get("note", "")
    if not isinstance(note, str) or len(note) > _NOTE_MAX:
        problem(_("the note must be a text of at most %(max)s characters.") % {"max": _NOTE_MAX})
    work_types = entry.get("work_types", [])
    if not isinstance(work_types, list):
        problem(_("work_types must be a list of names."))
        work_types = []
    seen: set[str] = set()
    for work_type in work_types:
        if not isinstance(work_type, str) or not work_type.strip() or len(work_type) > _NAME_MAX:
            problem(_("work type %(value)s must be a non-empty text of at most %(max)s characters.")
                    % {"value": _json(work_type), "max": _NAME_MAX})
        elif work_type.strip() in seen:
            problem(_('work type "%(name)s" is listed twice.') % {"name": work_type.strip()})
        else:
            seen.add(work_type.strip())
    if len(problems) > before:
        return None
    values = {flag: entry.get(flag, default) for flag, default in _OCCUPATION_FLAGS.items()}
    return {"_index": index, "code": code, "name": name.strip(), "published_year": year, "note": note,
            "work_types": [w.strip() for w in work_types], **values}


def _check_norm(index: int, entry, problems: list[str]) -> dict | None:
    before = len(problems)
    if not isinstance(entry, dict):
        problems.append(_("norms[%(index)s]: expected a JSON object.") % {"index": index})
        return None
    title = entry.get("title")
    label = f"norms[{index}] ({title})" if isinstance(title, str) else f"norms[{index}]"

    def problem(message: str) -> None:
        problems.append(f"{label}: {message}")

    for key in ("occupation", "title", "filed_on", "levels"):
        if key not in entry:
            problem(_('missing required key "%(key)s".') % {"key": key})
    for key in sorted(set(entry) - _NORM_KEYS):
        problem(_('unknown key "%(key)s".') % {"key": key})
    code = entry.get("occupation")
    if "occupation" in entry:
        try:
            if not isinstance(code, str):
                raise ValidationError("not a string")
            CODE_VALIDATOR(code)
        except ValidationError:
            problem(_("occupation %(code)s is not an occupation code such as 4-12-01-01.")
                    % {"code": _json(code)})
    if "title" in entry and (not isinstance(title, str) or not title.strip() or len(title) > _TITLE_MAX):
        problem(_("the title must be a non-empty text of at most %(max)s characters.") % {"max": _TITLE_MAX})
    filed_on = None
    if "filed_on" in entry:
        try:
            if isinstance(entry["filed_on"], str):
                filed_on = dt.date.fromisoformat(entry["filed_on"])
        except ValueError:
            filed_on = None
        if filed_on is None:
            problem(_("filed_on must be a date written YYYY-MM-DD, not %(value)s.")
                    % {"value": _json(entry["filed_on"])})
    filed_by = entry.get("filed_by", "")
    if not isinstance(filed_by, str) or len(filed_by) > _FILED_BY_MAX:
        problem(_("filed_by must be a text of at most %(max)s characters.") % {"max": _FILED_BY_MAX})
    if "levels" in entry:
        try:
            validate_levels(entry["levels"])
        except ValidationError:
            problem(_("levels must be a non-empty list of distinct levels from 1 (senior technician) to 5 "
                      "(junior worker), not %(value)s.") % {"value": _json(entry["levels"])})
    active = entry.get("active", True)
    if not isinstance(active, bool):
        problem(_("active must be true or false, not %(value)s.") % {"value": _json(active)})
    if len(problems) > before:
        return None
    return {"_index": index, "occupation": code, "title": title.strip(), "filed_on": filed_on,
            "filed_by": filed_by, "levels": sorted(entry["levels"]), "active": active}


# --- writing ---------------------------------------------------------------------------------


def _write_occupation(entry: dict, occupation: Occupation | None, summary: dict) -> Occupation:
    values = {key: entry[key] for key in ("name", "published_year", "note", *_OCCUPATION_FLAGS)}
    counts = summary["occupations"]
    if occupation is None:
        occupation = Occupation.objects.create(code=entry["code"], **values)
        counts["created"] += 1
    else:
        changed = [field for field, value in values.items() if getattr(occupation, field) != value]
        if changed:
            for field in changed:
                setattr(occupation, field, values[field])
            occupation.save(update_fields=changed)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    have = set(occupation.work_types.values_list("name", flat=True))
    new = [WorkType(occupation=occupation, name=name) for name in entry["work_types"] if name not in have]
    WorkType.objects.bulk_create(new)
    summary["work_types"]["created"] += len(new)
    summary["work_types"]["unchanged"] += len(entry["work_types"]) - len(new)
    return occupation


def _write_norm(entry: dict, occupation: Occupation, counts: dict) -> None:
    values = {key: entry[key] for key in ("filed_on", "filed_by", "levels", "active")}
    norm = EvaluationNorm.objects.filter(occupation=occupation, title=entry["title"]).first()
    if norm is None:
        EvaluationNorm.objects.create(occupation=occupation, title=entry["title"], **values)
        counts["created"] += 1
        return
    changed = [field for field, value in values.items() if getattr(norm, field) != value]
    if changed:
        for field in changed:
            setattr(norm, field, values[field])
        norm.save(update_fields=changed)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
