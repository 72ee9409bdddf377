"""Forms of the case pages: the queue's filters, opening a case, and one form per action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .cases import ARTICLES, ESCALATION_GROUNDS
from .models import Case, Tier

DATE = forms.DateInput(attrs={"type": "date"})


ANY = _("Any")


def _blank(choices):
    return [("", ANY), *choices]


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=_blank(Case.State.choices))
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=_blank(Tier.choices))
    origin = forms.ChoiceField(label=_("Origin"), required=False, choices=_blank(Case.Origin.choices))


class CaseOpenForm(forms.Form):
    """Staff open a case about a filing in their jurisdiction, or an institution without one."""

    filing = forms.ModelChoiceField(label=_("Filing"), required=False, queryset=None)
    institution = forms.ModelChoiceField(label=_("Institution (when it holds no filing)"), required=False,
                                         queryset=None)
    summary = forms.CharField(label=_("What the case is about"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=4000)

    def __init__(self, *args, filings, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing"].queryset = filings
        self.fields["filing"].label_from_instance = lambda f: f"{f.number} {f.institution.name}"
        self.fields["institution"].queryset = institutions

    def clean(self):
        data = super().clean()
        if not data.get("filing") and not data.get("institution"):
            raise forms.ValidationError(_("Choose the filing or the institution."))
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RectificationForm(forms.Form):
    report = forms.CharField(label=_("Rectification report"), max_length=8000,
                             widget=forms.Textarea(attrs={"rows": 6}))


def article_choices(tiers=(Tier.TIER1, Tier.TIER2, Tier.TIER3)):
    groups = []
    for tier in tiers:
        groups.append((Tier(tier).label, [(a.key, f"{a.label} {a.title}") for a in ARTICLES.values()
                                          if a.tier == tier]))
    return groups


class DecideForm(forms.Form):
    """The decision: tier, article item, text, and the tier's details (SUP-03…05)."""

    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    article = forms.ChoiceField(label=_("Article and item"), required=False,
                                choices=[("", _("None (no violation)")), *article_choices()])
    decision = forms.CharField(label=_("Decision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    interview_on = forms.DateField(label=_("Interview on (tier 1)"), required=False, widget=DATE)
    interviewee = forms.CharField(label=_("Person interviewed (tier 1)"), required=False, max_length=60)
    interview_record = forms.CharField(label=_("Interview record (tier 1)"), required=False, max_length=8000,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    void_batch = forms.ModelChoiceField(label=_("Void the certificates of batch (tier 1, optional)"),
                                        required=False, queryset=None)
    void_reason = forms.CharField(label=_("Why the certificates are void"), required=False, max_length=2000)
    rectification_due = forms.DateField(label=_("Rectification due (tier 2; default from the policy profile)"),
                                        required=False, widget=DATE)

    def __init__(self, *args, batches=None, **kwargs):
        super().__init__(*args, **kwargs)
        from assessments.models import AssessmentBatch

        self.fields["void_batch"].queryset = batches if batches is not None else AssessmentBatch.objects.none()


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    ground = forms.ChoiceField(label=_("Ground"), choices=list(zip(ESCALATION_GROUNDS, (
        _("Rectification overdue"), _("Violation repeated after the notice")), strict=True)))
    article = forms.ChoiceField(label=_("Article and item"), choices=article_choices((Tier.TIER3,)), initial="23.1")
