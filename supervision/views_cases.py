"""Case pages: the staff queue (/staff/supervision/cases/), a case with its timeline and action forms, opening a
case; the institution's own decided cases (/my/supervision/cases/) with the rectification form and the notice.

Views are thin: a form, one service of supervision/cases.py, the refusal shown with its rule (as the API's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from filing_portal.audit.services import audit_events_for
from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions
from institutions.views_applicant.common import institution_required
from institutions.views_staff.common import ActionBlock, error_summary, error_text, roles_required

from . import cases as services
from .cases import ARTICLES
from .forms_cases import (
    CaseFilterForm,
    CaseOpenForm,
    CommentForm,
    DecideForm,
    EscalateForm,
    ReasonForm,
    RectificationForm,
)
from .models import Case
from .pdf import case_notice_pdf
from .selectors import cases_visible_to

STAFF_ROLES = ("city_staff", "province_staff", "admin")
PAGE_SIZE = 50
STATE_LABELS = dict(Case.State.choices)
STEP_LABELS = {
    "open": _("Opened"), "confirm": _("Confirmed"), "dismiss": _("Dismissed"), "investigate": _("Investigation"),
    "decide": _("Decided"), "close": _("Closed"), "submit_rectification": _("Rectification submitted"),
    "verify": _("Rectification verified"), "reject_rectification": _("Rectification not accepted"),
    "escalate": _("Escalated to tier 3"), "rectification_overdue": _("Rectification overdue"),
}


def client_ip(request) -> str | None:
    return getattr(request, "client_ip", None)


@dataclass(frozen=True)
class CaseAction:
    """One action on a case page: its form (made for the case), label, the service it calls, what it says."""

    form: Callable[..., forms.Form]
    label: str
    run: Callable[[Case, object, str | None, dict], Case]
    done: str
    danger: bool = False


def _decide_form(case, *args, **kwargs):
    return DecideForm(*args, batches=case.institution.batches.filter(certificates__status="valid").distinct()
                      .order_by("-exam_start"), **kwargs)


def _plain(form_class):
    return lambda case, *args, **kwargs: form_class(*args, **kwargs)


ACTIONS: dict[str, CaseAction] = {
    "confirm": CaseAction(_plain(CommentForm), _("Confirm the case"),
                          lambda c, u, ip, d: services.case_confirm(case=c, acting_user=u, ip=ip, **d),
                          _("The case is open.")),
    "investigate": CaseAction(_plain(CommentForm), _("Start the investigation"),
                              lambda c, u, ip, d: services.case_investigate(case=c, acting_user=u, ip=ip, **d),
                              _("The case is under investigation.")),
    "decide": CaseAction(_decide_form, _("Decide"),
                         lambda c, u, ip, d: services.case_decide(
                             case=c, acting_user=u, ip=ip, tier=d["tier"], article=d["article"],
                             decision=d["decision"], interview_on=d["interview_on"], interviewee=d["interviewee"],
                             interview_record=d["interview_record"], void_batch=d["void_batch"],
                             void_reason=d["void_reason"], rectification_due=d["rectification_due"]),
                         _("The decision is recorded and its sanction applied.")),
    "submit_rectification": CaseAction(
        _plain(RectificationForm), _("Submit the rectification"),
        lambda c, u, ip, d: services.case_submit_rectification(case=c, acting_user=u, ip=ip, **d),
        _("The rectification report is submitted.")),
    "verify": CaseAction(_plain(CommentForm), _("Verify the rectification and reinstate"),
                         lambda c, u, ip, d: services.case_verify_rectification(case=c, acting_user=u, ip=ip, **d),
                         _("The rectification is verified and the filing reinstated.")),
    "reject_rectification": CaseAction(
        _plain(ReasonForm), _("Not accepted: rectify further"),
        lambda c, u, ip, d: services.case_reject_rectification(case=c, acting_user=u, ip=ip, **d),
        _("The rectification was not accepted.")),
    "escalate": CaseAction(_plain(EscalateForm), _("Escalate: revoke the filing (tier 3)"),
                           lambda c, u, ip, d: services.case_escalate(case=c, acting_user=u, ip=ip, **d),
                           _("The case is escalated and the filing revoked."), danger=True),
    "dismiss": CaseAction(_plain(ReasonForm), _("Dismiss"),
                          lambda c, u, ip, d: services.case_dismiss(case=c, acting_user=u, ip=ip, **d),
                          _("The case is dismissed."), danger=True),
}


# What the institution sees of the history: the decision and what followed it, not the investigation.
INSTITUTION_STEPS = ("decide", "close", "submit_rectification", "verify", "reject_rectification", "escalate",
                     "rectification_overdue")


def case_timeline(case: Case, steps: tuple[str, ...] | None = None) -> list[dict]:
    """The case's audit events (REC-01), oldest first (only `steps`, when given)."""
    rows = []
    for event in audit_events_for(case).order_by("occurred_at", "id"):
        step = event.action.rsplit(".", 1)[-1]
        if steps is not None and step not in steps:
            continue
        rows.append({"when": event.occurred_at, "label": str(STEP_LABELS.get(step, step)),
                     "who": event.actor_name or (_("System") if event.actor_role == "system" else _("Public")),
                     "from_state": STATE_LABELS.get(event.from_state, event.from_state),
                     "to_state": STATE_LABELS.get(event.to_state, event.to_state), "comment": event.comment})
    return rows


def _context(case: Case, steps: tuple[str, ...] | None = None) -> dict:
    return {"case": case, "article": ARTICLES.get(case.article), "state_label": STATE_LABELS.get(case.state),
            "timeline": case_timeline(case, steps), "today": clock.today()}


# -- staff -------------------------------------------------------------------------------------------------
@roles_required(*STAFF_ROLES)
def staff_cases(request):
    """The queue: proposals first, then the newest; filters by state, tier and origin."""
    form = CaseFilterForm(request.GET or None)
    qs = cases_visible_to(request.user)
    if form.is_valid():
        for name in ("state", "tier", "origin"):
            if form.cleaned_data[name]:
                qs = qs.filter(**{name: form.cleaned_data[name]})
    qs = qs.annotate(proposed_first=DbCase(When(state=Case.State.PROPOSED, then=Value(0)), default=Value(1),
                                          output_field=IntegerField())).order_by("proposed_first", "-opened_on",
                                                                                 "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/cases/queue.html", {"form": form, "page": page, "cases": page.object_list,
                                                             "state_labels": STATE_LABELS})


@roles_required(*STAFF_ROLES)
def staff_case_new(request):
    """Open a case about a filing (or an institution) in the caller's jurisdiction."""
    from institutions.selectors import filings_visible_to, institutions_visible_to

    user = request.user
    kwargs = {"filings": filings_visible_to(user).order_by("number"),
              "institutions": institutions_visible_to(user).order_by("name")}
    initial = {name: request.GET[name] for name in ("filing", "institution") if request.GET.get(name)}
    form = CaseOpenForm(request.POST or None, initial=initial, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            filing = form.cleaned_data["filing"]
            institution = filing.institution if filing else form.cleaned_data["institution"]
            try:
                case = services.case_open(institution=institution, filing=filing, acting_user=user,
                                          region=filing.handling_region if filing else institution.region,
                                          origin=Case.Origin.STAFF, summary=form.cleaned_data["summary"])
            except DomainError as exc:
                form.add_error(None, error_text(exc))
                status = exc.status
            else:
                messages.success(request, _("Case %(ref)s is open.") % {"ref": case.reference})
                return redirect("supervision:case_detail", pk=case.pk)
        else:
            status = 400
    return render(request, "supervision/cases/new.html", {"form": form, "summary": error_summary({"new": form})},
                  status=status)


def _staff_case_or_404(user, pk: int) -> Case:
    return get_object_or_404(cases_visible_to(user), pk=pk)


def _render_staff(request, case: Case, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    available = set(available_transitions(case, request.user))
    actions = [ActionBlock(name=name, label=str(spec.label), danger=spec.danger,
                           form=bound.get(name) or spec.form(case, prefix=name),
                           url=reverse("supervision:case_action", args=[case.pk, name]))
               for name, spec in ACTIONS.items() if name in available]
    return render(request, "supervision/cases/detail.html", {
        **_context(case), "actions": actions, "summary": error_summary(bound),
        "escalations": list(case.escalations.order_by("pk")),
    }, status=status)


@roles_required(*STAFF_ROLES)
def staff_case_detail(request, pk: int):
    return _render_staff(request, _staff_case_or_404(request.user, pk))


@require_POST
@roles_required(*STAFF_ROLES)
def staff_case_action(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    case = _staff_case_or_404(request.user, pk)
    form = spec.form(case, request.POST, prefix=action)
    if not form.is_valid():
        return _render_staff(request, case, bound={action: form}, status=400)
    try:
        spec.run(case, request.user, client_ip(request), form.cleaned_data)
    except DomainError as exc:  # PermissionDeniedError included: 403, the others 409
        form.add_error(None, error_text(exc))
        return _render_staff(request, _staff_case_or_404(request.user, pk), bound={action: form},
                             status=exc.status)
    messages.success(request, str(spec.done))
    return redirect("supervision:case_detail", pk=case.pk)


# -- both: the rectification notice -------------------------------------------------------------------------
@login_required
def case_notice(request, pk: int):
    """SUP-04: the rectification notice PDF, for staff of the case's office and the institution concerned."""
    case = cases_visible_to(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    try:
        data = case_notice_pdf(case)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        target = "supervision:my_case_detail" if request.user.role == "institution" else "supervision:case_detail"
        return redirect(target, pk=case.pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rectification-notice-{case.notice_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- the institution ----------------------------------------------------------------------------------------
@institution_required
def my_cases(request):
    """The institution's own cases once decided (SUP-03…05)."""
    cases = cases_visible_to(request.user).order_by("-decided_on", "-pk")
    return render(request, "supervision/cases/my_list.html", {"cases": cases, "state_labels": STATE_LABELS})


@institution_required
def my_case_detail(request, pk: int):
    """One decided case; a tier-2 case waiting for the rectification takes the report here (SUP-04)."""
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)
    may_submit = "submit_rectification" in available_transitions(case, request.user) and case.tier == "tier2"
    form = RectificationForm(request.POST or None, prefix="rectification") if may_submit else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("The case does not wait for a rectification."))
            return redirect("supervision:my_case_detail", pk=case.pk)
        if form.is_valid():
            try:
                services.case_submit_rectification(case=case, report=form.cleaned_data["report"],
                                                   acting_user=request.user, ip=client_ip(request))
            except DomainError as exc:
                form.add_error(None, error_text(exc))
                status = exc.status
            else:
                messages.success(request, _("The rectification report is submitted."))
                return redirect("supervision:my_case_detail", pk=case.pk)
        else:
            status = 400
    return render(request, "supervision/cases/my_detail.html", {**_context(case, INSTITUTION_STEPS), "form": form}, status=status)
