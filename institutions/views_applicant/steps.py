"""The multi-step application form: one page per section, each saved whole or not at all.

Sections are plain data of a draft (no state change), so a step saves its form or formset
directly, inside one transaction that first locks the application and checks it is still
editable (a staff action may have moved it on meanwhile). Pledges, attachments and the
submission go through their services.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.core.errors import DomainError

from ..application_models import pledges_signed
from ..forms_applicant import (
    LEVEL_NAMES,
    PLEDGE_OPERATION_INTRO,
    PLEDGE_OPERATION_ITEMS,
    PLEDGE_OPERATION_TITLE,
    PLEDGE_TRUTHFULNESS,
    PLEDGE_TRUTHFULNESS_TITLE,
    AttachmentUploadForm,
    BasicsForm,
    InfoChangeForm,
    PledgeForm,
    assessor_formset,
    equipment_formset,
    occupation_formset,
    staff_formset,
    venue_formset,
)
from ..models import FilingApplication, Institution
from ..occupations import SKILL_GROUPS, Occupation, WorkType
from ..services.applications import (
    application_assert_editable,
    application_resubmit,
    application_sign_pledges,
    application_submit,
)
from ..services.attachments import attachment_add
from ..services.eligibility import EligibilityError, Problem, application_check_eligibility
from ..services.filings import INFO_FIELDS
from .common import client_ip, error_text, institution_required, own_application_or_404, step_done, steps_of
from .step_page import StepPage, occupation_choices


class BasicsPage(StepPage):
    slug = "basics"

    def build(self, data=None, files=None):
        return {"form": BasicsForm(data, instance=self.application)}

    def save(self, forms):
        # An update of the section's own columns: never rewrites `state` behind the workflow's back.
        FilingApplication.objects.filter(pk=self.application.pk).update(**forms["form"].cleaned_data,
                                                                      updated_at=timezone.now())

    def context(self, forms):
        institution = self.application.institution
        names = ["name", "kind", "sub_type", "uscc", "registration_authority", "registered_capital",
                 "legal_representative", "head", "contact_name", "contact_title", "contact_phone", "contact_email",
                 "region", "address", "affiliation", "registered_on"]
        rows = []
        for name in names:
            field = Institution._meta.get_field(name)
            display = getattr(institution, f"get_{name}_display", None)
            value = display() if display else getattr(institution, name)
            if name == "registered_on" and value:
                value = value.isoformat()
            rows.append((field.verbose_name, value))
        return {"institution_rows": rows}


class OccupationsPage(StepPage):
    slug = "occupations"

    def build(self, data=None, files=None):
        queryset = self.application.occupations.select_related("occupation").order_by("pk")
        formset = occupation_formset(extra=1 if self.application.has_occupations else 3)(
            data, instance=self.application, queryset=queryset, prefix="occ",
            form_kwargs={"employer": self.application.institution.kind == Institution.Kind.EMPLOYER})
        return {"formset": formset}

    def summary_items(self, forms):
        return [(forms["formset"], _("Occupations"))]

    def save(self, forms):
        forms["formset"].save()

    def context(self, forms):
        catalogue = (Occupation.objects.filter(active=True, major_group__in=SKILL_GROUPS, is_access_licensed=False)
                     .order_by("code").values_list("code", "name"))
        codes = {form.instance.occupation.code for form in forms["formset"].forms if form.instance.pk}
        work_types: dict[str, list[str]] = {}
        for code, name in (WorkType.objects.filter(occupation__code__in=codes)
                           .values_list("occupation__code", "name").order_by("name")):
            work_types.setdefault(code, []).append(name)
        for form in forms["formset"].forms:
            if form.instance.pk and form.instance.occupation.code in work_types:
                form.fields["work_type"].widget.attrs["list"] = f"worktypes-{form.instance.occupation.code}"
        return {"catalogue": catalogue, "work_types": work_types}


class VenuesPage(StepPage):
    """Venues, and under each saved venue its equipment (SC21 附件1 鉴定场地设施情况)."""

    slug = "venues"

    def build(self, data=None, files=None):
        formset = venue_formset(extra=1 if self.application.has_venues else 2)(
            data, instance=self.application, queryset=self.application.venues.order_by("pk"), prefix="venue",
            form_kwargs={"occupation_choices": occupation_choices(self.application)})
        for form in formset.forms:
            form.equipment = None
            if form.instance.pk:
                queryset = form.instance.equipment.order_by("pk")
                form.equipment = equipment_formset(extra=1 if queryset.exists() else 3)(
                    data, instance=form.instance, queryset=queryset, prefix=f"eq-{form.instance.pk}")
        return {"formset": formset}

    def _kept(self, formset):
        return [form for form in formset.forms
                if form.equipment is not None and not (formset.is_bound and formset._should_delete_form(form))]

    def is_valid(self, forms):
        formset = forms["formset"]
        return all([formset.is_valid(), *[form.equipment.is_valid() for form in self._kept(formset)]])

    def summary_items(self, forms):
        formset = forms["formset"]
        items = [(formset, _("Venues"))]
        for number, form in enumerate(formset.forms, 1):
            if form in self._kept(formset):
                items.append((form.equipment, _("Venue %(n)d, equipment") % {"n": number}))
        return items

    def save(self, forms):
        formset = forms["formset"]
        kept = self._kept(formset)
        formset.save()
        for form in kept:
            form.equipment.save()


class StaffPage(StepPage):
    slug = "staff"

    def build(self, data=None, files=None):
        formset = staff_formset(extra=1 if self.application.has_staff else 3)(
            data, instance=self.application, queryset=self.application.staff.order_by("pk"), prefix="staff")
        return {"formset": formset}

    def summary_items(self, forms):
        return [(forms["formset"], _("Staff"))]

    def save(self, forms):
        forms["formset"].save()


class AssessorsPage(StepPage):
    slug = "assessors"

    def build(self, data=None, files=None):
        formset = assessor_formset(extra=1 if self.application.has_assessors else 3)(
            data, instance=self.application, queryset=self.application.assessors.order_by("role", "pk"),
            prefix="assessor", form_kwargs={"occupation_choices": occupation_choices(self.application)})
        return {"formset": formset}

    def summary_items(self, forms):
        return [(forms["formset"], _("Assessors"))]

    def save(self, forms):
        forms["formset"].save()


class AttachmentsPage(StepPage):
    slug = "attachments"

    def build(self, data=None, files=None):
        return {"form": AttachmentUploadForm(data, files)}

    def save(self, forms):
        data = forms["form"].cleaned_data
        attachment = attachment_add(application=self.application, kind=data["kind"], upload=data["file"],
                                    acting_user=self.request.user)
        return _("%(name)s is uploaded.") % {"name": attachment.original_name}

    def domain_error(self, forms, exc):
        forms["form"].add_error("file", exc.message)  # the service's own words: disguised, too large, empty

    def context(self, forms):
        attachments = list(self.application.attachments.order_by("kind", "uploaded_at"))
        return {"attachments": attachments,
                "needs_incentive": self.application.institution.kind == Institution.Kind.EMPLOYER,
                "has_incentive": any(a.kind == "incentive" for a in attachments)}


class PledgesPage(StepPage):
    slug = "pledges"

    def build(self, data=None, files=None):
        app = self.application
        return {"form": PledgeForm(data, initial={
            "truthfulness": app.pledge_truthfulness, "operation": app.pledge_operation,
            "signed_by": app.pledged_by or app.institution.legal_representative})}

    def save(self, forms):
        application_sign_pledges(application=self.application, acting_user=self.request.user,
                                 signed_by=forms["form"].cleaned_data["signed_by"])
        return _("The pledges are signed.")

    def context(self, forms):
        return {"truthfulness_title": PLEDGE_TRUTHFULNESS_TITLE, "truthfulness_text": PLEDGE_TRUTHFULNESS,
                "operation_title": PLEDGE_OPERATION_TITLE, "operation_intro": PLEDGE_OPERATION_INTRO,
                "operation_items": PLEDGE_OPERATION_ITEMS}


class ChangesPage(StepPage):
    """CHG-02: the proposed new values of an information change."""

    slug = "changes"

    def build(self, data=None, files=None):
        return {"form": InfoChangeForm(data, institution=self.application.institution,
                                       proposed=self.application.proposed_changes,
                                       change_date=self.application.change_date)}

    def save(self, forms):
        FilingApplication.objects.filter(pk=self.application.pk).update(
            proposed_changes=forms["form"].cleaned_data["changes"],
            change_date=forms["form"].cleaned_data["change_date"], updated_at=timezone.now())


def proposed_change_rows(application: FilingApplication) -> list[tuple[str, str, str]]:
    institution = application.institution
    return [(Institution._meta.get_field(name).verbose_name, getattr(institution, name),
             application.proposed_changes[name])
            for name in INFO_FIELDS if name in (application.proposed_changes or {})]


class ReviewPage(StepPage):
    """Everything at a glance, the problems that would refuse the submission, and the Submit button."""

    slug = "review"

    def build(self, data=None, files=None):
        return {}

    def problems(self) -> list[Problem]:
        app = self.application
        problems = list(application_check_eligibility(app))
        if not pledges_signed(app):
            problems.append(Problem(pledges_signed.rule, str(pledges_signed.message)))
        if app.kind == FilingApplication.Kind.INFO_CHANGE and not app.proposed_changes:
            problems.append(Problem("CHG-02", _("No change is proposed yet.")))
        return problems

    def respond(self):
        if self.request.method != "POST":
            return self.render({})
        app, user, ip = self.application, self.request.user, client_ip(self.request)
        refused: list[Problem] = []
        try:
            if app.state == FilingApplication.State.SUPPLEMENT_REQUESTED:
                app = application_resubmit(application=app, acting_user=user, ip=ip)
                messages.success(self.request, _("The supplemented application is submitted again."))
            else:
                app = application_submit(application=app, acting_user=user, ip=ip)
                messages.success(self.request, _("The application is submitted. The office checks the materials "
                                                 "by %(date)s.") % {"date": app.acceptance_due.isoformat()})
        except EligibilityError as exc:
            refused = exc.problems
        except DomainError as exc:
            self.page_errors.append(error_text(exc))
        else:
            return redirect("institutions:application_detail", pk=app.pk)
        return self.render({}, refused=refused)

    def render(self, forms, refused=None):
        self.refused = refused or []
        return super().render(forms)

    def context(self, forms):
        app = self.application
        occupations = list(app.occupations.select_related("occupation").order_by("pk"))
        for row in occupations:
            row.level_names = [LEVEL_NAMES[level] for level in sorted(row.levels, reverse=True)
                               if level in LEVEL_NAMES]
        return {
            "problems": self.problems(), "refused": getattr(self, "refused", []),
            "occupations": occupations,
            "venues": list(app.venues.prefetch_related("equipment").order_by("pk")),
            "staff": list(app.staff.order_by("pk")),
            "assessors": list(app.assessors.order_by("role", "pk")),
            "attachments": list(app.attachments.order_by("kind", "uploaded_at")),
            "change_rows": proposed_change_rows(app),
            "resubmit": app.state == FilingApplication.State.SUPPLEMENT_REQUESTED,
        }


PAGES = {page.slug: page for page in (BasicsPage, OccupationsPage, VenuesPage, StaffPage, AssessorsPage,
                                      AttachmentsPage, PledgesPage, ChangesPage, ReviewPage)}


@institution_required
def application_edit(request, pk: int, step: str):
    """/my/applications/<pk>/edit/<step>/: a step of the application, while it may be edited."""
    application = own_application_or_404(request.user, pk)
    if step not in steps_of(application):
        raise Http404
    try:
        application_assert_editable(application, request.user)
    except DomainError as exc:
        messages.warning(request, error_text(exc))
        return redirect("institutions:application_detail", pk=application.pk)
    return PAGES[step](request, application).respond()


@institution_required
def application_edit_start(request, pk: int):
    """The first step that still needs something, else the review."""
    application = own_application_or_404(request.user, pk)
    steps = steps_of(application)
    first = next((slug for slug in steps if not step_done(application, slug)), steps[-1])
    return redirect("institutions:application_edit", pk=application.pk, step=first)
