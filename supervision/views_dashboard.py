"""The office's supervision dashboard and the supervision file of an institution (staff and the institution)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from assessments.views.common import institution_required, staff_required
from filing_portal.core import clock
from filing_portal.regions.jurisdiction import staff_scope
from filing_portal.regions.selectors import regions_visible_to
from institutions.models import Institution

from .dashboard import dashboard_charts
from .timeline import KIND_LABELS, institution_file


@staff_required
def dashboard(request):
    """/staff/supervision/: charts drawn server-side, each with its numbers in a table beneath it."""
    today = clock.today()
    return render(request, "supervision/dashboard/dashboard.html",
                  {"charts": dashboard_charts(request.user, today), "today": today})


def _institution_in_jurisdiction(user, pk: int) -> Institution:
    """JUR-03: the institution is located in, or filed with an office of, the user's jurisdiction."""
    qs = Institution.objects.select_related("region")
    if staff_scope(user)[0] != "all":
        regions = regions_visible_to(user)
        qs = qs.filter(Q(region__in=regions) | Q(filings__handling_region__in=regions)).distinct()
    institution = qs.filter(pk=pk).first()
    if institution is None:
        raise Http404
    return institution


def _render_file(request, institution, *, for_staff: bool):
    file = institution_file(institution, for_staff=for_staff)
    kind = request.GET.get("kind") or ""
    entries = [e for e in file.entries if e.kind == kind] if kind in KIND_LABELS else file.entries
    return render(request, "supervision/file/file.html", {
        "file": file, "institution": institution, "entries": entries, "kind": kind if kind in KIND_LABELS else "",
        "kinds": [(k, str(v)) for k, v in KIND_LABELS.items()], "for_staff": for_staff})


@staff_required
def staff_institution_file(request, pk: int):
    """/staff/supervision/institutions/<pk>/file/: the institution's supervision file (SUP-02, SUP-07, INC-01)."""
    return _render_file(request, _institution_in_jurisdiction(request.user, pk), for_staff=True)


@institution_required
def my_file(request):
    """/my/supervision/file/: the institution's own supervision file."""
    return _render_file(request, Institution.objects.get(pk=request.user.institution_id), for_staff=False)
