"""Forms of the staff workbench: the queue filters and the input of each review action.

The forms only parse input. The rules (a rejection states its reasons, FIL-06; the
supplement notice lists the missing items, FIL-03; …) are the services' to enforce, so a
page names the same rule ID as the API does; text fields are therefore not `required`
here, only marked so in the HTML for the browser's own check.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Filing, FilingApplication

_REQUIRED = {"required": True, "aria-required": "true"}


def _textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class QueueFilterForm(forms.Form):
    """Filters of the review queue (the state is chosen with the tabs)."""

    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *FilingApplication.Kind.choices])
    q = forms.CharField(label=_("Institution name"), required=False, max_length=100)


class FilingFilterForm(forms.Form):
    """Filters of the list of filing records."""

    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *Filing.State.choices])
    q = forms.CharField(label=_("Institution name or filing number"), required=False, max_length=100)


class ConfirmForm(forms.Form):
    """A transition that needs no input: the button is the whole form."""


class SupplementRequestForm(forms.Form):
    """FIL-03: one consolidated notice listing every missing item."""

    items = forms.CharField(
        label=_("Missing items, one per line"), required=False, widget=_textarea(5, **_REQUIRED),
        help_text=_("This is the one-time notice (FIL-03): list every missing item now; it cannot be sent twice."))

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class OpinionForm(forms.Form):
    """FIL-01: the expert group's opinion at the current stage (initial review or technical evaluation)."""

    expert_names = forms.CharField(label=_("Expert group (names)"), required=False, max_length=200,
                                   widget=forms.TextInput(attrs=_REQUIRED))
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=_textarea(4, **_REQUIRED))
    passed = forms.TypedChoiceField(label=_("Result"), choices=[("yes", _("Passed")), ("no", _("Not passed"))],
                                    coerce=lambda value: value == "yes", widget=forms.RadioSelect)


class EvaluationForm(forms.Form):
    """FIL-01/05: the on-site technical evaluation passed, with its opinion."""

    expert_names = forms.CharField(label=_("Evaluation group (names)"), required=False, max_length=200,
                                   widget=forms.TextInput(attrs=_REQUIRED))
    opinion = forms.CharField(label=_("Evaluation opinion"), required=False, widget=_textarea(4, **_REQUIRED))


class ReasonForm(forms.Form):
    """Reasons, required by the rule of the action (FIL-06, FIL-07, SUP-04/05, CHG-04)."""

    reason = forms.CharField(label=_("Reasons"), required=False, widget=_textarea(3, **_REQUIRED))


class RevokeForm(ReasonForm):
    """SUP-05/TERM-04: the reasons and, for a cancellation under SC21 §5(4), its listed ground."""

    ground = forms.ChoiceField(label=_("Ground of cancellation (TERM-04)"), required=False,
                               choices=[("", _("Other (state it in the reasons)")),
                                        *Filing.CancellationGround.choices])


class CommentForm(forms.Form):
    """An optional comment kept in the history."""

    reason = forms.CharField(label=_("Comment (optional)"), required=False, widget=_textarea(2))


class TerminateForm(forms.Form):
    """TERM-01/02, CHG-07: the kind of termination and its reasons."""

    kind = forms.ChoiceField(label=_("Kind of termination"), choices=Filing.TerminationKind.choices,
                             initial=Filing.TerminationKind.VOLUNTARY, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reasons"), required=False, widget=_textarea(3, **_REQUIRED))
    ground = forms.ChoiceField(label=_("Ground of cancellation (TERM-04)"), required=False,
                               choices=[("", _("None")), *Filing.CancellationGround.choices])


class StopOrderForm(forms.Form):
    """TERM-05: an unfiled body found conducting assessments: who, where, what was found."""

    name = forms.CharField(label=_("Name of the body"), max_length=200, required=False,
                           widget=forms.TextInput(attrs=_REQUIRED))
    uscc = forms.CharField(label=_("Unified social credit code (if known)"), max_length=18, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    facts = forms.CharField(label=_("Facts found"), required=False, widget=_textarea(4, **_REQUIRED))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
