"""/staff/filings/: the filing records in the caller's jurisdiction and their lifecycle actions.

Suspension, reinstatement, revocation and termination call `services/filings.py`
(revocation and termination retire the number, NUM-03, and publish an announcement).
A scope change blocked by CHG-04/05 is listed here with the staff override form.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions

from ..forms_staff import CommentForm, ConfirmForm, FilingFilterForm, ReasonForm, RevokeForm, TerminateForm
from ..models import Filing, FilingApplication, FilingScope, TerminationNotice
from ..selectors import filings_visible_to
from ..services import filings as filing_services
from ..services.applications import application_override_change_rules
from ..services.eligibility import application_check_eligibility
from .common import (
    FILING_ROLES,
    LEVEL_NAMES,
    ActionBlock,
    ActionSpec,
    client_ip,
    error_summary,
    error_text,
    levels_text,
    roles_required,
    timeline,
)

PAGE_SIZE = 50
STATE_LABELS = dict(Filing.State.choices)
APPLICATION_STATE_LABELS = dict(FilingApplication.State.choices)
CHANGE_RULES = ("CHG-04", "CHG-05")


FILING_ACTIONS: dict[str, ActionSpec] = {
    "suspend": ActionSpec(
        ReasonForm, gettext_lazy("Suspend for rectification"),
        lambda filing, user, ip, data: filing_services.filing_suspend(
            filing=filing, reason=data["reason"], acting_user=user, ip=ip),
        gettext_lazy("The filing is suspended and the rectification order published.")),
    "reinstate": ActionSpec(
        CommentForm, gettext_lazy("Reinstate"),
        lambda filing, user, ip, data: filing_services.filing_reinstate(
            filing=filing, reason=data["reason"], acting_user=user, ip=ip),
        gettext_lazy("The filing is active again.")),
    "revoke": ActionSpec(
        RevokeForm, gettext_lazy("Revoke the filing"),
        lambda filing, user, ip, data: filing_services.filing_revoke(
            filing=filing, reason=data["reason"], ground=data["ground"], acting_user=user, ip=ip),
        gettext_lazy("The filing is revoked, its number retired and the revocation published."), danger=True),
    "terminate": ActionSpec(
        TerminateForm, gettext_lazy("Terminate the filing"),
        lambda filing, user, ip, data: filing_services.filing_terminate(
            filing=filing, reason=data["reason"], kind=data["kind"], ground=data["ground"], acting_user=user, ip=ip),
        gettext_lazy("The filing is terminated, its number retired and the termination published."),
        danger=True),
}


def _scope_lines(scope_rows) -> list[dict]:
    """Group (occupation, work type, level) rows into one line per occupation and work type."""
    lines: dict[tuple, dict] = {}
    for row in scope_rows:
        key = (row.occupation_id, row.work_type)
        line = lines.setdefault(key, {"occupation": row.occupation, "work_type": row.work_type, "levels": []})
        line["levels"].append(row.level)
    for line in lines.values():
        line["levels_text"] = levels_text(line["levels"])
        line["levels_long"] = levels_text(line["levels"], LEVEL_NAMES)
    return list(lines.values())


def _active_scope():
    return Prefetch("scope", queryset=FilingScope.objects.filter(active=True).select_related("occupation")
                    .order_by("occupation__code", "work_type", "level"), to_attr="active_scope")


@roles_required(*FILING_ROLES)
def staff_filings_view(request):
    """Filing records in jurisdiction: number, institution, state, validity, days to expiry, scope."""
    form = FilingFilterForm(request.GET or None)
    qs = filings_visible_to(request.user)
    if form.is_valid():
        if form.cleaned_data["state"]:
            qs = qs.filter(state=form.cleaned_data["state"])
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(institution__name__icontains=q) | Q(number__iexact=q))
    qs = qs.prefetch_related(_active_scope()).order_by("expires_on", "number")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    filings = list(page.object_list)
    for filing in filings:
        filing.days_left = filing.days_to_expiry(today)
        filing.scope_lines = _scope_lines(filing.active_scope)
    return render(request, "institutions/staff/filings.html", {
        "form": form, "page": page, "filings": filings, "today": today, "state_labels": STATE_LABELS,
    })


def _filing_or_404(user, pk: int) -> Filing:
    return get_object_or_404(filings_visible_to(user).prefetch_related(_active_scope()), pk=pk)


def _change_rows(filing: Filing, user, bound: dict) -> list[dict]:
    """The filing's change applications; a scope-change draft blocked by CHG-04/05 gets the override form."""
    rows = []
    for application in filing.change_applications.select_related("institution").order_by("-created_at"):
        row = {"application": application, "state_label": APPLICATION_STATE_LABELS.get(application.state, ""),
               "blockers": [], "override": None,
               "link": application.state != FilingApplication.State.DRAFT}
        if (application.kind == FilingApplication.Kind.SCOPE_CHANGE and application.state == "draft"
                and not application.override_reason):
            row["blockers"] = [p for p in application_check_eligibility(application) if p.rule in CHANGE_RULES]
            if row["blockers"] and user.role in ("city_staff", "province_staff"):
                key = f"override-{application.pk}"
                row["override"] = ActionBlock(
                    name=key, label=str(gettext_lazy("Override with reason")),
                    form=bound.get(key) or ReasonForm(prefix=key),
                    url=reverse("institutions:staff_change_override", args=[filing.pk, application.pk]))
        rows.append(row)
    return rows


def _render(request, filing: Filing, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    available = set(available_transitions(filing, user))
    actions = [
        ActionBlock(name=name, label=str(spec.label), danger=spec.danger,
                    form=bound.get(name) or spec.form(prefix=name),
                    url=reverse("institutions:staff_filing_action", args=[filing.pk, name]))
        for name, spec in FILING_ACTIONS.items() if name in available
    ]
    today = clock.today()
    return render(request, "institutions/staff/filing.html", {
        "filing": filing,
        "state_label": STATE_LABELS.get(filing.state, filing.state),
        "days_left": filing.days_to_expiry(today),
        "today": today,
        "scope_lines": _scope_lines(filing.active_scope),
        "actions": actions,
        "announcements": list(filing.announcements.order_by("-published_on", "-id")),
        "changes": _change_rows(filing, user, bound),
        "termination_notices": list(filing.termination_notices.filter(status=TerminationNotice.Status.NOTIFIED)
                                    .select_related("notified_by")),
        "may_confirm_termination": "terminate" in available,
        "timeline": timeline(filing, STATE_LABELS),
        "summary": error_summary(bound),
    }, status=status)


@roles_required(*FILING_ROLES)
def staff_filing_view(request, pk: int):
    return _render(request, _filing_or_404(request.user, pk))


def _run(request, filing: Filing, key: str, form: forms.Form, call: Callable[[dict], object], done: str):
    if not form.is_valid():
        return _render(request, filing, bound={key: form}, status=400)
    try:
        call(form.cleaned_data)
    except DomainError as exc:  # PermissionDeniedError included: 403, the others 409
        form.add_error(None, error_text(exc))
        return _render(request, _filing_or_404(request.user, filing.pk), bound={key: form}, status=exc.status)
    messages.success(request, done)
    return redirect("institutions:staff_filing", pk=filing.pk)


@require_POST
@roles_required(*FILING_ROLES)
def staff_filing_action(request, pk: int, action: str):
    spec = FILING_ACTIONS.get(action)
    if spec is None:
        raise Http404
    filing = _filing_or_404(request.user, pk)
    return _run(request, filing, action, spec.form(request.POST, prefix=action),
                lambda data: spec.run(filing, request.user, client_ip(request), data), str(spec.done))


@require_POST
@roles_required(*FILING_ROLES)
def staff_change_override(request, pk: int, application_pk: int):
    """CHG-04/05: let a scope change of this filing through, with the reason kept in the audit trail."""
    filing = _filing_or_404(request.user, pk)
    application = get_object_or_404(filing.change_applications.filter(kind=FilingApplication.Kind.SCOPE_CHANGE),
                                    pk=application_pk)
    key = f"override-{application.pk}"
    return _run(request, filing, key, ReasonForm(request.POST, prefix=key),
                lambda data: application_override_change_rules(application=application, reason=data["reason"],
                                                               acting_user=request.user),
                str(gettext_lazy("Override recorded: the institution can submit the change now.")))


@require_POST
@roles_required(*FILING_ROLES)
def staff_termination_confirm(request, pk: int, notice_pk: int):
    """TERM-01: confirm the institution's notice; the filing is terminated and the termination published."""
    filing = _filing_or_404(request.user, pk)
    notice = get_object_or_404(filing.termination_notices.all(), pk=notice_pk)
    return _run(request, filing, f"confirm-{notice.pk}", ConfirmForm(request.POST),
                lambda data: filing_services.filing_termination_confirm(notice=notice, acting_user=request.user,
                                                                       ip=client_ip(request)),
                str(gettext_lazy("The termination is confirmed, the number retired and the termination published.")))
