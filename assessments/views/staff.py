"""The office's batch pages: the plan queue, a plan with its decisions, objections and spot checks, the exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates.models import Certificate
from filing_portal.core.errors import DomainError
from filing_portal.regions.selectors import regions_visible_to

from ..forms import ExportFilterForm, ObjectionResolveForm, SpotCheckForm
from ..models import AssessmentBatch
from ..selectors import batch_queue, batches_for_export, with_counts
from ..services import batch_report_overdue, result_objection_resolve
from ..spot_checks import CHECKABLE_STATES, candidate_found_ineligible, spot_check_record
from .common import error_text, scope_lines, staff_required, visible_batch_or_404, xlsx_response
from .institution import detail_context
from .results import exports

PREVIEW_ROWS = 200
PAGE_SIZE = 50  # a province holds tens of thousands of plans


@staff_required
def staff_batches(request):
    """/staff/batches/: plans waiting for approval first, then the rest by exam date."""
    state = request.GET.get("state") or None
    if state and state not in AssessmentBatch.State.values:
        state = None
    page = Paginator(batch_queue(request.user, state), PAGE_SIZE).get_page(request.GET.get("page"))
    batches = list(page.object_list)
    for batch in batches:
        batch.report_overdue = batch_report_overdue(batch)
        batch.scope_lines = scope_lines(batch)
    return render(request, "assessments/staff_batches.html", {
        "batches": batches, "page": page, "state": state, "states": AssessmentBatch.State.choices})


def _staff_page(request, pk: int, *, failed_objection=None, spot_check_form=None, status=200):
    batch = visible_batch_or_404(request.user, pk)
    context = detail_context(request, batch)
    batch = context["batch"]
    may_act = request.user.role in ("city_staff", "province_staff")
    resolve_forms = []
    if may_act:
        for objection in (o for o in batch.objection_list if o.status == "open"):
            form = ObjectionResolveForm(prefix=f"objection-{objection.pk}")
            if failed_objection is not None and failed_objection[0] == objection.pk:
                form = failed_objection[1]
            resolve_forms.append((objection, form))
    context.update({
        "may_act": may_act,
        "resolve_forms": resolve_forms,
        "spot_check_form": (spot_check_form or SpotCheckForm())
        if may_act and batch.state in CHECKABLE_STATES else None,
        "may_find_ineligible": may_act and batch.state in CHECKABLE_STATES,  # ASM-08
    })
    return render(request, "assessments/staff_batch.html", context, status=status)


@staff_required
def staff_batch(request, pk: int):
    """/staff/batches/<pk>/: the plan, approve or return it, resolve objections, record spot checks."""
    return _staff_page(request, pk)


@staff_required
@require_POST
def staff_objection_resolve(request, pk: int, objection_pk: int):
    """An objection to published results is dismissed or upheld, with reasons (ASM-05)."""
    batch = visible_batch_or_404(request.user, pk)
    objection = batch.result_objections.filter(pk=objection_pk, status="open").first()
    if objection is None:
        raise Http404
    form = ObjectionResolveForm(request.POST, prefix=f"objection-{objection.pk}")
    if form.is_valid():
        try:
            result_objection_resolve(objection=objection, upheld=form.cleaned_data["decision"] == "upheld",
                                     resolution=form.cleaned_data["resolution"], acting_user=request.user)
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The objection is resolved."))
            return redirect("assessments:staff_batch", pk=batch.pk)
    return _staff_page(request, pk, failed_objection=(objection.pk, form), status=400)


@staff_required
@require_POST
def staff_spot_check(request, pk: int):
    """A supervisor's spot check of a key step (ASM-04)."""
    batch = visible_batch_or_404(request.user, pk)
    form = SpotCheckForm(request.POST)
    if form.is_valid():
        try:
            spot_check_record(batch=batch, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The spot check is recorded."))
            return redirect("assessments:staff_batch", pk=batch.pk)
    return _staff_page(request, pk, spot_check_form=form, status=400)


@staff_required
@require_POST
def staff_candidate_ineligible(request, pk: int, candidate_pk: int):
    """POST: a spot check found a candidate not eligible (ASM-08); over 5% of the batch records a violation."""
    batch = visible_batch_or_404(request.user, pk)
    candidate = batch.candidates.filter(pk=candidate_pk).first()
    if candidate is None:
        raise Http404
    try:
        violation = candidate_found_ineligible(candidate=candidate, note=request.POST.get("note", "")[:1000],
                                               acting_user=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The finding on %(name)s is recorded.") % {"name": candidate.name})
        if violation is not None:
            messages.warning(request, f"ASM-08: {violation.detail}")
    return redirect("assessments:staff_batch", pk=batch.pk)


@staff_required
def staff_batch_exports(request):
    """/staff/batches/exports/: the result summary (附件4) and the certificate table (附件5) of the filtered batches;
    the certificate table may mark its certificates as uploaded to the national lookup (ASM-06)."""
    regions = regions_visible_to(request.user).order_by("code")
    data = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    form = ExportFilterForm(data, regions=regions)
    batches, total = [], None
    if form.is_bound and form.is_valid():
        selected = batches_for_export(request.user, **form.filters())
        action = request.POST.get("do") if request.method == "POST" else "preview"
        if action == "result_summary":
            counted = {"occupation_code": form.cleaned_data.get("occupation_code") or "",
                       "level": form.cleaned_data.get("level")}
            return xlsx_response(lambda out: exports().result_summary_xlsx(selected, out, **counted),
                                 "result-summary.xlsx")
        if action == "certificate_info":
            mark = form.cleaned_data["mark_uploaded"]
            certificates = Certificate.objects.filter(batch__in=selected.values("pk"), status="valid").order_by("number")
            if form.cleaned_data.get("occupation_code"):
                certificates = certificates.filter(occupation_code=form.cleaned_data["occupation_code"].strip())
            if form.cleaned_data.get("level"):
                certificates = certificates.filter(level=form.cleaned_data["level"])
            return xlsx_response(lambda out: exports().certificate_info_xlsx(
                certificates, out, mark_uploaded=mark, acting_user=request.user), "certificate-info.xlsx")
        counted = with_counts(selected)
        total = counted.count()
        batches = list(counted[:PREVIEW_ROWS])
    return render(request, "assessments/staff_exports.html", {
        "form": form, "batches": batches, "total": total, "preview_rows": PREVIEW_ROWS})
