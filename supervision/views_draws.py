"""Pages of draws and inspections: the office's under /staff/supervision/, the public's under
/supervision/draws/."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments.views.common import error_text, roles_required
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import available_transitions

from .draws import (
    PUBLIC_STATES,
    REVEALED_STATES,
    draw_create,
    draw_transition,
    draws_visible_to,
    public_draws,
    revealed_seed,
)
from .forms_draws import (
    AttachmentForm,
    DrawForm,
    InspectionFilterForm,
    InspectionNewForm,
    InspectionRecordForm,
)
from .inspections import (
    inspection_attachment_add,
    inspection_create,
    inspection_may_record,
    inspection_record,
    inspections_visible_to,
)
from .models import Draw, Inspection

INSPECTIONS_PAGE_SIZE = 50  # an office records thousands of exam supervisions a year (ASM-04)

OFFICE = ("city_staff", "province_staff", "admin")
office_required = roles_required(*OFFICE)
inspections_required = roles_required(*OFFICE, "inspector")

TRANSITION_LABELS = {
    "commit": gettext_lazy("Publish the commitment (freezes population and pool)"),
    "run": gettext_lazy("Run the draw and reveal the seed"),
    "publish_results": gettext_lazy("Publish the inspection results"),
}


def _ip(request):
    return getattr(request, "client_ip", None)


def _inspections(qs=None):
    qs = qs if qs is not None else Inspection.objects.all()
    return Prefetch("inspections", queryset=qs.select_related("filing", "institution")
                    .prefetch_related("team__user").order_by("reference"))


def _selection_rows(draw: Draw) -> list[dict]:
    """The selection with the institution's name and inspection, for the tables."""
    by_number = {i.filing.number: i for i in draw.inspections.all()}
    rows = []
    for position, item in enumerate(draw.selection or [], start=1):
        inspection = by_number.get(item["filing_number"])
        rows.append({"position": position, "filing_number": item["filing_number"], "team": item["team"],
                     "inspection": inspection,
                     "institution": inspection.institution.name if inspection else ""})
    return rows


def _public_data(draw: Draw) -> dict:
    """What the browser re-run reads (json_script); the seed only once revealed."""
    return {"reference": draw.reference, "algorithm": draw.algorithm, "commitment": draw.commitment,
            "seed": revealed_seed(draw), "population": draw.population, "pool": draw.pool,
            "exclusions": draw.exclusions, "sample_size": draw.sample_size, "team_size": draw.team_size,
            "selected": draw.selection if revealed_seed(draw) else []}


# -- the office's draws ------------------------------------------------------------------------------------
@office_required
def draws(request):
    """/staff/supervision/draws/: the office's draws, newest first."""
    rows = draws_visible_to(request.user).annotate(
        pool_size=Count("inspectors", distinct=True), inspection_count=Count("inspections", distinct=True),
        pending_count=Count("inspections", filter=Q(inspections__outcome="pending"), distinct=True))
    return render(request, "supervision/draws/list.html", {"draws": rows})


@office_required
def draw_new(request):
    """/staff/supervision/draws/new/: define a draw (kept as typed when something is wrong)."""
    form = DrawForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            draw = draw_create(
                title=d["title"], sample_size=d["sample_size"], team_size=d["team_size"],
                inspectors=list(d["inspectors"]), acting_user=request.user, region=d.get("office"),
                filter_region=d["filter_region"], filter_kind=d["filter_kind"],
                filter_occupation=d["filter_occupation"],
                filter_supervision_mode=d["filter_supervision_mode"],
                inspect_from=d["inspect_from"], inspect_until=d["inspect_until"])
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Draw %(ref)s is saved as a draft.") % {"ref": draw.reference})
            return redirect("supervision:draw_detail", pk=draw.pk)
    summary = [(form[name].auto_id if name in form.fields else "", f"{form.fields[name].label}: {e}"
                if name in form.fields else e) for name, errors in form.errors.items() for e in errors]
    return render(request, "supervision/draws/new.html", {"form": form, "summary": summary},
                  status=400 if form.is_bound else 200)


@office_required
def draw_detail(request, pk: int):
    """/staff/supervision/draws/<pk>/: the definition, the frozen data, the actions and the selection."""
    draws_qs = draws_visible_to(request.user).prefetch_related("inspectors__user", _inspections())
    draw = get_object_or_404(draws_qs, pk=pk)
    actions = [(name, TRANSITION_LABELS.get(name, name))
               for name in available_transitions(draw, request.user)]
    return render(request, "supervision/draws/detail.html", {
        "draw": draw, "actions": actions, "seed": revealed_seed(draw), "rows": _selection_rows(draw),
        "exclusions": sorted(draw.exclusions.items()), "revealed": draw.state in REVEALED_STATES})


@office_required
@require_POST
def draw_transition_view(request, pk: int, name: str):
    draw = get_object_or_404(draws_visible_to(request.user), pk=pk)
    if name not in TRANSITION_LABELS:
        raise Http404
    try:
        draw_transition(draw=draw, name=name, acting_user=request.user, ip=_ip(request))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, {"commit": _("The commitment is published."),
                                   "run": _("The draw has run; the seed is revealed."),
                                   "publish_results": _("The results are published.")}[name])
    return redirect("supervision:draw_detail", pk=draw.pk)


# -- inspections -------------------------------------------------------------------------------------------
@inspections_required
def inspections(request):
    """/staff/supervision/inspections/: the office's inspections (an inspector: their teams'), filtered."""
    form = InspectionFilterForm(request.GET or None)
    qs = inspections_visible_to(request.user).prefetch_related("team").order_by("-planned_on", "-pk")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["outcome"]:
            qs = qs.filter(outcome=form.cleaned_data["outcome"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    page = Paginator(qs, INSPECTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/inspections/list.html",
                  {"inspections": page.object_list, "page": page, "form": form})


@office_required
def inspection_new(request):
    """/staff/supervision/inspections/new/: plan an exam supervision (ASM-04) or a special inspection."""
    form = InspectionNewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = inspection_create(kind=d["kind"], acting_user=request.user, filing=d.get("filing"),
                                           batch=d.get("batch"), planned_on=d["planned_on"],
                                           team=list(d["team"]))
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Inspection %(ref)s is planned.") % {"ref": inspection.reference})
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return render(request, "supervision/inspections/new.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _inspection_page(request, inspection, *, form=None, upload=None, status=200):
    may_record = inspection_may_record(inspection, request.user)
    locked = bool(inspection.draw_id and inspection.draw.state == Draw.State.RESULTS_PUBLISHED)
    if may_record and not locked and form is None:
        initial = {"inspected_on": inspection.inspected_on, "summary": inspection.summary,
                   "outcome": inspection.outcome if inspection.outcome != "pending" else None}
        form = InspectionRecordForm(initial=initial, inspection=inspection)
    return render(request, "supervision/inspections/detail.html", {
        "inspection": inspection, "findings": inspection.findings.all(),
        "attachments": inspection.attachments.all(),
        "team": inspection.team.select_related("user"), "form": form if may_record and not locked else None,
        "upload": (upload or AttachmentForm()) if may_record else None, "locked": locked}, status=status)


def _visible_inspection(user, pk: int) -> Inspection:
    inspection = inspections_visible_to(user).filter(pk=pk).first()
    if inspection is None:
        raise Http404
    return inspection


@inspections_required
def inspection_detail(request, pk: int):
    """/staff/supervision/inspections/<pk>/: the inspection, its findings form and attachments."""
    inspection = _visible_inspection(request.user, pk)
    if request.method != "POST":
        return _inspection_page(request, inspection)
    if not inspection_may_record(inspection, request.user):
        return _inspection_page(request, inspection, status=403)
    form = InspectionRecordForm(request.POST, inspection=inspection)
    if form.is_valid():
        d = form.cleaned_data
        try:
            inspection_record(inspection=inspection, acting_user=request.user, inspected_on=d["inspected_on"],
                              findings=d["findings"], outcome=d["outcome"], summary=d["summary"])
        except DomainError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return _inspection_page(request, inspection, form=form, status=400)


@inspections_required
@require_POST
def inspection_attachment(request, pk: int):
    inspection = _visible_inspection(request.user, pk)
    upload = AttachmentForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            inspection_attachment_add(inspection=inspection, upload=upload.cleaned_data["file"],
                                      acting_user=request.user)
        except DomainError as exc:
            upload.add_error("file", error_text(exc))
        else:
            messages.success(request, _("The file is attached."))
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return _inspection_page(request, inspection, upload=upload, status=400)


@inspections_required
def inspection_attachment_file(request, pk: int, attachment_pk: int):
    inspection = _visible_inspection(request.user, pk)
    attachment = get_object_or_404(inspection.attachments, pk=attachment_pk)
    return FileResponse(attachment.file.open("rb"), filename=attachment.original_name,
                        as_attachment=attachment.kind != "photo")


# -- the public's ------------------------------------------------------------------------------------------
def public_draws_page(request):
    """/supervision/draws/: every draw from its commitment on (SUP-01 一公开)."""
    rows = public_draws().prefetch_related(_inspections())
    return render(request, "supervision/draws/public_list.html", {"draws": rows})


def public_draw(request, reference: str):
    """/supervision/draws/<reference>/: the published data, selection and results, the in-browser re-run."""
    draw = get_object_or_404(Draw.objects.filter(state__in=PUBLIC_STATES).select_related(
        "region", "filter_region", "filter_occupation").prefetch_related(_inspections()), reference=reference)
    return render(request, "supervision/draws/public_detail.html", {
        "draw": draw, "seed": revealed_seed(draw), "rows": _selection_rows(draw),
        "exclusions": sorted(draw.exclusions.items()), "data": _public_data(draw),
        "published": draw.state == Draw.State.RESULTS_PUBLISHED, "messages_js": _verify_messages()})


def _verify_messages() -> dict:
    """The texts draw-verify.js writes (translated here, so the script holds none)."""
    return {
        "working": _("Re-running the draw…"),
        "bad_seed": _("A seed is 64 hexadecimal characters (0–9, a–f)."),
        "no_crypto": _("This browser cannot compute SHA-256 here (it needs a secure https connection)."),
        "commitment_match": _("Commitment: match — the seed is the one the office committed to."),
        "commitment_mismatch": _("Commitment: no match — this is not the seed the office committed to."),
        "selection_match": _("Selection: match — the seed gives the published institutions and teams."),
        "selection_mismatch": _("Selection: no match — this seed gives a different selection."),
        "selection_unpublished": _("Selection: not published yet; the seed is revealed after the run."),
        "computed": _("The selection this seed gives:"),
        "team": _("team"),
    }
