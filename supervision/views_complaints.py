"""Complaint pages (SUP-02): the public form and follow-up, the office's queue and handling."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.views.common import client_ip, error_text, staff_required
from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.ratelimit import Limit, rate_limit_hit

from .complaints import (
    ComplaintInputError,
    complaint_answer,
    complaint_available_transitions,
    complaint_contact_visible,
    complaint_is_overdue,
    complaint_open_case,
    complaint_start,
    complaint_submit,
    complaints_in_queue_order,
    complaints_visible_to,
)
from .forms_complaints import AnswerForm, ComplaintForm, FollowForm, OpenCaseForm
from .models import Complaint
from .timeline import url_or_empty

SUBMIT_LIMITS = (Limit(5, 3600), Limit(20, 86400))
FOLLOW_LIMITS = (Limit(30, 3600), Limit(200, 86400))
SESSION_KEY = "supervision_complaint_ack"
PAGE_SIZE = 50  # as the staff plan list (assessments.views.staff)


def _rate_limited(request, template: str, context: dict, verdict):
    response = render(request, template, {**context, "rate_limited": True, "retry_after": verdict.retry_after},
                      status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _summary(form) -> list[tuple[str, str]]:
    rows = []
    for name, errors in form.errors.items():
        anchor = form[name].auto_id if name in form.fields else ""
        rows.extend((anchor, str(e)) for e in errors)
    return rows


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """/supervision/complaints/new/: anyone may complain, no login; rate-limited per client (SUP-02)."""
    template = "supervision/complaints/new.html"
    if request.method == "POST":
        verdict = rate_limit_hit("complaint", client_ip(request) or "unknown", SUBMIT_LIMITS)
        if not verdict.allowed:
            return _rate_limited(request, template, {"form": ComplaintForm()}, verdict)
        form = ComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                complaint = complaint_submit(**form.service_kwargs(), acting_user=request.user, ip=client_ip(request))
            except ComplaintInputError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
            except DomainError as exc:
                form.add_error(None, error_text(exc))
            else:
                request.session[SESSION_KEY] = complaint.ack_number
                return redirect("supervision:complaint_received")
        return render(request, template, {"form": form, "summary": _summary(form)}, status=400)
    return render(request, template, {"form": ComplaintForm()})


def complaint_received(request):
    """The acknowledgement after a complaint: its number and where to follow it (shown from the session)."""
    ack = request.session.get(SESSION_KEY)
    complaint = Complaint.objects.filter(ack_number=ack).select_related("region").first() if ack else None
    if complaint is None:
        return redirect("supervision:complaint_new")
    return render(request, "supervision/complaints/received.html", {"complaint": complaint})


@require_http_methods(["GET", "POST"])
def complaint_follow(request):
    """/supervision/complaints/follow/: status, due date and, once answered, outcome and response. The number
    is sent by POST (never in a URL); contact data are never shown here."""
    template = "supervision/complaints/follow.html"
    if request.method != "POST":
        return render(request, template, {"form": FollowForm()})
    verdict = rate_limit_hit("complaint-follow", client_ip(request) or "unknown", FOLLOW_LIMITS)
    if not verdict.allowed:
        return _rate_limited(request, template, {"form": FollowForm()}, verdict)
    form = FollowForm(request.POST)
    complaint, status = None, 200
    if form.is_valid():
        complaint = Complaint.objects.filter(ack_number=form.cleaned_data["ack_number"]).select_related(
            "region").first()
        if complaint is None:
            form.add_error("ack_number", _("No complaint has this acknowledgement number."))
            status = 404
    else:
        status = 400
    return render(request, template, {"form": form, "complaint": complaint,
                                      "overdue": complaint is not None and complaint_is_overdue(complaint)},
                  status=status)


# -- the office's ------------------------------------------------------------------------------------------
@staff_required
def complaints_queue(request):
    """/staff/supervision/complaints/: open complaints first, by due date; overdue ones marked."""
    status = request.GET.get("status") or ""
    queue = complaints_in_queue_order(request.user, status if status in Complaint.Status.values else None)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    complaints = list(page.object_list)
    today = clock.today()
    for c in complaints:
        c.is_overdue = complaint_is_overdue(c, today)
    return render(request, "supervision/complaints/queue.html", {
        "complaints": complaints, "page": page, "status": status, "statuses": Complaint.Status.choices})


def _visible_or_404(user, pk: int) -> Complaint:
    complaint = complaints_visible_to(user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


def _detail(request, complaint: Complaint, *, answer_form=None, case_form=None, status=200):
    from filing_portal.audit.services import audit_events_for

    available = complaint_available_transitions(complaint, request.user)
    return render(request, "supervision/complaints/detail.html", {
        "complaint": complaint,
        "show_contact": complaint_contact_visible(complaint, request.user),
        "overdue": complaint_is_overdue(complaint),
        "available": available,
        "answer_form": answer_form or AnswerForm(),
        "case_form": case_form or OpenCaseForm(),
        "attachments": list(complaint.attachments.all()),
        "events": list(audit_events_for(complaint).order_by("occurred_at", "pk")),
        "case_link": url_or_empty("supervision:case_detail", complaint.case_id) if complaint.case_id else "",
    }, status=status)


@staff_required
def complaint_detail(request, pk: int):
    return _detail(request, _visible_or_404(request.user, pk))


@staff_required
@require_POST
def complaint_start_view(request, pk: int):
    complaint = _visible_or_404(request.user, pk)
    try:
        complaint_start(complaint=complaint, acting_user=request.user, ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You are handling complaint %(ack)s.") % {"ack": complaint.ack_number})
    return redirect("supervision:complaint_detail", pk=complaint.pk)


@staff_required
@require_POST
def complaint_answer_view(request, pk: int):
    complaint = _visible_or_404(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            complaint_answer(complaint=complaint, acting_user=request.user, ip=client_ip(request),
                             **form.cleaned_data)
        except ComplaintInputError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Complaint %(ack)s is answered.") % {"ack": complaint.ack_number})
            return redirect("supervision:complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, answer_form=form, status=400)


@staff_required
@require_POST
def complaint_open_case_view(request, pk: int):
    complaint = _visible_or_404(request.user, pk)
    form = OpenCaseForm(request.POST)
    if form.is_valid():
        try:
            case = complaint_open_case(complaint=complaint, acting_user=request.user, ip=client_ip(request),
                                       summary=form.cleaned_data["summary"])
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Case %(ref)s is open.") % {"ref": case.reference})
            return redirect("supervision:complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, case_form=form, status=400)


@staff_required
def complaint_attachment(request, pk: int, attachment_pk: int):
    """An attachment of a complaint, for staff whose jurisdiction holds it."""
    complaint = _visible_or_404(request.user, pk)
    attachment = complaint.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
