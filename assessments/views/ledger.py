"""工作台账 pages (REC-03): the institution's own ledger and the office's view of it, each with its download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from filing_portal.core import clock
from institutions.models import Institution
from institutions.selectors import filings_visible_to, institutions_visible_to

from ..ledger import ledger_batches, ledger_export, ledger_totals, ledger_years, occupation_lines, pass_rate
from ..models import AssessmentBatch
from .common import STAFF_ROLES, client_ip, institution_required, xlsx_response


def _filters(request, years: list[int]) -> tuple[int | None, str]:
    """?year=&state= from the query string; a value the ledger does not hold is ignored, not an error."""
    year = request.GET.get("year", "")
    state = request.GET.get("state", "")
    chosen = int(year) if year.isdigit() and int(year) in years else None
    return chosen, state if state in AssessmentBatch.State.values else ""


def _rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _page(request, institution: Institution, *, staff: bool):
    user = request.user
    years = ledger_years(user, institution)
    year, state = _filters(request, years)
    batches = list(ledger_batches(user, institution, year=year, state=state))
    for batch in batches:
        batch.lines = occupation_lines(batch)
        batch.pass_rate_text = _rate_text(pass_rate(batch.passed_count, batch.assessed_count))
    totals = ledger_totals(batches)
    if staff:
        export_url = reverse("assessments:staff_ledger_export", args=[institution.pk])
    else:
        export_url = reverse("assessments:my_ledger_export")
    query = request.GET.urlencode()
    return render(request, "assessments/ledger/ledger.html", {
        "institution": institution, "batches": batches, "totals": totals,
        "total_pass_rate": _rate_text(totals.pass_rate), "years": years, "year": year, "state": state,
        "states": AssessmentBatch.State.choices, "staff": staff,
        "batch_url": "assessments:staff_batch" if staff else "assessments:batch_detail",
        "export_url": f"{export_url}?{query}" if query else export_url,
    })


def _download(request, institution: Institution):
    user = request.user
    year, state = _filters(request, ledger_years(user, institution))
    filename = f"work-ledger-{institution.uscc}-{clock.today().isoformat()}.xlsx"
    return xlsx_response(lambda out: ledger_export(institution=institution, out=out, acting_user=user, year=year,
                                                   state=state, ip=client_ip(request)), filename)


def _staff_institution_or_404(user, pk: int) -> Institution:
    """The institution if the office's jurisdiction holds it (its city, or a filing filed with the office:
    JUR-03); 404 for everyone else, other offices and non-staff alike, so outsiders learn nothing."""
    if user.role not in STAFF_ROLES:
        raise Http404
    visible = Q(pk__in=institutions_visible_to(user).values("pk")) | Q(
        pk__in=filings_visible_to(user).values("institution_id"))
    institution = Institution.objects.filter(visible, pk=pk).first()
    if institution is None:
        raise Http404
    return institution


@institution_required
def my_ledger(request):
    """/my/ledger/: every batch of every filing the institution held, newest first, with the totals (REC-03)."""
    return _page(request, request.user.institution, staff=False)


@institution_required
def my_ledger_export(request):
    """/my/ledger/ledger.xlsx: the same ledger and the certificates issued, as a workbook (audited)."""
    return _download(request, request.user.institution)


@login_required
def staff_ledger(request, pk: int):
    """/staff/institutions/<pk>/ledger/: the ledger of an institution in the office's jurisdiction (REC-03)."""
    return _page(request, _staff_institution_or_404(request.user, pk), staff=True)


@login_required
def staff_ledger_export(request, pk: int):
    """/staff/institutions/<pk>/ledger/ledger.xlsx: its download (audited)."""
    return _download(request, _staff_institution_or_404(request.user, pk))
