"""Forms of the complaint pages: the public form and follow-up, the office's answer and case opening."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentBatch
from filing_portal.regions.models import Region
from institutions.models import Institution

from .complaints import MAX_ATTACHMENTS, ComplaintInputError, complaint_validate, filed_institutions
from .models import Complaint


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to MAX_ATTACHMENTS files in one input; the content check is the service's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ComplaintForm(forms.Form):
    """SUP-02: what the public fills in. Anonymous or with a phone or e-mail; up to 3 attachments."""

    institution = forms.ModelChoiceField(
        label=_("Institution complained about"), queryset=Institution.objects.none(), required=False,
        empty_label=_("— not in the list —"),
        help_text=_("Choose a filed institution, or leave this empty and write the name below."))
    institution_name = forms.CharField(label=_("Name of the institution (if not in the list)"), max_length=200,
                                       required=False)
    region = forms.ModelChoiceField(
        label=_("Region where it works"), queryset=Region.objects.none(), required=False,
        help_text=_("Needed when the institution is not in the list: the office of this region answers."))
    plan_number = forms.CharField(label=_("Assessment plan (batch) number, if known"), max_length=24,
                                  required=False)
    facts = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 8}), max_length=8000)
    anonymous = forms.BooleanField(label=_("Complain anonymously (you will get no answer by e-mail)"),
                                   required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False,
                                     help_text=_("The answer is sent to this address."))
    attachments = MultipleFileField(
        label=_("Attachments"), required=False,
        help_text=_("Up to 3 files, PDF, JPEG or PNG, at most 5 MB each."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = filed_institutions()
        self.fields["region"].queryset = Region.objects.select_related("province").order_by("code")
        self.batch = None

    def clean_plan_number(self):
        number = (self.cleaned_data.get("plan_number") or "").strip()
        if number:
            self.batch = AssessmentBatch.objects.select_related("institution").filter(plan_number=number).first()
            if self.batch is None:
                raise forms.ValidationError(_("No assessment plan has the number %(n)s.") % {"n": number})
        return number

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if len(data.get("attachments") or []) > MAX_ATTACHMENTS:
            self.add_error("attachments", _("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS})
            return data
        institution = data.get("institution") or (self.batch.institution if self.batch else None)
        try:
            complaint_validate(facts=data.get("facts", ""), institution=institution,
                               institution_name=data.get("institution_name", ""), batch=self.batch,
                               region=data.get("region"), anonymous=data.get("anonymous", False),
                               contact_phone=data.get("contact_phone", ""),
                               contact_email=data.get("contact_email", ""))
        except ComplaintInputError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, f"{exc.rule}: {exc.message}")
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"facts": d["facts"], "institution": d.get("institution"), "institution_name": d["institution_name"],
                "batch": self.batch, "region": d.get("region"), "anonymous": d["anonymous"],
                "contact_name": d["contact_name"], "contact_phone": d["contact_phone"],
                "contact_email": d["contact_email"], "attachments": d.get("attachments") or []}


class FollowForm(forms.Form):
    ack_number = forms.CharField(label=_("Acknowledgement number"), max_length=24)

    def clean_ack_number(self):
        return self.cleaned_data["ack_number"].strip().upper()


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Complaint.Outcome.choices])
    response = forms.CharField(label=_("Response to the complainant"), widget=forms.Textarea(attrs={"rows": 6}),
                               max_length=8000)


class OpenCaseForm(forms.Form):
    summary = forms.CharField(label=_("What the case is about"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=4000, required=False,
                              help_text=_("Leave empty to use the complaint's facts."))
