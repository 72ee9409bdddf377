"""The renewal eligibility panel (REN-04, REN-05) and the batches the form's plans are chosen from (REN-06).

Every check is computed from the portal's own data and names its rule. Blocking checks refuse the submission
(and the approval); the others are shown to the applicant and the office as warnings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from assessments.forms import LEVEL_SHORT
from assessments.models import AssessmentBatch, BatchItem
from filing_portal.regions.jurisdiction import profile_for
from institutions.models import Attachment, Filing, Institution
from supervision.models import ValidityPeriod
from supervision.selectors import rectification_overdue_cases, termination_cases

REQUIRED_BATCHES = 6  # REN-04: 6 batches (by evaluation plan) in the validity period
MAX_PLANS = 6  # REN-06: the form lists up to 6 evaluation plans
REPORTED_STATES = (AssessmentBatch.State.RESULTS_REPORTED, AssessmentBatch.State.CERTIFICATES_ISSUED)

OK, WARNING, BLOCK = "ok", "warning", "block"


@dataclass
class Check:
    """One line of the eligibility panel."""

    rule: str
    key: str
    title: str
    ok: bool
    level: str  # ok | warning | block
    message: str
    figures: dict = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.level == BLOCK

    def as_dict(self) -> dict:
        return {"rule": self.rule, "key": self.key, "title": self.title, "ok": self.ok, "level": self.level,
                "blocking": self.blocking, "message": self.message, "figures": self.figures}


def period_start(filing: Filing, expires_on: dt.date | None = None) -> dt.date:
    """The first day of the validity period ending at `expires_on` (the filing's expiry by default): the day after
    the previous period (a closed ValidityPeriod or, for a renewed filing, 3 years before), else `valid_from`."""
    expires_on = expires_on or filing.expires_on
    previous = (ValidityPeriod.objects.filter(filing=filing, ends_on__lt=expires_on).order_by("-ends_on")
                .values_list("ends_on", flat=True).first())
    if previous:
        return previous + dt.timedelta(days=1)
    if filing.renewed_count:
        years = profile_for(filing.handling_region).validity_years
        return expires_on - relativedelta(years=years) + dt.timedelta(days=1)
    return filing.valid_from


def reported_batches(filing: Filing, *, start: dt.date, end: dt.date):
    """REN-04/06: the filing's batches with results reported (or certificates issued) whose exam began in the
    validity period, newest first, with their counts and items (a fixed number of queries)."""
    return (AssessmentBatch.objects.filter(filing=filing, state__in=REPORTED_STATES,
                                           exam_start__gte=start, exam_start__lte=end)
            .annotate(assessed_count=Count("candidates", filter=~Q(candidates__result="pending"), distinct=True),
                      passed_count=Count("candidates", filter=Q(candidates__result="pass"), distinct=True),
                      certificate_count=Count("certificates", filter=Q(certificates__status="valid"), distinct=True),
                      uploaded_count=Count("certificates", filter=Q(certificates__status="valid",
                                                                   certificates__national_upload__isnull=False),
                                           distinct=True))
            .prefetch_related(Prefetch("items", queryset=BatchItem.objects.select_related("occupation")
                                       .order_by("occupation__code", "work_type", "level")))
            .order_by("-exam_start", "-pk"))


def batch_uploaded(batch) -> bool:
    """"是否上网": the batch's valid certificates are all uploaded to the national lookup (and it has some)."""
    return batch.certificate_count > 0 and batch.uploaded_count == batch.certificate_count


def plan_row(batch) -> dict:
    """The form's row for one batch (REN-06): plan number, occupation, work type, level(s), counts, year."""
    items = list(batch.items.all())
    occupations = list(dict.fromkeys(item.occupation.name for item in items))
    work_types = list(dict.fromkeys(item.work_type for item in items if item.work_type))
    levels = sorted({item.level for item in items})
    return {"batch": batch, "batch_id": batch.pk, "plan_number": batch.plan_number,
            "occupation": "、".join(occupations), "work_type": "、".join(work_types),
            "level": "、".join(LEVEL_SHORT.get(lv, str(lv)) for lv in levels),
            "assessed": batch.assessed_count, "passed": batch.passed_count, "uploaded": batch_uploaded(batch),
            "year": batch.exam_start.year}


def _incentive_evidence(filing: Filing) -> bool:
    """ELIG-08 / REN-05: an attachment of kind "incentive" on the filing's applications."""
    return Attachment.objects.filter(kind=Attachment.Kind.INCENTIVE_SCHEME).filter(
        Q(application__filing=filing) | Q(application_id=filing.source_application_id)).exists()


def renewal_eligibility(filing: Filing, *, application=None, batches=None) -> list[Check]:
    """The panel (REN-04, REN-05) for `filing`; with `application`, its shortfall explanation counts."""
    end = application.expires_on if application is not None else filing.expires_on
    start = period_start(filing, end)
    if batches is None:
        batches = list(reported_batches(filing, start=start, end=end))
    explanation = (application.shortfall_explanation.strip() if application is not None else "")
    checks: list[Check] = []

    n = len(batches)
    figures = {"batches": n, "required": REQUIRED_BATCHES, "from": start.isoformat(), "until": end.isoformat()}
    if n >= REQUIRED_BATCHES:
        checks.append(Check("REN-04", "batches", _("Batches in the validity period"), True, OK,
                            _("%(n)s batches reported between %(start)s and %(end)s (6 required).")
                            % {"n": n, "start": start.isoformat(), "end": end.isoformat()}, figures))
    elif explanation:
        checks.append(Check("REN-04", "batches", _("Batches in the validity period"), False, WARNING,
                            _("Only %(n)s of 6 batches reported between %(start)s and %(end)s; the written "
                              "explanation is attached.") % {"n": n, "start": start.isoformat(),
                                                            "end": end.isoformat()}, figures))
    else:
        checks.append(Check("REN-04", "batches", _("Batches in the validity period"), False, BLOCK,
                            _("Only %(n)s of 6 batches reported between %(start)s and %(end)s: give a written "
                              "explanation (e.g. force majeure).") % {"n": n, "start": start.isoformat(),
                                                                     "end": end.isoformat()}, figures))

    certificates = sum(b.certificate_count for b in batches)
    uploaded = sum(b.uploaded_count for b in batches)
    missing = [b.plan_number for b in batches if b.certificate_count and not batch_uploaded(b)]
    figures = {"certificates": certificates, "uploaded": uploaded, "batches_not_uploaded": missing}
    ok = uploaded == certificates
    checks.append(Check(
        "REN-04", "uploaded", _("Certificates queryable online"), ok, OK if ok else WARNING,
        _("%(u)s of %(c)s certificates of these batches are uploaded to the national lookup.")
        % {"u": uploaded, "c": certificates}
        + ("" if ok else " " + _("Not uploaded: %(plans)s.") % {"plans": "、".join(missing)}), figures))

    if filing.institution.kind == Institution.Kind.EMPLOYER:
        ok = _incentive_evidence(filing)
        checks.append(Check(
            "REN-05", "incentive", _("Employer's incentive scheme"), ok, OK if ok else BLOCK,
            _("The incentive scheme linking certificate level to post, pay or bonus is on file.") if ok else
            _("No incentive scheme evidence is on file: an employer without it is not accepted."),
            {"kind": filing.institution.kind}))
    else:
        checks.append(Check("REN-05", "incentive", _("Employer's incentive scheme"), True, OK,
                            _("Not required: the institution is not an employer."), {"kind": filing.institution.kind}))

    overdue = list(rectification_overdue_cases(filing).values_list("reference", flat=True))
    checks.append(Check(
        "REN-05", "rectification", _("Rectification orders completed in time"), not overdue,
        BLOCK if overdue else OK,
        _("Rectification not completed in time: %(refs)s.") % {"refs": "、".join(overdue)} if overdue else
        _("No rectification order is overdue."), {"cases": overdue}))

    ended = list(termination_cases(filing).values_list("reference", flat=True))
    checks.append(Check(
        "REN-05", "termination", _("No termination case"), not ended, BLOCK if ended else OK,
        _("A case that ends the filing applies: %(refs)s.") % {"refs": "、".join(ended)} if ended else
        _("No case that ends the filing."), {"cases": ended}))
    return checks


def blocking_checks(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.blocking]
