"""Public supervision pages: the disclosures of PUB-02."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from filing_portal.regions.models import Region

from .disclosures import KIND_LABELS, disclosures

PAGE_SIZE = 20


class DisclosureFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False,
                                    to_field_name="code", empty_label=_("All regions"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *((k, v) for k, v in KIND_LABELS.items())]
        self.fields["region"].queryset = Region.objects.order_by("code")


def disclosure_list(request):
    """/supervision/disclosures/: revocations, rectification orders, terminations, stop orders, draw results."""
    form = DisclosureFilterForm(request.GET or None)
    kind, region = "", None
    if form.is_bound and form.is_valid():
        kind, region = form.cleaned_data["kind"] or "", form.cleaned_data["region"]
    page = Paginator(disclosures(kind=kind, region=region), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/public/disclosures.html", {"form": form, "page": page})
