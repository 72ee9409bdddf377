"""Forms of the public pages: the directory search (PUB-01), the objection form (FIL-07), the announcement filter."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from certificates.models import LEVEL_LABELS
from filing_portal.core.pagination import search_count_key
from filing_portal.core.widgets import QuickSelect
from filing_portal.regions.models import Region
from filing_portal.regions.reference_cache import region_rows

from .models import Announcement

NUMBER_VALIDATOR = RegexValidator(
    r"^[YySs][0-9]{12}$",
    _("A filing number has 13 characters: Y or S followed by 12 digits (e.g. S000034010001)."),
)


def region_choices() -> list:
    """Provinces, each with its cities, as option groups. A province's code finds its whole area.

    The rows come from the cache (at most one query); the labels are made here, in the request's language.
    """
    rows = region_rows()
    cities: dict[int, list[tuple[str, str]]] = {}
    for _pk, code, name, _level, province_id in rows:
        if province_id:
            cities.setdefault(province_id, []).append((code, name))
    choices: list = [("", _("All regions"))]
    for pk, code, name, level, _province_id in rows:
        if level == Region.Level.PROVINCE:
            options = [(code, _("%(province)s (whole province)") % {"province": name}), *cities.get(pk, [])]
            choices.append((name, options))
    return choices


class DirectorySearchForm(forms.Form):
    """PUB-01: search the directory. GET is fine here: nothing typed is personal data."""

    q = forms.CharField(label=_("Institution name"), required=False, max_length=100)
    number = forms.CharField(label=_("Filing number"), required=False, max_length=20, validators=[NUMBER_VALIDATOR],
                             widget=forms.TextInput(attrs={"inputmode": "latin", "autocomplete": "off",
                                                           "placeholder": "S000034010001"}))
    region = forms.ChoiceField(label=_("Region"), required=False, widget=QuickSelect)
    occupation = forms.CharField(label=_("Occupation (code or name)"), required=False, max_length=100,
                                 widget=forms.TextInput(attrs={"placeholder": "4-12-01-01"}))
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("All levels")), *sorted(LEVEL_LABELS.items())], widget=QuickSelect)
    include_ended = forms.BooleanField(label=_("Also show revoked, terminated and lapsed filings"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def search_kwargs(self) -> dict:
        """The arguments of `selectors.public_directory` (call after `is_valid()`)."""
        data = self.cleaned_data
        return {"q": data["q"].strip(), "number": data["number"], "region_code": data["region"],
                "occupation": data["occupation"].strip(), "level": data["level"],
                "include_ended": data["include_ended"]}

    def count_key(self) -> str:
        """The paginator's `count_key` for this search (call after `is_valid()`): its arguments, not its SQL."""
        return search_count_key("public_directory", self.search_kwargs())


class ObjectionForm(forms.Form):
    """FIL-07: anyone may object during the public notice; a way to answer them is required.

    The limits are the API's (`ObjectionInputSerializer`); Django's CharField strips, so blanks are missing.
    """

    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=50,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact = forms.CharField(label=_("Phone or e-mail"), max_length=100,
                              help_text=_("The filing office uses it only to answer your objection."),
                              widget=forms.TextInput(attrs={"autocomplete": "tel"}))
    content = forms.CharField(label=_("Your objection"), max_length=4000,
                              help_text=_("What is wrong with the application, and how do you know it?"),
                              widget=forms.Textarea(attrs={"rows": 6}))


class AnnouncementFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All announcements")), *Announcement.Kind.choices])
