"""Form widgets the busiest public pages need.

`QuickSelect` renders a <select> in Python instead of one template include per <option> (Django's
`select_option.html`): the directory's region list has about 60 options and was a third of the page's
template time (docs/PERFORMANCE.md). The HTML is the same as Django's Select writes.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html("<select name=\"{}\"{}>", widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            body = format_html_join("", "<option value=\"{}\"{}>{}</option>",
                                    ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options))
            parts.append(format_html("<optgroup label=\"{}\">{}</optgroup>", group_name, body) if group_name else body)
        parts.append(mark_safe("</select>"))  # noqa: S308 - a constant closing tag
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html
