from django import forms
from django.utils.translation import gettext_lazy as _

from filing_portal.personal_data import IdType

from .models import Level


class VerifyByNumberForm(forms.Form):
    """CERT-05: look up by certificate number and holder name."""

    number = forms.CharField(label=_("Certificate number"), max_length=30,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "latin"}))
    name = forms.CharField(label=_("Holder name"), max_length=100)


class VerifyByIdentityForm(forms.Form):
    """CERT-05: look up by name, ID type and ID number (the national lookup allows this too)."""

    name = forms.CharField(label=_("Holder name"), max_length=100)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID_CARD)
    id_number = forms.CharField(label=_("ID number"), max_length=40,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))


class CertificateSearchForm(forms.Form):
    q = forms.CharField(label=_("Number or holder name"), required=False, max_length=100)
    filing_number = forms.CharField(label=_("Filing number"), required=False, max_length=13)
    institution = forms.CharField(label=_("Institution"), required=False, max_length=100)
    batch = forms.CharField(label=_("Batch plan number"), required=False, max_length=24)
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("All levels")), *Level.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("valid", _("valid")), ("voided", _("voided"))])
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    issued_to = forms.DateField(label=_("Issued to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full ID number?"), max_length=500)
