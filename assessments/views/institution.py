"""The institution's batch pages: the list, the plan form, the batch page and its transitions."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions
from filing_portal.personal_data import mask_id_number
from institutions.models import Filing, FilingScope
from institutions.selectors import filings_visible_to

from ..forms import PlanForm, ReasonForm, StaffFormSet
from ..models import AssessmentBatch
from ..selectors import batch_candidates, batch_violations, batches_visible_to, filed_venues, with_counts
from ..services import (
    CANDIDATE_EDIT_STATES,
    ELIGIBILITY_REVIEW_STATES,
    batch_create,
    batch_report_overdue,
    batch_update,
)
from ..transitions import REASON_TRANSITIONS
from .common import (
    CANDIDATE_STATES,
    STAFF_ROLES,
    TRANSITION_LABELS,
    blocked_transitions,
    client_ip,
    error_text,
    institution_required,
    roles_required,
    run_transition,
    scope_lines,
    timeline,
    visible_batch_or_404,
)

EXPORT_STATES = ("results_published", "results_reported", "certificates_issued")


@institution_required
def my_batches(request):
    """/my/batches/: the institution's batches with their dates; a late result report is marked (ASM-05)."""
    batches = list(with_counts(batches_visible_to(request.user)).order_by("-exam_start", "-pk"))
    for batch in batches:
        batch.report_overdue = batch_report_overdue(batch)
        batch.scope_lines = scope_lines(batch)
    return render(request, "assessments/my_batches.html", {"batches": batches})


def _plan_context(user):
    """The institution's filings, the active ones, the filings' scope and the filed venues (the suggestions)."""
    filings = filings_visible_to(user).filter(institution_id=user.institution_id)
    active = list(filings.filter(state=Filing.State.ACTIVE, expires_on__gte=clock.today())
                  .select_related("source_application").prefetch_related("source_application__venues")
                  .order_by("number"))
    scope = list(FilingScope.objects.filter(filing__in=filings.values("pk"), active=True)
                 .select_related("occupation", "filing").order_by("filing__number", "occupation__code",
                                                                  "work_type", "-level"))
    venues = {f.pk: filed_venues(f) for f in active}  # ELIG-10: a plan is held at a filed venue
    return filings, active, scope, venues


def _all_venues(venues: dict[int, list[str]]) -> list[str]:
    return list(dict.fromkeys(v for rows in venues.values() for v in rows))


@institution_required
def batch_new(request):
    """/my/batches/new/: the plan (ASM-01) → a draft through `batch_create`; the form keeps what was typed."""
    user = request.user
    filings, active, scope, venues = _plan_context(user)
    not_active = [] if active else list(filings.order_by("number"))
    data = request.POST if request.method == "POST" else None
    more_rows = data is not None and "add_rows" in data
    if more_rows:
        data = data.copy()  # "More rows": the same entries and four more blank staff rows, nothing checked yet
        rows = data.get("staff-TOTAL_FORMS", "")
        data["staff-TOTAL_FORMS"] = str(min(int(rows) if rows.isdigit() else 8, 56) + 4)
    form = PlanForm(data, filings=filings, active_filings=active, scope_rows=scope, venues_by_filing=venues)
    staff = StaffFormSet(data, prefix="staff")
    summary: list[tuple[str, str]] = []
    if data is not None and not more_rows:
        if form.is_valid() and staff.is_valid():
            d = form.cleaned_data
            try:
                batch = batch_create(
                    filing=d["filing"], acting_user=user, exam_start=d["exam_start"], exam_end=d["exam_end"],
                    venue_address=d["venue_address"].strip(), candidate_source=d["candidate_source"].strip(),
                    planned_count=d["planned_count"], items=form.plan_items(), staff=staff.people(),
                    theory=d["theory"], practical=d["practical"], comprehensive=d["comprehensive"],
                    method=d["method"])
            except DomainError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Plan %(n)s is saved as a draft. Add the candidates, then submit it at "
                                            "least 10 working days before the exam (ASM-01).")
                                 % {"n": batch.plan_number})
                return redirect("assessments:batch_detail", pk=batch.pk)
        summary = _summary(form, staff)
    return render(request, "assessments/batch_new.html", {
        "form": form, "staff": staff, "venues": _all_venues(venues), "active": active, "not_active": not_active,
        "summary": summary, "hide_errors": more_rows})


def _more_rows(data):
    """"More rows": the same entries and four more blank staff rows, nothing checked yet."""
    data = data.copy()
    rows = data.get("staff-TOTAL_FORMS", "")
    data["staff-TOTAL_FORMS"] = str(min(int(rows) if rows.isdigit() else 8, 56) + 4)
    return data


@institution_required
def batch_edit(request, pk: int):
    """/my/batches/<pk>/edit/: the draft plan (new, or returned for changes with the office's comments shown)
    in the plan form → `batch_update`; then it is submitted again from the batch page."""
    user = request.user
    batch = visible_batch_or_404(user, pk, own=True)
    if batch.state != AssessmentBatch.State.DRAFT:
        messages.error(request, _("ASM-01: only a draft plan is changed."))
        return redirect("assessments:batch_detail", pk=batch.pk)
    filings, active, scope, venues = _plan_context(user)
    filings = filings.filter(pk=batch.filing_id)  # the plan stays on its filing (its plan number says so)
    active = [f for f in active if f.pk == batch.filing_id]
    scope = [row for row in scope if row.filing_id == batch.filing_id]
    data = request.POST if request.method == "POST" else None
    more_rows = data is not None and "add_rows" in data
    if more_rows:
        data = _more_rows(data)
    people = [{"role": p.role, "name": p.name, "phone": p.phone, "organisation": p.organisation,
               "is_trainer": p.is_trainer} for p in batch.staff.order_by("pk")]
    form = PlanForm(data, filings=filings, active_filings=active or [batch.filing], scope_rows=scope,
                    venues_by_filing=venues, initial=PlanForm.initial_for(batch, scope))
    staff = StaffFormSet(data, prefix="staff", initial=people or None)
    summary: list[tuple[str, str]] = []
    if data is not None and not more_rows:
        if form.is_valid() and staff.is_valid():
            d = form.cleaned_data
            try:
                batch_update(
                    batch=batch, acting_user=user, exam_start=d["exam_start"], exam_end=d["exam_end"],
                    venue_address=d["venue_address"].strip(), candidate_source=d["candidate_source"].strip(),
                    planned_count=d["planned_count"], items=form.plan_items(), staff=staff.people(),
                    theory=d["theory"], practical=d["practical"], comprehensive=d["comprehensive"],
                    method=d["method"])
            except DomainError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Plan %(n)s is changed. Submit it again from this page.")
                                 % {"n": batch.plan_number})
                return redirect("assessments:batch_detail", pk=batch.pk)
        summary = _summary(form, staff)
    return render(request, "assessments/batch_new.html", {
        "form": form, "staff": staff, "venues": _all_venues(venues), "active": active or [batch.filing],
        "not_active": [], "summary": summary, "hide_errors": more_rows, "batch": batch})


def _summary(form, staff) -> list[tuple[str, str]]:
    """(anchor, text) for the error summary at the top of the page."""
    out = [("", e) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            form.fields[name].widget.attrs.update({"aria-invalid": "true",
                                                   "aria-describedby": f"{form[name].auto_id}-error"})
            out += [(form[name].auto_id, f"{form.fields[name].label}: {e}") for e in errors]
    out += [("staff-table", e) for e in staff.non_form_errors()]
    for number, row in enumerate(staff.forms, 1):
        for name, errors in row.errors.items():
            label = row.fields[name].label if name in row.fields else ""
            out += [(row[name].auto_id if name in row.fields else "staff-table",
                     _("Staff row %(n)d – %(field)s: %(error)s") % {"n": number, "field": label, "error": e})
                    for e in errors]
    return out


def detail_context(request, batch: AssessmentBatch) -> dict:
    """What the institution's and the staff's batch pages both show."""
    user = request.user
    available = available_transitions(batch, user)
    batch = (AssessmentBatch.objects.filter(pk=batch.pk)
             .select_related("filing", "institution", "handling_region")
             .prefetch_related("items__occupation", "staff",
                               Prefetch("result_objections", to_attr="objection_list"),
                               Prefetch("spot_checks", to_attr="spot_check_list"))
             .get())
    candidates = list(batch_candidates(batch))
    for candidate in candidates:
        candidate.masked_id = mask_id_number(candidate.id_number)  # PUB-04: pages never show the full number
    return {
        "batch": batch,
        "candidates": candidates,
        "timeline": timeline(batch),
        # Forward steps first, then those that need a reason, cancelling last.
        "actions": sorted([(name, TRANSITION_LABELS.get(name, name), name in REASON_TRANSITIONS) for name in available],
                          key=lambda a: (a[2], a[0] == "cancel")),
        "has_plain_actions": any(name not in REASON_TRANSITIONS for name in available),
        "blocked": blocked_transitions(batch, user, available),
        "report_overdue": batch_report_overdue(batch),
        "reason_form": ReasonForm(),
        "can_export": batch.state in EXPORT_STATES,
        "violations": list(batch_violations(batch=batch)),  # ASM-08
    }


@institution_required
def batch_detail(request, pk: int):
    """/my/batches/<pk>/: the plan, the people, the candidates, the actions allowed now and the timeline."""
    batch = visible_batch_or_404(request.user, pk, own=True)
    context = detail_context(request, batch)
    context.update({"candidates_editable": batch.state in CANDIDATE_STATES,
                    "candidates_changeable": batch.state in CANDIDATE_EDIT_STATES,
                    "eligibility_editable": batch.state in ELIGIBILITY_REVIEW_STATES,
                    "results_editable": batch.state == AssessmentBatch.State.CONDUCTED})
    return render(request, "assessments/batch_detail.html", context)


@roles_required("institution", *STAFF_ROLES)
@require_POST
def batch_transition(request, pk: int, name: str):
    """POST: one transition through its service; back to the page the user came from (institution or staff)."""
    batch = visible_batch_or_404(request.user, pk)
    back = "assessments:batch_detail" if request.user.role == "institution" else "assessments:staff_batch"
    reason = ""
    if name in REASON_TRANSITIONS:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason."))
            return redirect(back, pk=batch.pk)
        reason = form.cleaned_data["reason"]
    try:
        result = run_transition(batch, name, request.user, ip=client_ip(request), reason=reason)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        done = {
            "submit": _("The plan is submitted to %(office)s.") % {"office": batch.handling_region.name},
            "approve": _("The plan is approved; the batch is scheduled."),
            "return_for_changes": _("The plan is returned to the institution with your comments."),
            "conduct": _("The exam is recorded as conducted; enter the results."),
            "publish_results": _("The results are public until %(d)s.") % {
                "d": getattr(result, "publish_until", None) and result.publish_until.isoformat()},
            "report_results": _("The results are reported."),
            "issue_certificates": _("%(n)s certificates are issued.") % {"n": result},
            "cancel": _("The batch is cancelled."),
        }
        messages.success(request, done.get(name, _("Done.")))
    return redirect(back, pk=batch.pk)
