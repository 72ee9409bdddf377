"""/staff/applications/: the review queue, most urgent first (FIL-02/04/05/07, JUR-03)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from filing_portal.core import clock

from ..forms_staff import QueueFilterForm
from ..models import ApplicationOccupation, FilingApplication
from ..selectors import OPEN_STATES, applications_visible_to, staff_queue
from .common import DUE_LABELS, REVIEW_ROLES, WorkingDayCounter, levels_text, roles_required

PAGE_SIZE = 50
EXPERT_STATES = ["initial_review", "technical_evaluation"]
STATE_LABELS = dict(FilingApplication.State.choices)
ALL_OPEN = gettext_lazy("All open")


def _filtered(qs, form: QueueFilterForm):
    if form.is_valid():
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["q"].strip():
            qs = qs.filter(institution__name__icontains=form.cleaned_data["q"].strip())
    return qs


@roles_required(*REVIEW_ROLES)
def staff_queue_view(request):
    """Open applications in the caller's jurisdiction, with counts per state, due marks and open objections.

    A fixed number of queries whatever the page size: the counts in one grouped query, the
    page in one (objections counted by annotation), occupations in one prefetch, and the
    calendar window for the "due in N working days" marks in one load.
    """
    user = request.user
    form = QueueFilterForm(request.GET or None)
    states = EXPERT_STATES if user.role == "expert" else OPEN_STATES
    state = request.GET.get("state", "")
    if state not in states:
        state = ""

    counted = _filtered(applications_visible_to(user).filter(state__in=states), form)
    counts = dict(counted.order_by().values_list("state").annotate(n=Count("pk")))
    tabs = [{"state": "", "label": ALL_OPEN, "count": sum(counts.values()), "current": state == ""}]
    tabs += [{"state": s, "label": STATE_LABELS[s], "count": counts.get(s, 0), "current": state == s}
             for s in states]

    rows = (_filtered(staff_queue(user, state=state or None).filter(state__in=states), form)
            .annotate(open_objections=Count("objections", filter=Q(objections__status="open")))
            .prefetch_related(Prefetch("occupations", queryset=ApplicationOccupation.objects
                                       .select_related("occupation").order_by("occupation__code", "pk"))))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    applications = list(page.object_list)
    today = clock.today()
    counter = WorkingDayCounter(today, [a.due for a in applications])
    for application in applications:
        application.due_mark = counter.mark(application.due)
        application.due_label = DUE_LABELS.get(application.state, "")
        application.scope_lines = [
            {"occupation": row.occupation, "work_type": row.work_type, "levels": levels_text(row.levels)}
            for row in application.occupations.all()]
    return render(request, "institutions/staff/queue.html", {
        "form": form, "tabs": tabs, "state": state, "page": page, "applications": applications,
        "today": today, "total": sum(counts.values()),
    })
