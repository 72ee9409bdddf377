"""Shared helpers of the batch pages: access, the transition buttons, the timeline, spreadsheet responses."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filing_portal.accounts.models import Role
from filing_portal.audit.services import audit_events_for
from filing_portal.core.errors import DomainError

from ..forms import LEVEL_SHORT
from ..models import AssessmentBatch
from ..selectors import batches_visible_to
from ..transitions import UnknownTransition, batch_transition_run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE_ROLES = ("city_staff", "province_staff")
CANDIDATE_STATES = ("draft", "submitted", "scheduled")  # candidates are listed before the exam (the services)
STAFF_ROLES = ("city_staff", "province_staff", "admin")

TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit the plan"),
    "approve": gettext_lazy("Approve the plan"),
    "return_for_changes": gettext_lazy("Return for changes"),
    "conduct": gettext_lazy("Record the exam as conducted"),
    "publish_results": gettext_lazy("Publish the results"),
    "report_results": gettext_lazy("Report the results"),
    "issue_certificates": gettext_lazy("Issue the certificates"),
    "cancel": gettext_lazy("Cancel the batch"),
}

ACTION_LABELS = {
    "create": gettext_lazy("Plan created"),
    "submit": gettext_lazy("Plan submitted"),
    "approve": gettext_lazy("Plan approved"),
    "return_for_changes": gettext_lazy("Returned for changes"),
    "conduct": gettext_lazy("Exam conducted"),
    "publish_results": gettext_lazy("Results published"),
    "report_results": gettext_lazy("Results reported"),
    "issue_certificates": gettext_lazy("Certificates issued"),
    "cancel": gettext_lazy("Cancelled"),
    "candidates_add": gettext_lazy("Candidates added"),
    "results_record": gettext_lazy("Results recorded"),
    "result_objection": gettext_lazy("Objection to the results raised"),
    "result_objection_resolve": gettext_lazy("Objection to the results resolved"),
    "spot_check": gettext_lazy("Spot check recorded"),
    "update": gettext_lazy("Plan changed"),
    "candidate_update": gettext_lazy("Candidate changed"),
    "candidate_delete": gettext_lazy("Candidate removed"),
    "candidate_eligibility": gettext_lazy("Eligibility reviewed"),
    "candidate_found_ineligible": gettext_lazy("Candidate found not eligible"),
    "violation": gettext_lazy("Violation recorded"),
    "report_overdue": gettext_lazy("Result report overdue"),
}


def roles_required(*roles: str):
    """Logged in with one of `roles` (institution users also need their institution); others get 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if user.role not in roles or (user.role == Role.INSTITUTION and not user.institution_id):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


institution_required = roles_required(Role.INSTITUTION)
staff_required = roles_required(*STAFF_ROLES)


def client_ip(request) -> str | None:
    return getattr(request, "client_ip", None)


def error_text(exc: DomainError) -> str:
    return f"{exc.rule}: {exc.message}" if exc.rule else str(exc.message)


def visible_batch_or_404(user, pk: int, *, own: bool = False) -> AssessmentBatch:
    """The batch if the user's view holds it (JUR-03); 404 otherwise, so outsiders learn nothing."""
    qs = batches_visible_to(user)
    if own:
        qs = qs.filter(institution_id=user.institution_id)
    batch = qs.filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def run_transition(batch: AssessmentBatch, name: str, user, *, ip=None, reason: str = ""):
    try:
        return batch_transition_run(batch, name, user, ip=ip, reason=reason)
    except UnknownTransition:
        raise Http404 from None


def scope_lines(batch: AssessmentBatch) -> list[str]:
    """汽车维修工（汽车机械维修工）三级、四级: one line per occupation (work type), from the prefetched items."""
    groups: dict[tuple, list[int]] = {}
    for item in batch.items.all():
        groups.setdefault((item.occupation.name, item.work_type), []).append(item.level)
    return [f"{name}{f'（{work}）' if work else ''}{'、'.join(LEVEL_SHORT[lv] for lv in sorted(levels))}"
            for (name, work), levels in groups.items()]


@dataclass
class Blocked:
    name: str
    label: str
    reason: str


def blocked_transitions(batch: AssessmentBatch, user, available: list[str]) -> list[Blocked]:
    """Transitions the user could take from this state but a guard holds back, with the guard's rule: the page
    says why "Submit" is missing instead of hiding it silently."""
    out: dict[str, Blocked] = {}
    for t in type(batch)._meta.get_field("state").get_all_transitions(type(batch)):
        if t.name in available or t.name in out or t.source not in (batch.state, "*"):
            continue
        if not t.has_perm(batch, user):
            continue
        for condition in t.conditions:
            if not condition(batch):
                rule = getattr(condition, "rule", "")
                message = str(getattr(condition, "message", ""))
                out[t.name] = Blocked(t.name, str(TRANSITION_LABELS.get(t.name, t.name)),
                                      f"{rule}: {message}" if rule else message)
                break
    return list(out.values())


@dataclass
class TimelineRow:
    action: str
    when: object
    label: str
    who: str
    comment: str


def _who(event) -> str:
    """Institution users by name; the office's people by their role only; the public and the system as such."""
    if event.actor_role == "system":
        return _("System (deadline)")
    if event.actor_role == "public":
        return _("Member of the public")
    if event.actor_role == Role.INSTITUTION:
        return (event.actor.get_full_name() if event.actor else "") or event.actor_name
    return str(Role(event.actor_role).label) if event.actor_role in Role.values else event.actor_role


def timeline(batch: AssessmentBatch) -> list[TimelineRow]:
    rows = []
    for event in audit_events_for(batch).order_by("occurred_at", "pk"):
        action = event.action.split(".", 1)[-1]
        data = event.data or {}
        if action.endswith(".refused"):
            label = _("Refused: %(action)s") % {"action": ACTION_LABELS.get(action[:-8], action[:-8])}
        else:
            label = str(ACTION_LABELS.get(action, action))
        parts = [event.comment] if event.comment else []
        if action == "candidates_add" and data.get("count") is not None:
            parts.append(_("%(n)s candidates") % {"n": data["count"]})
        if action == "results_record" and data.get("count") is not None:
            parts.append(_("%(n)s results") % {"n": data["count"]})
        if action == "spot_check" and data.get("step"):
            parts.insert(0, str(data["step"]))
        if data.get("refused_rule"):
            parts.append(str(data["refused_rule"]))
        rows.append(TimelineRow(action, timezone.localtime(event.occurred_at), label, _who(event), " · ".join(parts)))
    return rows


def xlsx_response(write: Callable[[object], object], filename: str) -> FileResponse:
    """Write the workbook into a spooled temporary file (memory, then disk past 8 MB) and stream it."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    try:
        write(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def bytes_response(data: bytes, filename: str) -> FileResponse:
    import io

    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)
