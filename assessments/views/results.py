"""Results of a batch: entry on a page, the spreadsheet import and template, and the batch's two exports."""

from __future__ import annotations

import importlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filing_portal.core.errors import DomainError

from ..forms import ScoreFormSet, XlsxUploadForm
from ..models import AssessmentBatch
from ..selectors import batch_candidates
from ..services import CandidateImportError, results_record
from .candidates import error_rows, errors_key, spreadsheets, store_errors
from .common import bytes_response, error_text, institution_required, visible_batch_or_404, xlsx_response

EXPORT_ROLES = ("institution", "city_staff", "province_staff", "admin")


def _page(request, batch, *, formset=None, upload_form=None, import_errors=None, file_error="", summary=(),
          status=200):
    candidates = list(batch_candidates(batch))
    return render(request, "assessments/results.html", {
        "batch": batch,
        "formset": formset or ScoreFormSet(prefix="scores", batch=batch, candidates=candidates),
        "upload_form": upload_form or XlsxUploadForm(),
        "import_errors": error_rows(import_errors) if import_errors else [],
        "file_error": file_error,
        "summary": summary,
        "editable": batch.state == AssessmentBatch.State.CONDUCTED,
    }, status=status)


@institution_required
def batch_results(request, pk: int):
    """/my/batches/<pk>/results/: a score for every candidate in the batch's subjects (ASM-07) → `results_record`."""
    batch = visible_batch_or_404(request.user, pk, own=True)
    if request.method != "POST":
        return _page(request, batch)
    candidates = list(batch_candidates(batch))
    formset = ScoreFormSet(request.POST, prefix="scores", batch=batch, candidates=candidates)
    if not formset.is_valid():
        return _page(request, batch, formset=formset, summary=[_("Correct the scores marked below.")], status=400)
    try:
        count = results_record(batch=batch, scores=[f.score() for f in formset.forms], acting_user=request.user)
    except CandidateImportError as exc:
        # The service numbers the rows as they were sent: row n is the n-th form.
        for index, problems in exc.errors.items():
            form = formset.forms[index - 1] if 0 < index <= len(formset.forms) else None
            for field, message in problems.items():
                if form is not None and field in form.fields:
                    form.add_error(field, message)
                elif form is not None:
                    form.add_error(None, message)
        return _page(request, batch, formset=formset, summary=[exc.message], status=400)
    except DomainError as exc:
        return _page(request, batch, formset=formset, summary=[error_text(exc)], status=exc.status)
    messages.success(request, _("%(n)d results were recorded.") % {"n": count})
    return redirect("assessments:batch_detail", pk=batch.pk)


@institution_required
@require_POST
def batch_results_import(request, pk: int):
    """The results spreadsheet (the template with scores filled in) → `results_from_xlsx`; all or nothing."""
    batch = visible_batch_or_404(request.user, pk, own=True)
    form = XlsxUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, batch, upload_form=form, status=400)
    module = spreadsheets()
    try:
        count = module.results_from_xlsx(batch=batch, upload=form.cleaned_data["upload"], acting_user=request.user)
    except CandidateImportError as exc:
        store_errors(request, batch.pk, "results", exc.errors)
        return _page(request, batch, import_errors=exc.errors, status=400)
    except module.ImportFileError as exc:
        return _page(request, batch, file_error=error_text(exc), status=400)
    except DomainError as exc:
        return _page(request, batch, file_error=error_text(exc), status=exc.status)
    request.session.pop(errors_key(batch.pk, "results"), None)
    messages.success(request, _("%(n)d results were recorded.") % {"n": count})
    return redirect("assessments:batch_detail", pk=batch.pk)


@institution_required
def batch_results_template(request, pk: int):
    """The results template: the batch's candidates with a column per subject."""
    batch = visible_batch_or_404(request.user, pk, own=True)
    return bytes_response(spreadsheets().results_template_xlsx(batch), f"results-{batch.plan_number}.xlsx")


def exports():
    return importlib.import_module("assessments.exports")


def _export_batch(request, pk: int) -> AssessmentBatch:
    if request.user.role not in EXPORT_ROLES:
        raise PermissionDenied
    return visible_batch_or_404(request.user, pk)


@login_required
def batch_export_result_summary(request, pk: int):
    """The batch's result summary (AH20 附件4, ASM-05) for the institution and the staff who see the batch."""
    batch = _export_batch(request, pk)
    batches = AssessmentBatch.objects.filter(pk=batch.pk)
    return xlsx_response(lambda out: exports().result_summary_xlsx(batches, out),
                         f"result-summary-{batch.plan_number}.xlsx")


@login_required
def batch_export_certificate_info(request, pk: int):
    """The batch's certificate information table (AH20 附件5, ASM-06)."""
    batch = _export_batch(request, pk)
    certificates = batch.certificates.filter(status="valid").order_by("number")  # voided ones are not reported
    return xlsx_response(lambda out: exports().certificate_info_xlsx(certificates, out),
                         f"certificate-info-{batch.plan_number}.xlsx")
