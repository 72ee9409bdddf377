"""Forms of the draw and inspection pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from filing_portal.regions.models import Region
from filing_portal.regions.selectors import regions_visible_to
from institutions.models import Institution
from institutions.occupations import Occupation

from .draws import inspectors_available_to
from .models import Inspection, InspectionFinding


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        name = obj.user.get_full_name() or obj.user.username
        employer = obj.employer.name if obj.employer_id else obj.employer_name
        return f"{obj.code} {name}" + (f"（{employer}）" if employer else "")


class DrawForm(forms.Form):
    """A draw's definition: which filings may be drawn, how many, the inspector pool and the team size."""

    office = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Office"), required=False,
                                    help_text=_("Only administrators choose; staff draw for their office."))
    title = forms.CharField(label=_("Title"), max_length=200)
    filter_region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Institutions in region"),
                                           required=False, empty_label=_("The whole area of the office"))
    filter_kind = forms.ChoiceField(label=_("Kind of institution"), required=False,
                                    choices=[("", _("Any kind")), *Institution.Kind.choices])
    filter_occupation = forms.ModelChoiceField(
        queryset=Occupation.objects.filter(active=True).order_by("code"), label=_("Occupation"),
        required=False, empty_label=_("Any occupation"), to_field_name="code")
    filter_supervision_mode = forms.ChoiceField(
        label=_("Exam supervision"), required=False,
        choices=[("", _("Any")), ("every_exam", _("External supervision of every exam")),
                 ("random", _("Random supervision"))])
    sample_size = forms.IntegerField(label=_("Institutions to draw"), min_value=1, max_value=10000)
    team_size = forms.IntegerField(label=_("Inspectors per team"), min_value=1, max_value=20, initial=2)
    inspectors = InspectorChoiceField(
        queryset=None, label=_("Inspector pool"), widget=forms.CheckboxSelectMultiple,
        help_text=_("Inspectors in conflict with an institution (its staff, or on an earlier inspection of "
                    "it) are excluded from its team."))
    inspect_from = forms.DateField(label=_("Inspections from"), required=False, widget=DateInput)
    inspect_until = forms.DateField(label=_("Inspections until"), required=False, widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = regions_visible_to(user).order_by("code")
        self.fields["filter_region"].queryset = regions
        if user.region_id:
            del self.fields["office"]
            office = user.region
        else:
            self.fields["office"].queryset = regions
            self.fields["office"].required = True
            office = None
            if self.is_bound and self.data.get("office", "").isdigit():
                office = Region.objects.filter(pk=self.data["office"]).first()
        pool = inspectors_available_to(office) if office else None
        self.fields["inspectors"].queryset = (pool.select_related("employer") if pool is not None else
                                              self._all_inspectors())

    @staticmethod
    def _all_inspectors():
        from .models import InspectorProfile

        return (InspectorProfile.objects.filter(active=True).select_related("user", "employer")
                .order_by("code"))

    def clean(self):
        data = super().clean()
        start, end = data.get("inspect_from"), data.get("inspect_until")
        if start and end and end < start:
            self.add_error("inspect_until", _("The period ends before it starts."))
        return data


COMPLIANT_CHOICES = [("yes", _("Compliant")), ("no", _("Not compliant"))]


class InspectionRecordForm(forms.Form):
    """The findings form: one row per checklist item (compliant yes/no and what was found), the outcome."""

    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput)
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect,
                                choices=[(Inspection.Outcome.PASS, Inspection.Outcome.PASS.label),
                                         (Inspection.Outcome.FAIL, Inspection.Outcome.FAIL.label)])
    summary = forms.CharField(label=_("Summary of findings"), required=False, max_length=8000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {f.item: f for f in inspection.findings.all()} if inspection is not None else {}
        self.items = []
        for value, label in InspectionFinding.Item.choices:
            found = existing.get(value)
            self.fields[f"{value}-compliant"] = forms.ChoiceField(
                label=label, choices=COMPLIANT_CHOICES, widget=forms.RadioSelect, required=False,
                initial=("yes" if found.compliant else "no") if found else None)
            self.fields[f"{value}-note"] = forms.CharField(
                label=_("What was found: %(item)s") % {"item": label}, required=False, max_length=4000,
                widget=forms.TextInput, initial=found.note if found else "")
            self.items.append((value, label))

    def rows(self):
        return [(value, label, self[f"{value}-compliant"], self[f"{value}-note"])
                for value, label in self.items]

    def clean(self):
        data = super().clean()
        findings = {}
        for value, _label in self.items:
            answer = data.get(f"{value}-compliant")
            note = data.get(f"{value}-note", "")
            if answer:
                findings[value] = (answer == "yes", note)
            elif note:
                self.add_error(f"{value}-compliant", _("Say whether it is compliant."))
        if not findings:
            raise forms.ValidationError(_("Record at least one checklist item."))
        data["findings"] = findings
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Photo (JPEG, PNG) or PDF document, up to 10 MB"))


class InspectionFilterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("All")), *Inspection.Outcome.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All")), *Inspection.Kind.choices])


class InspectionNewForm(forms.Form):
    """An on-site check of an exam (ASM-04, by the batch's plan number) or a special inspection."""

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect,
                             choices=[(Inspection.Kind.EXAM, Inspection.Kind.EXAM.label),
                                      (Inspection.Kind.SPECIAL, Inspection.Kind.SPECIAL.label)])
    plan_number = forms.CharField(label=_("Plan number of the batch (exam supervision)"), required=False,
                                  max_length=24)
    filing_number = forms.CharField(label=_("Filing number (special inspection)"), required=False,
                                    max_length=13)
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=DateInput,
                                 help_text=_("Default for an exam: its first day."))
    team = InspectorChoiceField(queryset=None, label=_("Team"), widget=forms.CheckboxSelectMultiple,
                                required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        pool = inspectors_available_to(user.region) if user.region_id else DrawForm._all_inspectors()
        self.fields["team"].queryset = pool.select_related("employer")

    def clean(self):
        from assessments.selectors import batches_visible_to
        from institutions.selectors import filings_visible_to

        data = super().clean()
        kind = data.get("kind")
        if kind == Inspection.Kind.EXAM:
            number = (data.get("plan_number") or "").strip()
            found = batches_visible_to(self.user).filter(plan_number=number).first() if number else None
            data["batch"] = found
            if data["batch"] is None:
                self.add_error("plan_number", _("Not a batch plan of your office."))
        elif kind == Inspection.Kind.SPECIAL:
            number = (data.get("filing_number") or "").strip().upper()
            data["filing"] = filings_visible_to(self.user).filter(number=number).first() if number else None
            if data["filing"] is None:
                self.add_error("filing_number", _("Not a filing of your office."))
        return data
