"""QuickSelect writes the same <select> as Django's Select (the directory's search form, PUB-01)."""

import pytest
from django import forms
from django.test.html import parse_html

from filing_portal.core.widgets import QuickSelect

CHOICES = [("", "全部地区"), ("安徽省", [("340000", "安徽省 <全省>"), ("340100", "合肥市")]), ("5", "五级/初级工")]


@pytest.mark.parametrize("value", ["340100", "", None, "5", "<script>"])
def test_quick_select_matches_django_select__PUB_01(value):
    attrs = {"id": "id_region", "aria-describedby": "id_region_help", "disabled": False, "required": True}
    expected = forms.Select(choices=CHOICES).render("region", value, attrs=dict(attrs))
    got = QuickSelect(choices=CHOICES).render("region", value, attrs=dict(attrs))
    assert parse_html(got) == parse_html(expected)
    assert "<script>" not in got and "&lt;全省&gt;" in got
