"""The directory's rows written in Python (institutions/directory_html.py) are the template's markup."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from filing_portal.core import clock
from institutions.directory_html import row_html
from institutions.models import FeeStandard, Filing
from institutions.views_public import directory_row
from tests.factories import InstitutionFactory
from tests.institutions.test_public_pages import filed, make_filing, wuhu_filing  # noqa: F401 (fixtures)


def _same_markup(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _rows():
    return [directory_row(f, clock.today()) for f in Filing.objects.select_related(
        "institution", "institution__region").prefetch_related("scope__occupation", "institution__fee_standards")
        .order_by("pk")]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_row_is_the_templates_markup__PUB_01_PUB_03(filed, wuhu_filing, people, occupations,  # noqa: F811
                                                          language):
    FeeStandard.objects.create(institution=people["inst"], item="理论考试费 <b>&", level=3,
                               amount_yuan=Decimal("380.00"), basis="皖价费〔2025〕12号")
    FeeStandard.objects.create(institution=people["inst"], item="实操考核费", level=None,
                               amount_yuan=Decimal("1520.50"))
    odd = InstitutionFactory(name='"引号" & <script>alert(1)</script>', head="", address="",
                             region=people["inst"].region)
    make_filing(odd, occupations, scope=(), state="suspended")
    with translation.override(language):
        rows = _rows()
        assert len(rows) == 3 and {r.status for r in rows} >= {"active", "suspended"}
        for row in rows:
            expected = render_to_string("institutions/public/_directory_row.html", {"row": row})
            assert _same_markup(row_html(row)) == _same_markup(expected)
    html = row_html(rows[-1])
    assert "<script>" not in html and "&lt;script&gt;" in html  # escaped like the template escapes it


@pytest.mark.django_db
def test_the_page_shows_the_rows_written_in_python__PUB_01(client, filed):  # noqa: F811
    html = client.get("/directory/").content.decode()
    assert html.count('<td class="nowrap mono">') == 1 and filed.number in html
    assert 'class="scope-list"' in html and "filing-status-active" in html
