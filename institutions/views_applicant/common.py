"""Shared helpers of the applicant pages: access, the steps of an application, error summaries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Exists, OuterRef
from django.forms import BaseFormSet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filing_portal.core.errors import DomainError

from ..models import ApplicationOccupation, Assessor, Attachment, FilingApplication, StaffMember, Venue
from ..selectors import applications_visible_to
from ..services.applications import EDITABLE_STATES

FULL_STEPS = ("basics", "occupations", "venues", "staff", "assessors", "attachments", "pledges", "review")
INFO_CHANGE_STEPS = ("changes", "attachments", "pledges", "review")
STEP_TITLES = {
    "basics": gettext_lazy("Basic information"),
    "changes": gettext_lazy("Proposed changes"),
    "occupations": gettext_lazy("Occupations and levels"),
    "venues": gettext_lazy("Venues and equipment"),
    "staff": gettext_lazy("Staff roster"),
    "assessors": gettext_lazy("Assessors and quality supervisors"),
    "attachments": gettext_lazy("Attachments"),
    "pledges": gettext_lazy("Pledges"),
    "review": gettext_lazy("Review and submit"),
}
DOCUMENT_ROLES = ("institution", "city_staff", "province_staff", "admin")


def institution_required(view):
    """Logged in as an institution user; any other role gets 403 (the pages are the applicant's own)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role != "institution" or not request.user.institution_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def client_ip(request) -> str | None:
    return getattr(request, "client_ip", None)


def error_text(exc: DomainError) -> str:
    return f"{exc.rule}: {exc.message}" if exc.rule else str(exc.message)


def own_applications(user):
    """The user's institution's applications, with what the step indicator needs in the same query."""
    def has(model):
        return Exists(model.objects.filter(application=OuterRef("pk")))

    return applications_visible_to(user).filter(institution_id=user.institution_id).annotate(
        has_occupations=has(ApplicationOccupation), has_venues=has(Venue), has_staff=has(StaffMember),
        has_assessors=has(Assessor), has_attachments=has(Attachment))


def own_application_or_404(user, pk: int) -> FilingApplication:
    application = own_applications(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def is_editable(application: FilingApplication) -> bool:
    return application.state in EDITABLE_STATES


def steps_of(application: FilingApplication) -> tuple[str, ...]:
    return INFO_CHANGE_STEPS if application.kind == FilingApplication.Kind.INFO_CHANGE else FULL_STEPS


def step_done(application: FilingApplication, slug: str) -> bool:
    """Whether a step holds what it asks for (shown in the step indicator; eligibility decides at submission)."""
    return {
        "basics": bool(application.implementation_plan.strip()),
        "changes": bool(application.proposed_changes),
        "occupations": application.has_occupations,
        "venues": application.has_venues,
        "staff": application.has_staff,
        "assessors": application.has_assessors,
        "attachments": application.has_attachments,
        "pledges": application.pledge_truthfulness and application.pledge_operation,
        "review": False,
    }[slug]


@dataclass
class StepLink:
    slug: str
    title: str
    url: str
    done: bool
    current: bool


def step_links(application: FilingApplication, current: str) -> list[StepLink]:
    return [StepLink(slug, STEP_TITLES[slug], reverse("institutions:application_edit", args=[application.pk, slug]),
                     step_done(application, slug), slug == current)
            for slug in steps_of(application)]


def _mark_invalid(form, name: str) -> None:
    """Tie the input to its error message for screen readers."""
    if name in form.fields:
        attrs = form.fields[name].widget.attrs
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{form[name].auto_id}-error"


def _form_errors(form, prefix: str) -> list[tuple[str, str]]:
    out = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            out += [("", f"{prefix}{e}") for e in errors]
            continue
        _mark_invalid(form, name)
        label = form.fields[name].label or name
        out += [(form[name].auto_id, f"{prefix}{label}: {e}") for e in errors]
    return out


def error_summary(*items: tuple[object, str]) -> list[tuple[str, str]]:
    """(anchor id, text) of every error of the given (form or formset, row prefix) pairs, for the summary."""
    out: list[tuple[str, str]] = []
    for item, label in items:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, BaseFormSet):
            out += [("", f"{label}: {e}") for e in item.non_form_errors()]
            for number, form in enumerate(item.forms, 1):
                if item.can_delete and item._should_delete_form(form):
                    continue
                out += _form_errors(form, _("%(what)s row %(n)d – ") % {"what": label, "n": number})
        else:
            out += _form_errors(item, label)
    return out
