from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, LAST_YEAR


class UpcomingForm(forms.Form):
    """`?from=YYYY-MM-DD` on the staff calendar page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the field cannot be declared in the class body.
        self.fields["from"] = forms.DateField(
            label=_("Start date"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("Enter the date as YYYY-MM-DD, for example 2025-09-26.")},
        )

    def clean_from(self) -> date | None:
        value = self.cleaned_data.get("from")
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={"first": f"{FIRST_YEAR}-01-01", "last": f"{LAST_YEAR}-12-31"},
            )
        return value
