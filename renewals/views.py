"""Renewal pages: the institution's (/my/renewals/) and the office's (/staff/renewals/), and the documents."""

from __future__ import annotations

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from filing_portal.core import clock
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions
from institutions.filing_dates import grace_ends, renewal_window_opens
from institutions.models import Filing
from institutions.selectors import filings_visible_to
from supervision.incentives import clean_record, period_findings

from . import exports
from .eligibility import period_start, renewal_eligibility
from .forms import CommentForm, PlanChoiceForm, ReasonsForm, RenewalForm
from .models import RenewalApplication
from .pdf import PLEDGE
from .selectors import STAFF_ROLES, renewal_queue, renewals_visible_to
from .services import (
    FORM_FIELDS,
    renewal_application_start,
    renewal_plan_choices,
    renewal_plans_choose,
    renewal_transition_run,
    renewal_update,
    submit_problems,
)
from .windows import renewal_may_apply

PAGE_SIZE = 50  # as the staff plan list (assessments.views.staff): a province's queue outgrows one page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roles(*roles):
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if user.role not in roles or (user.role == "institution" and not user.institution_id):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


institution_required = _roles("institution")
staff_required = _roles(*STAFF_ROLES)
document_roles = _roles("institution", *STAFF_ROLES)


def _ip(request):
    return getattr(request, "client_ip", None)


def _error(exc: DomainError) -> str:
    return f"{exc.rule}: {exc.message}" if exc.rule else str(exc.message)


def _visible_or_404(user, pk: int) -> RenewalApplication:
    application = renewals_visible_to(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def renewable_filings(user, today=None) -> list[Filing]:
    """The institution's active or expired filings with their window, grace end and whether it is open now."""
    today = today or clock.today()
    filings = list(filings_visible_to(user).filter(institution_id=user.institution_id,
                                                   state__in=("active", "expired")).order_by("expires_on"))
    for filing in filings:
        filing.window_opens, filing.grace_ends = renewal_window_opens(filing), grace_ends(filing)
        filing.may_apply, filing.apply_rule, filing.apply_message = renewal_may_apply(filing, today)
        filing.days_left = (filing.expires_on - today).days
        filing.open_renewal = filing.renewals.filter(state__in=("draft", "submitted", "under_evaluation")).first()
    return filings


# == the institution =====================================================================================
@institution_required
def my_renewals(request):
    """/my/renewals/: the renewals and, per filing, the window and a "start" button when it is open (REN-01)."""
    renewals = list(renewals_visible_to(request.user).order_by("-created_at", "-pk"))
    return render(request, "renewals/my_renewals.html", {"renewals": renewals,
                                                         "filings": renewable_filings(request.user)})


@institution_required
@require_POST
def my_renewal_new(request):
    """Start the renewal of one of the institution's filings (pre-filled form; REN-01/03)."""
    filing = filings_visible_to(request.user).filter(institution_id=request.user.institution_id,
                                                     pk=request.POST.get("filing") or 0).first()
    if filing is None:
        raise Http404
    try:
        application = renewal_application_start(filing=filing, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, _error(exc))
        return redirect("renewals:my_renewals")
    messages.success(request, _("The renewal form %(ref)s is pre-filled from the portal: check it, write the work "
                                "summary and submit it.") % {"ref": application.reference})
    return redirect("renewals:my_renewal_detail", pk=application.pk)


def _panel_context(application: RenewalApplication) -> dict:
    checks = renewal_eligibility(application.filing, application=application)
    return {"checks": checks, "blocking": [c for c in checks if c.blocking]}


@institution_required
def my_renewal_detail(request, pk: int):
    """The form (pre-filled, keeps its input on error), the plan chooser, the eligibility panel and submit."""
    application = _visible_or_404(request.user, pk)
    user = request.user
    draft = application.state == RenewalApplication.State.DRAFT
    choices = renewal_plan_choices(application) if draft else []
    chosen = [str(p.batch_id) for p in application.plans.all()]
    form = RenewalForm(instance=application)
    plans = PlanChoiceForm(initial={"batches": chosen}, choices=choices)
    if request.method == "POST":
        if not draft:
            raise PermissionDenied
        form = RenewalForm(request.POST, instance=RenewalApplication.objects.get(pk=application.pk))
        plans = PlanChoiceForm(request.POST, choices=choices)
        if form.is_valid() and plans.is_valid():
            try:
                application = renewal_update(application=application, acting_user=user,
                                             **{f: form.cleaned_data[f] for f in FORM_FIELDS})
                if [int(x) for x in chosen] != plans.cleaned_data["batches"]:
                    renewal_plans_choose(application=application, batch_ids=plans.cleaned_data["batches"],
                                         acting_user=user)
                if "submit" in request.POST:
                    renewal_transition_run(application, "submit", user, ip=_ip(request))
                    messages.success(request, _("The renewal is submitted to %(office)s.")
                                     % {"office": application.filing.handling_region.name})
                else:
                    messages.success(request, _("The renewal form is saved."))
                return redirect("renewals:my_renewal_detail", pk=application.pk)
            except DomainError as exc:
                form.add_error(None, _error(exc))
        application = _visible_or_404(user, pk)
    context = {"application": application, "form": form, "plans_form": plans, "choices": choices,
               "chosen": request.POST.getlist("batches") if request.method == "POST" else chosen,
               "problems": submit_problems(application) if draft else [], "draft": draft,
               "plans": list(application.plans.all()), "pledge": PLEDGE, **_panel_context(application)}
    return render(request, "renewals/my_renewal_detail.html", context)


# == the office ==========================================================================================
@staff_required
def staff_renewals(request):
    """/staff/renewals/: the queue with evaluation due dates, overdue flagged (REN-07), a page at a time."""
    today = clock.today()
    # renewal_queue orders in the database down to the pk, so page 2 continues page 1 exactly
    page = Paginator(renewal_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.overdue = bool(row.state == "under_evaluation" and row.evaluation_due and row.evaluation_due < today)
    return render(request, "renewals/staff_renewals.html", {"renewals": rows, "page": page, "today": today})


TRANSITION_LABELS = {"start_evaluation": gettext_lazy("Start the evaluation"),
                     "approve": gettext_lazy("Approve the renewal"),
                     "reject": gettext_lazy("Reject the renewal"), "submit": gettext_lazy("Submit")}


@staff_required
def staff_renewal_detail(request, pk: int):
    """The office's page: the form as submitted, the eligibility panel, the clean record and the decisions."""
    application = _visible_or_404(request.user, pk)
    if request.method == "POST":
        name = request.POST.get("transition", "")
        if name not in ("start_evaluation", "approve", "reject"):
            raise Http404
        form = ReasonsForm(request.POST) if name == "reject" else CommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("REN-05: give the reasons for the rejection."))
            return redirect("renewals:staff_renewal_detail", pk=pk)
        try:
            renewal_transition_run(application, name, request.user, ip=_ip(request),
                                   reasons=form.cleaned_data.get("reasons", ""),
                                   comment=form.cleaned_data.get("comment", ""))
        except DomainError as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": TRANSITION_LABELS[name]})
        return redirect("renewals:staff_renewal_detail", pk=pk)
    filing = application.filing
    start = period_start(filing, application.expires_on)
    findings = list(period_findings(filing, start, application.expires_on).values_list("reference", "tier"))
    today = clock.today()
    context = {
        "application": application, "plans": list(application.plans.all()),
        "actions": [(n, TRANSITION_LABELS[n]) for n in available_transitions(application, request.user)],
        "periods": clean_record(filing), "period_start": start, "findings": findings,
        "overdue": bool(application.state == "under_evaluation" and application.evaluation_due
                        and application.evaluation_due < today),
        **_panel_context(application)}
    return render(request, "renewals/staff_renewal_detail.html", context)


# == the documents =======================================================================================
def _pdf(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf")


@document_roles
def renewal_form_pdf(request, pk: int):
    application = _visible_or_404(request.user, pk)
    return _pdf(exports.renewal_form_pdf(application), f"renewal-form-{application.reference}.pdf")


@document_roles
def renewal_form_xlsx(request, pk: int):
    application = _visible_or_404(request.user, pk)
    out = io.BytesIO()
    exports.renewal_form_xlsx(application, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"renewal-form-{application.reference}.xlsx",
                        content_type=XLSX)


@document_roles
def renewal_summary_pdf(request, pk: int):
    application = _visible_or_404(request.user, pk)
    return _pdf(exports.work_summary_pdf(application), f"work-summary-{application.reference}.pdf")


@document_roles
def filing_letter_pdf(request, pk: int):
    application = _visible_or_404(request.user, pk)
    if application.state != RenewalApplication.State.APPROVED:
        raise Http404
    return _pdf(exports.filing_letter_pdf(application), f"filing-letter-{application.filing.number}.pdf")
