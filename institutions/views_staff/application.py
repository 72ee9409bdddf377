"""/staff/applications/<pk>/: the review page, and the POST endpoints of its actions.

Every action calls its service; a refusal (`DomainError`) is shown on the page with the
rule it enforces — 409 for a state or guard, 403 for role or jurisdiction — never a 500.
Applications outside the caller's view are 404 (JUR-03, `applications_visible_to`).
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions

from ..application_models import in_jurisdiction
from ..forms_staff import ConfirmForm, EvaluationForm, OpinionForm, ReasonForm, SupplementRequestForm
from ..models import ApplicationOccupation, FilingApplication, Institution, Objection, Venue
from ..selectors import applications_visible_to
from ..services import applications as svc
from .common import (
    DUE_LABELS,
    LEVEL_NAMES,
    OFFICE_ROLES,
    REVIEW_ROLES,
    ActionBlock,
    ActionSpec,
    WorkingDayCounter,
    client_ip,
    error_summary,
    error_text,
    levels_text,
    roles_required,
    timeline,
)

OPINION_STAGES = ("initial_review", "technical_evaluation")
STATE_LABELS = dict(FilingApplication.State.choices)


APPLICATION_ACTIONS: dict[str, ActionSpec] = {
    "request_supplement": ActionSpec(
        SupplementRequestForm, gettext_lazy("Send the one-time supplement notice"),
        lambda app, user, ip, data: svc.application_request_supplement(
            application=app, items=data["items"], acting_user=user, ip=ip),
        gettext_lazy("The supplement notice was sent to the institution.")),
    "accept": ActionSpec(
        ConfirmForm, gettext_lazy("Accept: the materials are complete"),
        lambda app, user, ip, data: svc.application_accept(application=app, acting_user=user, ip=ip),
        gettext_lazy("Accepted; the initial review starts.")),
    "record_opinion": ActionSpec(
        OpinionForm, gettext_lazy("Record the opinion"),
        lambda app, user, ip, data: svc.application_record_opinion(
            application=app, stage=app.state if app.state in OPINION_STAGES else "initial_review",
            passed=data["passed"], opinion=data["opinion"], expert_names=data["expert_names"], acting_user=user),
        gettext_lazy("The expert opinion was recorded.")),
    "pass_initial_review": ActionSpec(
        ConfirmForm, gettext_lazy("Pass the initial review"),
        lambda app, user, ip, data: svc.application_pass_initial_review(application=app, acting_user=user, ip=ip),
        gettext_lazy("Initial review passed; the on-site technical evaluation is next.")),
    "record_evaluation": ActionSpec(
        EvaluationForm, gettext_lazy("Record the passed technical evaluation"),
        lambda app, user, ip, data: svc.application_record_evaluation(
            application=app, opinion=data["opinion"], expert_names=data["expert_names"], acting_user=user, ip=ip),
        gettext_lazy("Technical evaluation recorded; the comprehensive review is next.")),
    "start_public_notice": ActionSpec(
        ConfirmForm, gettext_lazy("Start the public notice"),
        lambda app, user, ip, data: svc.application_start_public_notice(application=app, acting_user=user, ip=ip),
        gettext_lazy("The public notice has started.")),
    "complete_notice": ActionSpec(
        ConfirmForm, gettext_lazy("Complete the filing"),
        lambda app, user, ip, data: svc.application_complete_notice(application=app, acting_user=user, ip=ip),
        gettext_lazy("Filed: the filing number was allocated and the receipt issued.")),
    "approve_change": ActionSpec(
        ConfirmForm, gettext_lazy("Approve the change"),
        lambda app, user, ip, data: svc.application_approve_change(application=app, acting_user=user, ip=ip),
        gettext_lazy("The change was approved and published.")),
    "reject": ActionSpec(
        ReasonForm, gettext_lazy("Do not file (reject)"),
        lambda app, user, ip, data: svc.application_reject(
            application=app, reason=data["reason"], acting_user=user, ip=ip),
        gettext_lazy("The application was rejected with the reasons given."), danger=True),
}
# Transitions shown elsewhere on the page or not the staff's: objections are decided per objection,
# raising one is the public's; submit/resubmit/withdraw are the institution's.
BUTTON_ORDER = [name for name in APPLICATION_ACTIONS if name != "record_opinion"]

OBJECTION_DECISIONS = {
    "dismiss": (gettext_lazy("Dismiss the objection"), gettext_lazy("The objection was dismissed.")),
    "uphold": (gettext_lazy("Uphold the objection (the application is not filed)"),
               gettext_lazy("The objection was upheld; the application is not filed.")),
}


def _visible(user):
    return (applications_visible_to(user).select_related("filing")
            .prefetch_related(
                Prefetch("occupations", queryset=ApplicationOccupation.objects.select_related("occupation")
                         .order_by("occupation__code", "pk")),
                Prefetch("venues", queryset=Venue.objects.prefetch_related("equipment").order_by("pk")),
                "staff", "assessors", "attachments", "opinions", "objections"))


def _application_or_404(user, pk: int) -> FilingApplication:
    return get_object_or_404(_visible(user), pk=pk)


def attachment_url(pk: int) -> str:
    # The download view belongs to the applicant pages; its path is the fallback while it is not wired.
    try:
        return reverse("institutions:attachment_download", args=[pk])
    except NoReverseMatch:
        return f"/applications/attachments/{pk}/"


def _proposed_changes(application: FilingApplication) -> list[dict]:
    """CHG-02: each proposed value beside the institution's current one."""
    institution = application.institution
    rows = []
    for key, new in (application.proposed_changes or {}).items():
        try:
            label = Institution._meta.get_field(key).verbose_name
        except Exception:  # an unknown key is shown as it is, not hidden
            label = key
        rows.append({"field": label, "old": getattr(institution, key, ""), "new": new})
    return rows


def _may_act(application: FilingApplication, user) -> bool:
    return user.role in OFFICE_ROLES and in_jurisdiction(application, user)


def _action_blocks(application, user, bound: dict) -> list[ActionBlock]:
    available = set(available_transitions(application, user))
    blocks = []
    for name in BUTTON_ORDER:
        spec = APPLICATION_ACTIONS[name]
        enabled, hint = True, ""
        if name not in available:
            # FIL-01: pass_initial_review stays visible, disabled, until a passing opinion is recorded.
            if not (name == "pass_initial_review" and application.state == "initial_review"
                    and _may_act(application, user)):
                continue
            enabled = False
            hint = _("FIL-01: record the expert group's passing opinion of the initial review first.")
        initial = {}
        if name == "record_evaluation":
            latest = [o for o in application.opinions.all() if o.stage == "technical_evaluation"]
            if latest:
                initial = {"opinion": latest[-1].opinion, "expert_names": latest[-1].expert_names}
        form = bound.get(name) or spec.form(prefix=name, initial=initial)
        blocks.append(ActionBlock(name=name, label=str(spec.label), form=form, enabled=enabled, hint=hint,
                                  danger=spec.danger,
                                  url=reverse("institutions:staff_application_action", args=[application.pk, name])))
    return blocks


def _opinion_block(application, user, bound: dict) -> ActionBlock | None:
    """Experts record opinions in both stages; staff in the initial review (the evaluation has its own form)."""
    if application.state not in OPINION_STAGES:
        return None
    if not (user.role == "expert" or (application.state == "initial_review" and _may_act(application, user))):
        return None
    spec = APPLICATION_ACTIONS["record_opinion"]
    hint = (_("The initial review's opinion (FIL-01): a passing one lets staff pass the initial review.")
            if application.state == "initial_review" else _("The on-site technical evaluation's opinion (FIL-01)."))
    return ActionBlock(name="record_opinion", label=str(spec.label), hint=hint,
                       form=bound.get("record_opinion") or OpinionForm(prefix="record_opinion"),
                       url=reverse("institutions:staff_application_action", args=[application.pk, "record_opinion"]))


def _objection_rows(application, user, bound: dict) -> list[dict]:
    available = set(available_transitions(application, user)) if application.state == "public_notice" else set()
    rows = []
    for objection in application.objections.all():
        row = {"objection": objection, "forms": []}
        if objection.status == Objection.Status.OPEN:
            for decision, needed in (("dismiss", "dismiss_objection"), ("uphold", "reject")):
                if needed not in available:
                    continue
                key = f"{decision}-{objection.pk}"
                row["forms"].append(ActionBlock(
                    name=key, label=str(OBJECTION_DECISIONS[decision][0]),
                    form=bound.get(key) or ReasonForm(prefix=key), danger=decision == "uphold",
                    url=reverse("institutions:staff_objection_action",
                                args=[application.pk, objection.pk, decision])))
        rows.append(row)
    return rows


def _render(request, application: FilingApplication, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    today = clock.today()
    dues = {
        "acceptance_due": application.acceptance_due, "supplement_due": application.supplement_due,
        "completion_due": application.completion_due, "notice_ends_on": application.notice_ends_on,
    }
    counter = WorkingDayCounter(today, dues.values())
    current_key = {"submitted": "acceptance_due", "supplement_requested": "supplement_due",
                   "technical_evaluation": "completion_due", "comprehensive_review": "completion_due",
                   "public_notice": "notice_ends_on"}.get(application.state)
    occupations = [{"row": row, "levels": levels_text(row.levels, LEVEL_NAMES)}
                   for row in application.occupations.all()]
    attachments = [{"attachment": a, "url": attachment_url(a.pk)} for a in application.attachments.all()]
    events = timeline(application, STATE_LABELS)
    return render(request, "institutions/staff/application.html", {
        "application": application,
        "institution": application.institution,
        "state_label": STATE_LABELS.get(application.state, application.state),
        "today": today,
        "current_due": counter.mark(dues[current_key]) if current_key else None,
        "current_due_label": DUE_LABELS.get(application.state, ""),
        "due_marks": {key: counter.mark(value) for key, value in dues.items()},
        "occupations": occupations,
        "attachments": attachments,
        "proposed_changes": _proposed_changes(application) if application.kind == "info_change" else [],
        "opinions": list(application.opinions.all()),
        "objections": _objection_rows(application, user, bound),
        "actions": _action_blocks(application, user, bound),
        "opinion_block": _opinion_block(application, user, bound),
        "may_act": _may_act(application, user),
        "timeline": events,
        "summary": error_summary(bound),
    }, status=status)


@roles_required(*REVIEW_ROLES)
def staff_application_view(request, pk: int):
    return _render(request, _application_or_404(request.user, pk))


def _run(request, application, key: str, form: forms.Form, call: Callable[[dict], object], done: str):
    """Validate the form, call the service, and either redirect with a message or show the refusal."""
    if not form.is_valid():
        return _render(request, application, bound={key: form}, status=400)
    try:
        call(form.cleaned_data)
    except DomainError as exc:  # PermissionDeniedError included: 403, the others 409
        form.add_error(None, error_text(exc))
        return _render(request, _application_or_404(request.user, application.pk), bound={key: form},
                       status=exc.status)
    messages.success(request, done)
    return redirect("institutions:staff_application", pk=application.pk)


@require_POST
@roles_required(*REVIEW_ROLES)
def staff_application_action(request, pk: int, action: str):
    spec = APPLICATION_ACTIONS.get(action)
    if spec is None:
        raise Http404
    application = _application_or_404(request.user, pk)
    form = spec.form(request.POST, prefix=action)
    return _run(request, application, action, form,
                lambda data: spec.run(application, request.user, client_ip(request), data), str(spec.done))


@require_POST
@roles_required(*REVIEW_ROLES)
def staff_objection_action(request, pk: int, objection_pk: int, decision: str):
    if decision not in OBJECTION_DECISIONS:
        raise Http404
    application = _application_or_404(request.user, pk)
    objection = get_object_or_404(Objection, pk=objection_pk, application=application)
    key = f"{decision}-{objection.pk}"
    service = svc.objection_dismiss if decision == "dismiss" else svc.objection_uphold
    return _run(request, application, key, ReasonForm(request.POST, prefix=key),
                lambda data: service(objection=objection, reason=data["reason"], acting_user=request.user,
                                     ip=client_ip(request)),
                str(OBJECTION_DECISIONS[decision][1]))
