"""Candidates of a batch: the spreadsheet import with every bad row shown, the template, one candidate by hand."""

from __future__ import annotations

import importlib

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filing_portal.core.errors import DomainError
from filing_portal.personal_data import mask_id_number

from ..forms import CandidateForm, XlsxUploadForm
from ..models import Candidate
from ..selectors import batch_candidates
from ..services import (
    CandidateImportError,
    candidate_delete,
    candidate_eligibility_review,
    candidate_update,
    candidates_add,
)
from .common import CANDIDATE_STATES, bytes_response, error_text, institution_required, visible_batch_or_404

IMPORT_KINDS = ("candidates", "results")


def spreadsheets():
    """The colleague's spreadsheet module, looked up when used (so these pages never break the URLconf)."""
    return importlib.import_module("assessments.imports")


def errors_key(batch_pk: int, kind: str) -> str:
    return f"assessments:import-errors:{kind}:{batch_pk}"


def error_rows(errors: dict) -> list[tuple[int, str, str]]:
    """{sheet_row: {column: message}} → sorted (row, column, message) rows for the table."""
    rows = []
    for row, problems in errors.items():
        for column, message in problems.items():
            rows.append((int(row), str(column), str(message)))
    return sorted(rows, key=lambda r: (r[0], r[1]))


def store_errors(request, batch_pk: int, kind: str, errors: dict) -> None:
    """Keep the errors for the downloadable report (JSON session: row numbers become strings)."""
    request.session[errors_key(batch_pk, kind)] = {str(row): {str(c): str(m) for c, m in problems.items()}
                                                   for row, problems in errors.items()}


def _page(request, batch, *, upload_form=None, add_form=None, import_errors=None, file_error="", status=200):
    return render(request, "assessments/candidates_import.html", {
        "batch": batch,
        "upload_form": upload_form or XlsxUploadForm(),
        "add_form": add_form or CandidateForm(batch=batch),
        "import_errors": error_rows(import_errors) if import_errors else [],
        "file_error": file_error,
        "candidate_count": batch_candidates(batch).count(),
        "editable": batch.state in CANDIDATE_STATES,
    }, status=status)


def _editable_batch(request, pk: int):
    """The institution's own batch (404 otherwise); whether it still takes candidates the service decides."""
    return visible_batch_or_404(request.user, pk, own=True)


@institution_required
def batch_candidates_import(request, pk: int):
    """/my/batches/<pk>/candidates/import/: upload the filled template; all or nothing, every bad row listed."""
    batch = _editable_batch(request, pk)
    if request.method != "POST":
        return _page(request, batch)
    form = XlsxUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, batch, upload_form=form, status=400)
    module = spreadsheets()
    try:
        created = module.candidates_from_xlsx(batch=batch, upload=form.cleaned_data["upload"],
                                              acting_user=request.user)
    except CandidateImportError as exc:
        store_errors(request, batch.pk, "candidates", exc.errors)
        return _page(request, batch, import_errors=exc.errors, status=400)
    except module.ImportFileError as exc:
        return _page(request, batch, file_error=error_text(exc), status=400)
    except DomainError as exc:
        return _page(request, batch, file_error=error_text(exc), status=exc.status)
    request.session.pop(errors_key(batch.pk, "candidates"), None)
    messages.success(request, _("%(n)d candidates were added.") % {"n": len(created)})
    return redirect("assessments:batch_detail", pk=batch.pk)


@institution_required
@require_POST
def batch_candidate_add(request, pk: int):
    """One candidate typed in → `candidates_add` with one row; the service's problems go next to the fields."""
    batch = _editable_batch(request, pk)
    form = CandidateForm(request.POST, request.FILES, batch=batch)
    if form.is_valid():
        try:
            candidates_add(batch=batch, rows=[form.candidate()], acting_user=request.user)
        except CandidateImportError as exc:
            form.add_service_errors(exc.errors.get(1, {}))
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": form.cleaned_data["name"]})
            return redirect("assessments:batch_candidates_import", pk=batch.pk)
    return _page(request, batch, add_form=form, status=400)


@institution_required
def batch_candidates_template(request, pk: int):
    """The candidate list template (.xlsx) with the batch's occupations."""
    batch = _editable_batch(request, pk)
    return bytes_response(spreadsheets().candidate_template_xlsx(), f"candidates-{batch.plan_number}.xlsx")


@institution_required
def batch_import_errors(request, pk: int, kind: str):
    """The last import's errors as a spreadsheet (row, column, message), from the session."""
    batch = _editable_batch(request, pk)
    if kind not in IMPORT_KINDS:
        raise Http404
    stored = request.session.get(errors_key(batch.pk, kind))
    if not stored:
        messages.error(request, _("There is no error report to download: import the spreadsheet again."))
        return redirect("assessments:batch_candidates_import" if kind == "candidates" else "assessments:batch_results",
                        pk=batch.pk)
    errors = {int(row): problems for row, problems in stored.items()}
    return bytes_response(spreadsheets().errors_report_xlsx(errors), f"{kind}-errors-{batch.plan_number}.xlsx")


def _own_candidate(request, pk: int, candidate_pk: int):
    batch = visible_batch_or_404(request.user, pk, own=True)
    candidate = Candidate.objects.select_related("occupation", "batch").filter(batch=batch, pk=candidate_pk).first()
    if candidate is None:
        raise Http404
    return batch, candidate


@institution_required
def batch_candidate_edit(request, pk: int, candidate_pk: int):
    """/my/batches/<pk>/candidates/<id>/: change one candidate (or its photo) while the plan is draft or
    submitted → `candidate_update`; the ID number is shown masked and kept when left blank (PUB-04)."""
    batch, candidate = _own_candidate(request, pk, candidate_pk)
    data = request.POST if request.method == "POST" else None
    form = CandidateForm(data, request.FILES or None, batch=batch, initial=CandidateForm.initial_for(candidate))
    form.fields["id_number"].required = False
    form.fields["id_number"].help_text = _("Now %(masked)s; leave blank to keep it.") % {
        "masked": mask_id_number(candidate.id_number)}
    status = 200
    if data is not None:
        if form.is_valid():
            row = form.candidate()
            if not row.id_number.strip():
                row.id_number = candidate.id_number
            try:
                candidate_update(candidate=candidate, data=row, acting_user=request.user,
                                 remove_photo=form.cleaned_data.get("photo") is False)
            except CandidateImportError as exc:
                form.add_service_errors(exc.errors.get(1, {}))
            except DomainError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("%(name)s was changed.") % {"name": row.name})
                return redirect("assessments:batch_detail", pk=batch.pk)
        status = 400
    return render(request, "assessments/candidate_edit.html", {
        "batch": batch, "candidate": candidate, "form": form,
        "editable": batch.state in ("draft", "submitted")}, status=status)


@institution_required
@require_POST
def batch_candidate_delete(request, pk: int, candidate_pk: int):
    """POST: remove one candidate while the plan is draft or submitted (audited)."""
    batch, candidate = _own_candidate(request, pk, candidate_pk)
    try:
        candidate_delete(candidate=candidate, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": candidate.name})
    return redirect("assessments:batch_detail", pk=batch.pk)


@institution_required
@require_POST
def batch_candidate_eligibility(request, pk: int, candidate_pk: int):
    """POST: the institution's eligibility review of one candidate (ASM-08)."""
    batch, candidate = _own_candidate(request, pk, candidate_pk)
    try:
        candidate_eligibility_review(candidate=candidate, eligible=request.POST.get("eligible") != "no",
                                     note=request.POST.get("note", "")[:1000], acting_user=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The eligibility review of %(name)s is recorded.") % {"name": candidate.name})
    return redirect("assessments:batch_detail", pk=batch.pk)
