"""The renewal form (FJ22 附件1 and the work summary of 附件2), the plan chooser and the staff decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .eligibility import MAX_PLANS
from .models import RenewalApplication
from .services import FORM_FIELDS


class RenewalForm(forms.ModelForm):
    """The applicant's fields, pre-filled from the portal; the three summary sections and the pledge."""

    class Meta:
        model = RenewalApplication
        fields = list(FORM_FIELDS)
        widgets = {
            "shortfall_explanation": forms.Textarea(attrs={"rows": 3}),
            "summary_basic": forms.Textarea(attrs={"rows": 6}),
            "summary_problems": forms.Textarea(attrs={"rows": 5}),
            "summary_next_period": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "summary_basic": _("Nature of the institution and the overall assessment work of the period; any "
                               "occupations added, methods or entry conditions changed (FJ22 annex 2, part 1)."),
            "summary_problems": _("Problems and difficulties, force majeure, rectification notices received and "
                                  "what was rectified (part 2)."),
            "summary_next_period": _("How the institution will extend, regulate and improve its assessments in the "
                                     "next period (part 3)."),
            "shortfall_explanation": _("Required when fewer than 6 batches were reported in the validity period "
                                       "(REN-04), e.g. force majeure."),
            "pledge_accepted": _("The institution applies voluntarily, none of the grounds for refusal applies, "
                                 "and the materials are true (FJ22 annex 1, part 3)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("institution_name", "uscc"):
            self.fields[name].required = True


class PlanChoiceForm(forms.Form):
    """REN-06: up to 6 of the reported batches, in the order listed."""

    batches = forms.MultipleChoiceField(label=_("Evaluation plans on the form"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batches"].choices = [(str(row["batch_id"]), row["plan_number"]) for row in choices]

    def clean_batches(self):
        value = self.cleaned_data["batches"]
        if len(value) > MAX_PLANS:
            raise forms.ValidationError(_("REN-06: choose at most 6 evaluation plans."))
        return [int(v) for v in value]


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                              required=False)
