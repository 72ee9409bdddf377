"""The common flow of a step of the application form: build, validate all, save all in one transaction."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError

from ..models import FilingApplication
from ..services.applications import application_assert_editable
from .common import STEP_TITLES, error_summary, error_text, step_links, steps_of

TEMPLATE_DIR = "institutions/applicant"


def occupation_choices(application: FilingApplication) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for row in application.occupations.select_related("occupation").order_by("pk"):
        seen.setdefault(row.occupation.code, f"{row.occupation.code} {row.occupation.name}")
    return list(seen.items())


class StepPage:
    """One step: build its forms (bound on POST), validate all, save all in one transaction."""

    slug = ""

    def __init__(self, request, application: FilingApplication):
        self.request = request
        self.application = application
        self.page_errors: list[str] = []

    # -- to be filled in by each step ----------------------------------------------------------------
    def build(self, data=None, files=None) -> dict:
        raise NotImplementedError

    def summary_items(self, forms: dict) -> list[tuple[object, str]]:
        return [(form, "") for form in forms.values()]

    def is_valid(self, forms: dict) -> bool:
        return all([form.is_valid() for form in forms.values()])  # a list: validate every form, show every error

    def save(self, forms: dict) -> str | None:
        raise NotImplementedError

    def domain_error(self, forms: dict, exc: DomainError) -> None:
        self.page_errors.append(error_text(exc))

    def context(self, forms: dict) -> dict:
        return {}

    # -- the common flow ------------------------------------------------------------------------------
    def respond(self):
        if self.request.method == "POST":
            forms = self.build(self.request.POST, self.request.FILES)
            if self.is_valid(forms):
                try:
                    with transaction.atomic():
                        locked = FilingApplication.objects.select_for_update().get(pk=self.application.pk)
                        application_assert_editable(locked, self.request.user)
                        message = self.save(forms)
                except DomainError as exc:
                    self.domain_error(forms, exc)
                except IntegrityError:
                    self.page_errors.append(_("Two rows describe the same thing; merge them and save again."))
                else:
                    messages.success(self.request, message or _("Saved."))
                    return redirect(self.next_url())
        else:
            forms = self.build()
        return self.render(forms)

    def next_url(self) -> str:
        steps = steps_of(self.application)
        slug = self.slug
        if self.request.POST.get("action") == "continue" and steps.index(slug) + 1 < len(steps):
            slug = steps[steps.index(slug) + 1]
        return step_url(self.application, slug)

    def render(self, forms: dict):
        summary = error_summary(*self.summary_items(forms))
        summary = [("", e) for e in self.page_errors] + summary
        steps = steps_of(self.application)
        index = steps.index(self.slug)
        context = {
            "application": self.application, "step": self.slug, "step_title": STEP_TITLES[self.slug],
            "steps": step_links(self.application, self.slug), "summary": summary,
            "next_step": steps[index + 1] if index + 1 < len(steps) else None,
            "previous_step": steps[index - 1] if index else None,
            **forms, **self.context(forms),
        }
        return render(self.request, f"{TEMPLATE_DIR}/step_{self.slug}.html", context)


def step_url(application, slug: str) -> str:
    return reverse("institutions:application_edit", args=[application.pk, slug])
