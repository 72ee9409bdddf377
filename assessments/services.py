"""Every write of the assessments app: plans, their workflow, candidates, results, certificates.

Refusals because the filing is not active are also recorded (SUP-07): the refused attempt is
written to the audit trail after the failed transaction has rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric

from certificates.services import HolderData, certificates_issue
from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import transition_run
from filing_portal.personal_data import lookup_kwargs, validate_id_number
from filing_portal.regions.jurisdiction import profile_for
from filing_portal.workdays.calendar import due_date

from .models import AssessmentBatch, BatchItem, BatchStaff, Candidate, ResultObjection

NOT_ACTIVE_RULES = {"REN-02"}
OUT_OF_SCOPE_RULES = {"ASM-02"}  # occupations, work types or levels outside the filed scope


def _record_refusal(batch_or_filing, user, exc: DomainError, action: str) -> None:
    """SUP-07: an assessment refused because of the filing's standing, or because it is outside the filed
    scope, is recorded."""
    if exc.rule in NOT_ACTIVE_RULES or exc.rule in OUT_OF_SCOPE_RULES:
        reason = "not_active" if exc.rule in NOT_ACTIVE_RULES else "outside_scope"
        with transaction.atomic():
            audit_record(actor=user, action=action, obj=batch_or_filing, comment=exc.message,
                         data={"rule": "SUP-07", "refused_rule": exc.rule, "reason": reason})


def _run(batch: AssessmentBatch, name: str, user, *, ip=None, params=None, comment="", before=None,
         after=None) -> AssessmentBatch:
    """One transition with the writes around it in one transaction; a refusal for the filing's standing is
    recorded after that transaction rolled back (so callers must not wrap this in a transaction of theirs)."""
    try:
        with transaction.atomic():
            if before:
                before(batch)
            batch = transition_run(instance=batch, name=name, acting_user=user, ip=ip, params=params or {},
                                   comment=comment)
            if after:
                after(batch)
            return batch
    except DomainError as exc:
        _record_refusal(batch, user, exc, f"assessmentbatch.{name}.refused")
        raise


@dataclass(frozen=True)
class PlanItem:
    occupation_id: int
    level: int
    work_type: str = ""


@dataclass(frozen=True)
class PlanPerson:
    role: str
    name: str
    phone: str
    organisation: str = ""
    is_trainer: bool = False


def _check_plan(filing, acting_user, venue_address: str, action: str) -> None:
    """Who plans on which filing (JUR-03), the filing's standing (REN-02, recorded: SUP-07), the venue (ELIG-10)."""
    from .selectors import filed_venues, venue_key

    if acting_user.role != "institution" or acting_user.institution_id != filing.institution_id:
        raise PermissionDeniedError(_("Only the filed institution plans its batches."), rule="JUR-03")
    if filing.state != "active" or filing.expires_on < clock.today():
        exc = DomainError(_("Filing %(n)s is %(state)s: it may not plan assessments.")
                          % {"n": filing.number, "state": filing.get_state_display()}, rule="REN-02",
                          code="filing_not_active")
        _record_refusal(filing, acting_user, exc, action)
        raise exc
    venues = filed_venues(filing)
    if venue_key(venue_address) not in {venue_key(v) for v in venues}:
        raise DomainError(_("%(venue)s is not a venue of filing %(n)s; choose one of its filed venues: %(list)s.")
                          % {"venue": venue_address, "n": filing.number, "list": "；".join(venues) or "—"},
                          rule="ELIG-10", code="venue_not_filed")


def batch_create(*, filing, acting_user, exam_start: dt.date, exam_end: dt.date, venue_address: str,
                 candidate_source: str, planned_count: int, items: Sequence[PlanItem], staff: Sequence[PlanPerson],
                 theory: bool = True, practical: bool = True, comprehensive: bool = False,
                 method: str = "exam") -> AssessmentBatch:
    """A draft plan. Only an active filing may plan (REN-02, ASM-02, SUP-07), at one of its filed venues
    (ELIG-10); the pass mark comes from the province's policy profile."""
    _check_plan(filing, acting_user, venue_address, "assessmentbatch.create.refused")
    with transaction.atomic():
        from institutions.models import Filing

        Filing.objects.select_for_update().get(pk=filing.pk)  # serialises plan numbering per filing
        year = exam_start.year
        seq = AssessmentBatch.objects.filter(filing=filing, plan_number__startswith=f"{filing.number}{year}").count()
        region = filing.institution.region
        pass_mark = profile_for(region).pass_mark
        batch = AssessmentBatch.objects.create(
            plan_number=f"{filing.number}{year}{seq + 1:03d}", filing=filing, institution=filing.institution,
            handling_region=region, exam_start=exam_start, exam_end=exam_end, venue_address=venue_address,
            candidate_source=candidate_source, planned_count=planned_count, theory=theory, practical=practical,
            comprehensive=comprehensive, method=method, pass_mark=pass_mark,
        )
        BatchItem.objects.bulk_create([BatchItem(batch=batch, occupation_id=i.occupation_id, level=i.level,
                                                 work_type=i.work_type) for i in items])
        BatchStaff.objects.bulk_create([BatchStaff(batch=batch, role=p.role, name=p.name, phone=p.phone,
                                                   organisation=p.organisation, is_trainer=p.is_trainer)
                                        for p in staff])
        audit_record(actor=acting_user, action="assessmentbatch.create", obj=batch, to_state="draft")
    return batch


def batch_update(*, batch: AssessmentBatch, acting_user, exam_start: dt.date, exam_end: dt.date,
                 venue_address: str, candidate_source: str, planned_count: int, items: Sequence[PlanItem],
                 staff: Sequence[PlanPerson], theory: bool = True, practical: bool = True,
                 comprehensive: bool = False, method: str = "exam") -> AssessmentBatch:
    """The institution changes its draft plan (a new one, or one returned for changes) before submitting it
    again; the same checks as `batch_create`. The items and the staff are replaced; one audit event."""
    _check_plan(batch.filing, acting_user, venue_address, "assessmentbatch.update.refused")
    with transaction.atomic():
        locked = AssessmentBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        if locked.state != AssessmentBatch.State.DRAFT:
            raise DomainError(_("Only a draft plan is changed; this one is %(state)s.")
                              % {"state": locked.get_state_display()}, rule="ASM-01", code="invalid_state")
        fields = {"exam_start": exam_start, "exam_end": exam_end, "venue_address": venue_address,
                  "candidate_source": candidate_source, "planned_count": planned_count, "theory": theory,
                  "practical": practical, "comprehensive": comprehensive, "method": method}
        changed = sorted(k for k, v in fields.items() if getattr(locked, k) != v)
        AssessmentBatch.objects.filter(pk=locked.pk).update(**fields)
        locked.items.all().delete()
        locked.staff.all().delete()
        BatchItem.objects.bulk_create([BatchItem(batch=locked, occupation_id=i.occupation_id, level=i.level,
                                                 work_type=i.work_type) for i in items])
        BatchStaff.objects.bulk_create([BatchStaff(batch=locked, role=p.role, name=p.name, phone=p.phone,
                                                   organisation=p.organisation, is_trainer=p.is_trainer)
                                        for p in staff])
        audit_record(actor=acting_user, action="assessmentbatch.update", obj=locked,
                     data={"changed": changed, "items": len(items), "staff": len(staff)})
    return AssessmentBatch.objects.get(pk=batch.pk)


def batch_submit(*, batch: AssessmentBatch, acting_user, ip=None) -> AssessmentBatch:
    """ASM-01: ≥ 10 WD before the exam, scope and standing checked; JUR-04: technician levels copied up."""
    copied = batch.items.filter(level__lte=2).exists()

    def before(b):
        AssessmentBatch.objects.filter(pk=b.pk).update(copied_to_province=copied)

    return _run(batch, "submit", acting_user, ip=ip, params={"copied_to_province": copied}, before=before)


def batch_approve(*, batch, acting_user, ip=None):
    return _run(batch, "approve", acting_user, ip=ip)


def batch_return(*, batch, reason: str, acting_user, ip=None):
    if not reason.strip():
        raise DomainError(_("Say what must change."), rule="ASM-01", code="reason_required")
    return _run(batch, "return_for_changes", acting_user, ip=ip, params={"reason": reason.strip()})


def batch_conduct(*, batch, acting_user, ip=None):
    return _run(batch, "conduct", acting_user, ip=ip)


def batch_cancel(*, batch, reason: str, acting_user, ip=None):
    if not reason.strip():
        raise DomainError(_("Give the reason for cancelling."), rule="ASM-01", code="reason_required")
    return _run(batch, "cancel", acting_user, ip=ip, params={"reason": reason.strip()})


# -- candidates -----------------------------------------------------------------------------------------------
@dataclass
class CandidateData:
    name: str
    gender: str
    id_type: str
    id_number: str
    occupation_code: str
    level: int
    work_type: str = ""
    employer: str = ""
    city: str = ""
    photo: object | None = None  # an uploaded file (JPEG/PNG ≤ 2 MB by content, certificates.photos)


def candidate_problems(batch: AssessmentBatch, data: CandidateData, *, items=None, allowed_employers=None) -> dict:
    """Field → message for everything wrong with one candidate row (empty when fine)."""
    problems: dict[str, str] = {}
    if not data.name.strip():
        problems["name"] = _("The name is empty.")
    if data.gender not in ("M", "F"):
        problems["gender"] = _("Gender is 男 or 女.")
    try:
        number = validate_id_number(data.id_type, data.id_number)
    except ValidationError as exc:
        problems["id_number"] = " ".join(exc.messages)
    else:
        if data.id_type == "201" and data.gender in ("M", "F"):
            male = int(number[16]) % 2 == 1  # GB 11643: the 17th digit is odd for men
            if male != (data.gender == "M"):
                problems["gender"] = _("CERT-02: the gender does not match the ID number.")
            birth = ric.get_birth_date(number)
            if birth > clock.today() - dt.timedelta(days=16 * 365):
                problems["id_number"] = _("CERT-02: the birth date in the ID number makes the candidate younger "
                                          "than 16.")
    items = items if items is not None else {(i.occupation.code, i.level) for i in batch.items.select_related("occupation")}
    if (data.occupation_code, data.level) not in items:
        problems["occupation"] = _("ASM-02: %(code)s level %(level)s is not in this batch's plan.") % {
            "code": data.occupation_code, "level": data.level}
    if allowed_employers is not None and "".join(data.employer.split()) not in allowed_employers:
        problems["employer"] = _("ELIG-02: an employer assesses its own staff and its listed subsidiaries' only.")
    if getattr(data, "photo", None):
        from certificates.photos import photo_bytes, photo_validate

        try:
            photo_validate(photo_bytes(data.photo))
        except ValidationError as exc:
            problems["photo"] = " ".join(exc.messages)
    return problems


def employer_names(batch: AssessmentBatch) -> set[str] | None:
    """ELIG-02: the units an employer (Y) may assess; None for social organisations (anyone)."""
    institution = batch.institution
    if institution.kind != "Y":
        return None
    return {"".join(institution.name.split())} | {"".join(s.name.split())
                                                   for s in institution.subsidiaries.all()}


def _editable_for_candidates(batch: AssessmentBatch, user) -> None:
    if user.role != "institution" or user.institution_id != batch.institution_id:
        raise PermissionDeniedError(_("Only the batch's institution manages its candidates."), rule="JUR-03")
    if batch.state not in ("draft", "submitted", "scheduled"):
        raise DomainError(_("Candidates are listed before the exam."), rule="ASM-01", code="not_editable")


@transaction.atomic
def candidates_add(*, batch: AssessmentBatch, rows: Sequence[CandidateData], acting_user) -> list[Candidate]:
    """All or nothing: every bad row is reported (row number → field → message) and nothing is saved."""
    from institutions.models import Occupation

    _editable_for_candidates(batch, acting_user)
    items = {(i.occupation.code, i.level) for i in batch.items.select_related("occupation")}
    employers = employer_names(batch)
    occupations = {o.code: o for o in Occupation.objects.filter(code__in={r.occupation_code for r in rows})}
    existing = set(batch.candidates.values_list("id_number_hash", "occupation__code", "level"))
    errors: dict[int, dict[str, str]] = {}
    seen: dict[tuple, int] = {}
    prepared = []
    for index, row in enumerate(rows, start=1):
        problems = candidate_problems(batch, row, items=items, allowed_employers=employers)
        key = None
        if "id_number" not in problems:
            key = (lookup_kwargs(row.id_number)["id_number_hash"], row.occupation_code, int(row.level))
            if key in seen:
                problems["id_number"] = _("Duplicate of row %(n)d in this sheet.") % {"n": seen[key]}
            elif key in existing:
                problems["id_number"] = _("This person is already a candidate for this occupation and level.")
            seen.setdefault(key, index)
        if problems:
            errors[index] = problems
        else:
            prepared.append((row, key))
    if errors:
        raise CandidateImportError(errors)
    from certificates.models import Certificate

    hashes = {key[0] for _, key in prepared}
    certified = set(Certificate.objects.filter(id_number_hash__in=hashes, status="valid")
                    .values_list("id_number_hash", "occupation_code", "level"))
    best_held: dict[tuple[str, str], int] = {}  # (person, occupation) → highest level held (lowest number)
    for digest, code, level in certified:
        best_held[(digest, code)] = min(level, best_held.get((digest, code), 9))
    created = Candidate.objects.bulk_create([
        Candidate(batch=batch, name=row.name.strip(), gender=row.gender, id_type=row.id_type,
                  id_number=validate_id_number(row.id_type, row.id_number), employer=row.employer.strip(),
                  city=row.city.strip(), occupation=occupations[row.occupation_code], work_type=row.work_type.strip(),
                  level=int(row.level), already_certified=key in certified, photo=row.photo or "",
                  eligibility_flags="\n".join(candidate_eligibility_flags(
                      level=int(row.level), occupation_code=row.occupation_code,
                      best_held=best_held.get((key[0], row.occupation_code)))))
        for row, key in prepared
    ], batch_size=2000)
    audit_record(actor=acting_user, action="assessmentbatch.candidates_add", obj=batch,
                 data={"count": len(created), "already_certified": sum(c.already_certified for c in created),
                       "eligibility_flagged": sum(bool(c.eligibility_flags) for c in created)})
    return created


#: ASM-08: levels whose national standards require the level below (plus years of work) to apply. Level 4 and
#: 5 may also be entered on years of work alone, so they are not flagged.
PRIOR_LEVEL_REQUIRED = (1, 2, 3)


def candidate_eligibility_flags(*, level: int, occupation_code: str, best_held: int | None) -> list[str]:
    """ASM-08, the portal's own eligibility check of a candidate, from what it knows.

    Refused outright when the candidate is added (`candidate_problems`): younger than 16 by the birth date in a
    201 ID number, a level or occupation outside the batch's plan (ASM-02), an employer's candidate not of the
    employer or its listed subsidiaries (ELIG-02). Flagged for the institution's review (saved, not refused,
    because the prior certificate may come from outside the portal): a candidate for 三级/高级工 or above with no
    valid certificate in this portal of the level below, or higher, in the same occupation.
    """
    flags = []
    if level in PRIOR_LEVEL_REQUIRED and (best_held is None or best_held > level + 1):
        flags.append(_("ASM-08: no certificate of level %(prior)s or above in %(code)s is found in the portal; check "
                       "the prior certificate and the years of work the national skill standard requires.")
                     % {"prior": level + 1, "code": occupation_code})
    return flags


#: The institution reviews eligibility until the results are published.
ELIGIBILITY_REVIEW_STATES = ("draft", "submitted", "scheduled", "conducted")


@transaction.atomic
def candidate_eligibility_review(*, candidate: Candidate, eligible: bool, note: str, acting_user) -> Candidate:
    """ASM-08: the institution records its review of one candidate's eligibility (eligible or not, with a note;
    a note is required when not eligible or when the portal's check flagged the candidate)."""
    batch = candidate.batch
    if acting_user.role != "institution" or acting_user.institution_id != batch.institution_id:
        raise PermissionDeniedError(_("Only the batch's institution reviews its candidates."), rule="JUR-03")
    if batch.state not in ELIGIBILITY_REVIEW_STATES:
        raise DomainError(_("Eligibility is reviewed before the results are published."), rule="ASM-08",
                          code="invalid_state")
    note = note.strip()
    if not note and (not eligible or candidate.eligibility_flags):
        raise DomainError(_("Say what was checked (for example the prior certificate and the years of work)."),
                          rule="ASM-08", code="note_required")
    value = Candidate.Eligibility.ELIGIBLE if eligible else Candidate.Eligibility.INELIGIBLE
    Candidate.objects.filter(pk=candidate.pk).update(eligibility=value, eligibility_note=note,
                                                     eligibility_reviewed_on=clock.today())
    audit_record(actor=acting_user, action="assessmentbatch.candidate_eligibility", obj=batch, comment=note[:200],
                 data={"candidate": candidate.pk, "eligibility": value})
    candidate.refresh_from_db()
    return candidate


#: A candidate is changed or removed while the plan is not yet approved.
CANDIDATE_EDIT_STATES = ("draft", "submitted")


def _candidate_editable(candidate: Candidate, user) -> AssessmentBatch:
    batch = candidate.batch
    if user.role != "institution" or user.institution_id != batch.institution_id:
        raise PermissionDeniedError(_("Only the batch's institution manages its candidates."), rule="JUR-03")
    if batch.state not in CANDIDATE_EDIT_STATES:
        raise DomainError(_("Candidates are changed or removed before the plan is approved."), rule="ASM-01",
                          code="not_editable")
    return batch


@transaction.atomic
def candidate_update(*, candidate: Candidate, data: CandidateData, acting_user, remove_photo: bool = False
                     ) -> Candidate:
    """One candidate changed (the same checks as adding; a new photo replaces the old one). Audited with the
    names of the changed fields only: no personal data in the trail."""
    from certificates.models import Certificate
    from institutions.models import Occupation

    batch = _candidate_editable(candidate, acting_user)
    problems = candidate_problems(batch, data, allowed_employers=employer_names(batch))
    digest = None
    if "id_number" not in problems:
        digest = lookup_kwargs(data.id_number)["id_number_hash"]
        if batch.candidates.exclude(pk=candidate.pk).filter(id_number_hash=digest, occupation__code=data.occupation_code,
                                                             level=int(data.level)).exists():
            problems["id_number"] = _("This person is already a candidate for this occupation and level.")
    if problems:
        raise CandidateImportError({1: problems})
    occupation = Occupation.objects.get(code=data.occupation_code)
    values = {"name": data.name.strip(), "gender": data.gender, "id_type": data.id_type,
              "id_number": validate_id_number(data.id_type, data.id_number), "employer": data.employer.strip(),
              "city": data.city.strip(), "occupation": occupation, "work_type": data.work_type.strip(),
              "level": int(data.level)}
    changed = sorted(k for k, v in values.items() if getattr(candidate, k) != v)
    for field_name, value in values.items():
        setattr(candidate, field_name, value)
    if data.photo:
        candidate.photo = data.photo
        changed.append("photo")
    elif remove_photo and candidate.photo:
        candidate.photo = ""
        changed.append("photo")
    held = set(Certificate.objects.filter(id_number_hash=digest, status="valid")
               .values_list("occupation_code", "level"))
    candidate.already_certified = (data.occupation_code, int(data.level)) in held
    best = min((lv for code, lv in held if code == data.occupation_code), default=None)
    candidate.eligibility_flags = "\n".join(candidate_eligibility_flags(
        level=int(data.level), occupation_code=data.occupation_code, best_held=best))
    candidate.save()
    audit_record(actor=acting_user, action="assessmentbatch.candidate_update", obj=batch,
                 comment=candidate.name, data={"candidate": candidate.pk, "changed": changed})
    return candidate


@transaction.atomic
def candidate_delete(*, candidate: Candidate, acting_user) -> None:
    """One candidate removed from a plan not yet approved; audited (the name, no ID number)."""
    batch = _candidate_editable(candidate, acting_user)
    pk, name = candidate.pk, candidate.name
    candidate.delete()
    audit_record(actor=acting_user, action="assessmentbatch.candidate_delete", obj=batch, comment=name,
                 data={"candidate": pk})


class CandidateImportError(DomainError):
    """Row number → field → message for every bad row (nothing was saved)."""

    status = 400

    def __init__(self, errors: dict[int, dict[str, str]]):
        first = min(errors)
        super().__init__(_("%(n)d rows have errors; nothing was saved (first: row %(row)d).")
                         % {"n": len(errors), "row": first}, rule=None, code="invalid_rows")
        self.errors = errors

    def as_dict(self) -> dict:
        return {**super().as_dict(), "rows": {str(k): v for k, v in sorted(self.errors.items())}}


# -- results --------------------------------------------------------------------------------------------------
@dataclass
class ScoreData:
    candidate_id: int
    theory: Decimal | None = None
    practical: Decimal | None = None
    review: Decimal | None = None


def _result_of(batch: AssessmentBatch, s: ScoreData) -> tuple[str, dict[str, str]]:
    """ASM-07: every candidate is assessed in exactly the batch's subjects; pass = every subject ≥ pass mark."""
    problems = {}
    subjects = {"theory": batch.theory, "practical": batch.practical, "review": batch.comprehensive}
    for field, required in subjects.items():
        value = getattr(s, field)
        if required and value is None:
            problems[field] = _("ASM-07: this batch assesses this subject; enter the score.")
        if not required and value is not None:
            problems[field] = _("ASM-07: this batch does not assess this subject.")
        if value is not None and not (0 <= value <= 100):
            problems[field] = _("Scores are 0–100.")
    if problems:
        return "pending", problems
    passed = all(getattr(s, f) >= batch.pass_mark for f, req in subjects.items() if req)
    return ("pass" if passed else "fail"), {}


@transaction.atomic
def results_record(*, batch: AssessmentBatch, scores: Sequence[ScoreData], acting_user) -> int:
    """Scores for the candidates (all or nothing); results follow from the pass mark."""
    if acting_user.role != "institution" or acting_user.institution_id != batch.institution_id:
        raise PermissionDeniedError(_("Only the batch's institution records results."), rule="JUR-03")
    if batch.state != AssessmentBatch.State.CONDUCTED:
        raise DomainError(_("Results are recorded after the exam and before publication."), rule="ASM-05",
                          code="invalid_state")
    candidates = {c.pk: c for c in batch.candidates.all()}
    errors: dict[int, dict[str, str]] = {}
    for index, s in enumerate(scores, start=1):
        candidate = candidates.get(s.candidate_id)
        if candidate is None:
            errors[index] = {"candidate": _("Not a candidate of this batch.")}
            continue
        result, problems = _result_of(batch, s)
        if problems:
            errors[index] = problems
            continue
        candidate.theory_score, candidate.practical_score, candidate.review_score = s.theory, s.practical, s.review
        candidate.result = result
    if errors:
        raise CandidateImportError(errors)
    Candidate.objects.bulk_update(candidates.values(), ["theory_score", "practical_score", "review_score", "result"],
                                  batch_size=2000)
    audit_record(actor=acting_user, action="assessmentbatch.results_record", obj=batch, data={"count": len(scores)})
    return len(scores)


def batch_publish_results(*, batch: AssessmentBatch, acting_user, ip=None) -> AssessmentBatch:
    """ASM-05: public for ≥ 7 days (masked IDs); reported within 10 WD after that."""
    today = clock.today()
    profile = profile_for(batch.handling_region)
    # The profile's days (7 in AH20) are calendar days counting the first.
    publish_until = today + dt.timedelta(days=max(profile.results_publicity_days, 1) - 1)
    report = due_date(publish_until, profile.results_report_wd)

    def after(b):
        AssessmentBatch.objects.filter(pk=b.pk).update(publish_from=today, publish_until=publish_until,
                                                       report_due=report.date)

    batch = _run(batch, "publish_results", acting_user, ip=ip,
                 params={"publish_until": publish_until, "report_due": report.date}, after=after)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def result_objection_raise(*, batch: AssessmentBatch, contact: str, content: str) -> ResultObjection:
    if batch.state != AssessmentBatch.State.RESULTS_PUBLISHED or clock.today() > batch.publish_until:
        raise DomainError(_("Objections are taken while the results are public."), rule="ASM-05",
                          code="not_public")
    if not contact.strip() or not content.strip():
        raise DomainError(_("An objection needs its content and a way to contact you."), rule="ASM-05")
    objection = ResultObjection.objects.create(batch=batch, contact=contact.strip(), content=content.strip())
    audit_record(actor=None, action="assessmentbatch.result_objection", obj=batch, comment=content.strip()[:200])
    return objection


@transaction.atomic
def result_objection_resolve(*, objection: ResultObjection, upheld: bool, resolution: str, acting_user):
    from .models import batch_in_jurisdiction

    if not batch_in_jurisdiction(objection.batch, acting_user):
        raise PermissionDeniedError(_("The batch is outside your jurisdiction."), rule="JUR-03")
    if not resolution.strip():
        raise DomainError(_("Give the reasons."), rule="ASM-05", code="reason_required")
    ResultObjection.objects.filter(pk=objection.pk).update(status="upheld" if upheld else "dismissed",
                                                           resolution=resolution.strip(), resolved_by=acting_user)
    audit_record(actor=acting_user, action="assessmentbatch.result_objection_resolve", obj=objection.batch,
                 comment=resolution.strip(), data={"upheld": upheld})


def batch_report_results(*, batch, acting_user, ip=None):
    return _run(batch, "report_results", acting_user, ip=ip)


def batch_report_overdue(batch: AssessmentBatch) -> bool:
    """ASM-05: flagged when the report is late."""
    return batch.state == "results_published" and (
        batch.report_overdue_on is not None
        or batch.report_due is not None and clock.today() > batch.report_due)


def batches_flag_report_overdue(as_of: dt.date) -> int:
    """The deadline sweep (DESIGN.md "Time"): batches whose result report (ASM-05) was due before `as_of` and is
    not in are flagged overdue, dated the first day late, with one system audit event each. Idempotent: a
    flagged batch is skipped, and the date does not depend on when the sweep runs."""
    changed = 0
    due = AssessmentBatch.objects.filter(state=AssessmentBatch.State.RESULTS_PUBLISHED, report_due__lt=as_of,
                                         report_overdue_on__isnull=True).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            batch = AssessmentBatch.objects.select_for_update(of=("self",)).get(pk=pk)
            if batch.state != AssessmentBatch.State.RESULTS_PUBLISHED or batch.report_overdue_on is not None:
                continue
            late_from = batch.report_due + dt.timedelta(days=1)
            AssessmentBatch.objects.filter(pk=pk).update(report_overdue_on=late_from)
            audit_record(actor=None, action="assessmentbatch.report_overdue", obj=batch,
                         data={"rule": "ASM-05", "report_due": batch.report_due.isoformat(),
                               "overdue_from": late_from.isoformat()})
            changed += 1
    return changed


def batch_issue_certificates(*, batch: AssessmentBatch, acting_user, ip=None) -> int:
    """ASM-06: every passer gets a certificate in one transaction, consecutive serials per level."""
    issued_count = []
    _run(batch, "issue_certificates", acting_user, ip=ip,
         after=lambda b: issued_count.append(_issue(b, acting_user)))
    return issued_count[0]


def _issue(batch: AssessmentBatch, acting_user) -> int:
    passers = list(batch.candidates.filter(result="pass").select_related("occupation").order_by("pk"))
    if not passers:
        return 0
    holders = [HolderData(holder_name=c.name, id_type=c.id_type, id_number=c.id_number, level=c.level,
                          occupation_code=c.occupation.code, occupation_name=c.occupation.name,
                          work_type=c.work_type, employer=c.employer, photo=c.photo or None) for c in passers]
    issued = certificates_issue(filing_number=batch.filing.number, institution_name=batch.institution.name,
                                issue_date=clock.today(), holders=holders, acting_user=acting_user,
                                extra_fields={"batch_id": batch.pk, "filing_id": batch.filing_id})
    # certificates_issue numbers level by level (ascending), keeping the order within a level.
    ordered = [c for level in sorted({p.level for p in passers}) for c in passers if c.level == level]
    for candidate, certificate in zip(ordered, issued, strict=True):
        candidate.certificate = certificate
    Candidate.objects.bulk_update(ordered, ["certificate"], batch_size=2000)
    return len(issued)
