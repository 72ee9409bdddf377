"""The institution's list of applications and filings, the status page, withdrawal and the documents."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from filing_portal.accounts.models import Role
from filing_portal.audit.services import audit_events_for
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions

from ..documents import filing_receipt_pdf, termination_notice_pdf
from ..models import Attachment, Filing, FilingApplication
from ..selectors import applications_visible_to, filings_visible_to
from ..services.applications import application_create, application_withdraw
from .common import (
    DOCUMENT_ROLES,
    client_ip,
    error_text,
    institution_required,
    is_editable,
    own_application_or_404,
    steps_of,
)

ACTION_LABELS = {
    "create": gettext_lazy("Application created"),
    "sign_pledges": gettext_lazy("Pledges signed"),
    "attach": gettext_lazy("Attachment uploaded"),
    "submit": gettext_lazy("Submitted"),
    "request_supplement": gettext_lazy("Supplement requested"),
    "resubmit": gettext_lazy("Submitted again with the supplement"),
    "expire": gettext_lazy("Terminated: the supplement was not complete in time"),
    "accept": gettext_lazy("Accepted for review"),
    "record_opinion": gettext_lazy("Expert opinion recorded"),
    "pass_initial_review": gettext_lazy("Initial review passed"),
    "record_evaluation": gettext_lazy("On-site technical evaluation passed"),
    "start_public_notice": gettext_lazy("Public notice started"),
    "raise_objection": gettext_lazy("Objection raised"),
    "dismiss_objection": gettext_lazy("Objection dismissed"),
    "complete_notice": gettext_lazy("Filed"),
    "approve_change": gettext_lazy("Change approved"),
    "reject": gettext_lazy("Not filed"),
    "withdraw": gettext_lazy("Withdrawn"),
    "override_change_rules": gettext_lazy("Change rules overridden by staff"),
}


def current_due(application: FilingApplication):
    """The date the next step is due by, in the states that have one (FIL-02/04/05/07)."""
    return {
        "submitted": application.acceptance_due,
        "supplement_requested": application.supplement_due,
        "technical_evaluation": application.completion_due,
        "comprehensive_review": application.completion_due,
        "public_notice": application.notice_ends_on,
    }.get(application.state)


@institution_required
def my_applications(request):
    """/my/applications/: the institution's applications and filing records."""
    user = request.user
    applications = list(applications_visible_to(user).filter(institution_id=user.institution_id)
                        .select_related("filing").order_by("-created_at", "-pk"))
    for application in applications:
        application.current_due = current_due(application)
        application.editable = is_editable(application)
    filings = list(filings_visible_to(user).filter(institution_id=user.institution_id).order_by("-valid_from"))
    return render(request, "institutions/applicant/list.html", {
        "applications": applications, "filings": filings,
        # The service refuses a second initial filing while one is active or suspended (CHG-01).
        "may_apply": not any(f.state in (Filing.State.ACTIVE, Filing.State.SUSPENDED) for f in filings),
    })


@institution_required
@require_POST
def application_new(request):
    """Start a draft: an initial filing, or a change of one of the institution's active filings."""
    kind = request.POST.get("kind", FilingApplication.Kind.INITIAL)
    if kind not in FilingApplication.Kind.values:
        raise Http404
    filing = None
    if kind != FilingApplication.Kind.INITIAL:
        filing = filings_visible_to(request.user).filter(pk=request.POST.get("filing") or 0,
                                                         institution_id=request.user.institution_id).first()
        if filing is None:
            raise Http404
    try:
        application = application_create(institution=request.user.institution, acting_user=request.user,
                                          kind=kind, filing=filing)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("institutions:my_applications")
    messages.success(request, _("A draft application is started; fill in each step and submit it."))
    return redirect("institutions:application_edit", pk=application.pk, step=steps_of(application)[0])


@dataclass
class TimelineRow:
    when: object
    label: str
    who: str
    comment: str


def _who(event) -> str:
    """Institution users by name; the office's people by their role only."""
    if event.actor_role == "system":
        return _("System (deadline)")
    if event.actor_role == "public":
        return _("Member of the public")
    if event.actor_role == Role.INSTITUTION:
        return (event.actor.get_full_name() if event.actor else "") or event.actor_name
    return str(Role(event.actor_role).label) if event.actor_role in Role.values else event.actor_role


def _comment(event) -> str:
    data = event.data or {}
    parts = [event.comment] if event.comment else []
    if data.get("items"):
        parts.append("；".join(str(item) for item in data["items"]))
    if event.action.endswith(".attach") and data.get("file"):
        kind = Attachment.Kind(data["kind"]).label if data.get("kind") in Attachment.Kind.values else ""
        parts.append(f"{data['file']}（{kind}）" if kind else str(data["file"]))
    if event.action.endswith(".sign_pledges") and data.get("signed_by"):
        parts.append(str(data["signed_by"]))
    return " · ".join(parts)


def timeline(application: FilingApplication) -> list[TimelineRow]:
    rows = []
    for event in audit_events_for(application).order_by("occurred_at", "pk"):
        action = event.action.split(".", 1)[-1]
        rows.append(TimelineRow(timezone.localtime(event.occurred_at), str(ACTION_LABELS.get(action, action)),
                                _who(event), _comment(event)))
    return rows


@institution_required
def application_detail(request, pk: int):
    """/my/applications/<pk>/: state, timeline, due dates, decision, documents."""
    application = own_application_or_404(request.user, pk)
    filing = None
    if application.state == FilingApplication.State.APPROVED:
        filing = Filing.objects.filter(source_application=application).first() or application.filing
    return render(request, "institutions/applicant/detail.html", {
        "application": application, "timeline": timeline(application), "filing": filing,
        "editable": is_editable(application),
        "can_withdraw": "withdraw" in available_transitions(application, request.user),
        "has_receipt": (application.state == FilingApplication.State.APPROVED
                        and application.kind != FilingApplication.Kind.INFO_CHANGE),
        "has_termination_notice": application.state == FilingApplication.State.TERMINATED,
    })


@institution_required
@require_POST
def application_withdraw_view(request, pk: int):
    application = own_application_or_404(request.user, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you withdraw the application."))
        return redirect("institutions:application_detail", pk=application.pk)
    try:
        application_withdraw(application=application, acting_user=request.user, ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("institutions:application_detail", pk=application.pk)


def _document(request, pk: int, render_pdf, filename: str):
    """The owner, and staff whose view holds the application (JUR-03), may download its documents."""
    if request.user.role not in DOCUMENT_ROLES:
        raise PermissionDenied
    application = applications_visible_to(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    try:
        data = render_pdf(application)
    except DomainError as exc:
        if request.user.role == Role.INSTITUTION:
            messages.error(request, error_text(exc))
            return redirect("institutions:application_detail", pk=application.pk)
        return render(request, "institutions/applicant/unavailable.html",
                      {"application": application, "error": error_text(exc)}, status=409)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{application.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def application_receipt(request, pk: int):
    """FIL-08: the filing receipt (result notice style 1)."""
    return _document(request, pk, filing_receipt_pdf, "filing-receipt")


@login_required
def application_termination_notice(request, pk: int):
    """FIL-04: the termination notice (result notice style 2)."""
    return _document(request, pk, termination_notice_pdf, "termination-notice")


@login_required
def attachment_download(request, pk: int):
    """/applications/attachments/<pk>/: the file, to its institution and to staff who see the application."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if (attachment is None or request.user.role not in DOCUMENT_ROLES
            or not applications_visible_to(request.user).filter(pk=attachment.application_id).exists()):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
