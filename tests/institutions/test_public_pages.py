"""Public pages: the directory and its exports (PUB-01, PUB-03), notices and objections (FIL-07, PUB-02),
announcements (PUB-02)."""

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from certificates.batch_verify import FORMULA_TRIGGERS
from certificates.models import FilingNumber
from certificates.numbers import build_filing_number
from filing_portal.core.deadlines import run_deadlines
from institutions import exports
from institutions.models import (
    Announcement,
    FeeStandard,
    Filing,
    FilingApplication,
    FilingScope,
    Objection,
)
from institutions.services import filings as filing_services
from institutions.views_public import mask_contact
from tests.factories import InstitutionFactory, make_uscc
from tests.institutions.conftest import on
from tests.institutions.test_workflow import walk_to_notice

D = dt.date.fromisoformat
FILED_NUMBER = "S000034010001"
_serial = itertools.count(101)
JAN_2026, JAN_2029 = D("2026-01-05"), D("2029-01-04")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The objection and export limits count per client IP in the cache; every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


def make_filing(institution, occupations, *, scope=(("4-12-01-01", "", (3, 4)),), state="active",
                valid_from=JAN_2026, expires_on=JAN_2029) -> Filing:
    """A filing record made directly (no workflow): for search exclusions and query counts."""
    region = institution.region
    serial = next(_serial)
    number = FilingNumber.objects.create(
        number=build_filing_number(institution.kind, "0000", region.province_code, region.filing_city_code, serial),
        kind=institution.kind, institution_code="0000", province_code=region.province_code,
        city_code=region.filing_city_code, serial=serial, holder_name=institution.name, institution=institution)
    application = FilingApplication.objects.create(institution=institution)
    filing = Filing.objects.create(institution=institution, filing_number=number, number=number.number,
                                   handling_region=region, first_filed_on=valid_from, valid_from=valid_from,
                                   expires_on=expires_on)
    if state != "active":
        Filing.objects.filter(pk=filing.pk).update(state=state)
    FilingScope.objects.bulk_create(
        FilingScope(filing=filing, occupation=occupations[code], work_type=work_type, level=level,
                    added_on=valid_from, added_by=application)
        for code, work_type, levels in scope for level in levels)
    return filing


@pytest.fixture
def filed(draft, people):
    """合肥新华 walked through the workflow with the services; the sweep of 2026-03-10 files it."""
    walk_to_notice(draft, people)
    run_deadlines(D("2026-03-10"))
    return Filing.objects.get(institution=people["inst"])


@pytest.fixture
def wuhu_filing(people, occupations):
    """An employer in Wuhu filed for 车工 level 4 only."""
    return make_filing(people["employer"], occupations, scope=(("6-18-01-01", "", (4,)),))


def _numbers(response) -> list[str]:
    return [row.filing.number for row in response.context["rows"]]


# -- the directory -------------------------------------------------------------------------------------------

def test_filed_institution_shows_in_the_directory__PUB_01(client, filed):
    response = client.get("/directory/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("合肥新华职业技能评价中心", FILED_NUMBER, "合肥市蜀山区长江西路100号", "李所长",
                 "汽车维修工（汽车机械维修工）", "2026-03-10", "2029-03-09", "filing-status-active"):
        assert text in html, text
    row = response.context["rows"][0]
    assert row.status == "active"
    assert [(g.label, g.levels) for g in exports.filing_scope_groups(row.filing)] == [
        ("汽车维修工（汽车机械维修工）", [3, 4, 5])]
    assert 'href="/directory/S000034010001/"' in html


def test_status_shows_rectification_and_expiry__PUB_01(client, people, occupations):
    suspended = make_filing(people["inst"], occupations, state="suspended")
    past = make_filing(people["other"], occupations, valid_from=D("2023-01-01"), expires_on=D("2025-12-31"))
    response = client.get("/directory/")
    status = {row.filing.number: row.status for row in response.context["rows"]}
    assert status == {suspended.number: "suspended", past.number: "expired"}  # active past its end: expired
    assert "filing-status-suspended" in response.content.decode()


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "新华"}, {FILED_NUMBER}),
    ({"number": FILED_NUMBER.lower()}, {FILED_NUMBER}),
    ({"region": "340100"}, {FILED_NUMBER}),  # Hefei only
    ({"region": "340200"}, {"wuhu"}),
    ({"region": "340000"}, {FILED_NUMBER, "wuhu"}),  # the province finds its cities
    ({"occupation": "4-12-01-01"}, {FILED_NUMBER}),
    ({"occupation": "车工"}, {"wuhu"}),
    ({"level": "5"}, {FILED_NUMBER}),
    ({"level": "4"}, {FILED_NUMBER, "wuhu"}),
    ({"occupation": "6-18-01-01", "level": "3"}, set()),
    ({"region": "340100", "occupation": "汽车维修", "level": "3"}, {FILED_NUMBER}),
])
def test_directory_search__PUB_01(client, filed, wuhu_filing, params, expected):
    expected = {wuhu_filing.number if n == "wuhu" else n for n in expected}
    response = client.get("/directory/", params)
    assert response.status_code == 200
    assert set(_numbers(response)) == expected


def test_a_malformed_number_is_an_error_next_to_the_field__PUB_01(client, filed):
    response = client.get("/directory/", {"number": "S0000"})
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert _numbers(response) == []
    assert 'id="error-summary"' in response.content.decode()


def test_fee_standards_show_in_the_row_and_on_the_detail_page__PUB_03(client, filed, people):
    FeeStandard.objects.create(institution=people["inst"], item="汽车维修工理论考试费", level=3,
                               amount_yuan=Decimal("380.00"), basis="皖价费〔2025〕12号")
    FeeStandard.objects.create(institution=people["inst"], item="汽车维修工实操考核费", level=3,
                               amount_yuan=Decimal("520.50"))
    for url in ("/directory/", f"/directory/{FILED_NUMBER}/"):
        html = client.get(url).content.decode()
        for text in ("汽车维修工理论考试费", "380.00", "皖价费〔2025〕12号", "汽车维修工实操考核费", "520.50"):
            assert text in html, (url, text)
    assert "<details" in client.get("/directory/").content.decode()


def test_detail_page_shows_everything_and_the_announcements__PUB_01_PUB_02(client, filed):
    response = client.get(f"/directory/{FILED_NUMBER}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("合肥新华职业技能评价中心", FILED_NUMBER, "李所长", "汽车维修工（汽车机械维修工）", "2026-03-10",
                 "2029-03-09", "2027-03-10"):  # pilot year (FIL-10)
        assert text in html, text
    announcement = Announcement.objects.get(filing=filed, kind="filed")
    assert announcement.title in html
    assert client.get("/directory/S000034019999/").status_code == 404


def test_directory_queries_do_not_grow_with_the_page__PUB_01(client, people, occupations,
                                                              django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            institution = InstitutionFactory(region=people["inst"].region, uscc=make_uscc("340100"),
                                             address="合肥市", head="负责人")
            make_filing(institution, occupations, scope=(("4-12-01-01", "甲", (3, 4)), ("6-18-01-01", "", (5,))))
            FeeStandard.objects.create(institution=institution, item="考试费", level=4, amount_yuan=100)

    def count(params=None):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/directory/", params or {})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["rows"])

    add(5)
    client.get("/directory/")  # the region rows of the search form go to the cache on the first page
    small, rows = count()
    assert rows == 5
    add(20)
    with django_assert_max_num_queries(small):
        large, rows = count()
    assert rows == 25 and large == small
    # A search by region and occupation looks up the matching region and occupation ids first, then the
    # filings of those occupations (three small queries, so PostgreSQL plans with real numbers); still a
    # constant count whatever the rows.
    search = {"occupation": "4-12-01-01", "level": "3", "region": "340000"}
    searched, rows = count(search)
    assert searched == small + 3 and rows == 25
    add(5)
    assert count(search) == (searched, 30)


# -- exports -------------------------------------------------------------------------------------------------

def test_export_xlsx_has_the_header_and_the_row__PUB_01(client, filed, wuhu_filing):
    response = client.get("/directory/export.xlsx", {"region": "340100"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    today = timezone.localdate().strftime("%Y%m%d")  # Beijing time
    assert today in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == exports.HEADER
    assert len(rows) == 2  # the search applies: Wuhu is not in Hefei
    name, number, kind, place, address, head, scope, status, start, end = rows[1]
    assert (name, number, kind, place, address, head) == (
        "合肥新华职业技能评价中心", FILED_NUMBER, "社会培训评价组织", "安徽省合肥市", "合肥市蜀山区长江西路100号", "李所长")
    assert scope == "汽车维修工（汽车机械维修工）：三级、四级、五级"
    assert status == "正常"
    assert (start.date(), end.date()) == (D("2026-03-10"), D("2029-03-09"))


def test_export_csv_starts_with_a_bom_and_has_the_row__PUB_01(client, filed, wuhu_filing):
    response = client.get("/directory/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == exports.HEADER
    by_number = {r[1]: r for r in rows[1:]}
    assert set(by_number) == {FILED_NUMBER, wuhu_filing.number}
    assert by_number[FILED_NUMBER][6] == "汽车维修工（汽车机械维修工）：三级、四级、五级"
    assert by_number[FILED_NUMBER][8:] == ["2026-03-10", "2029-03-09"]
    assert by_number[wuhu_filing.number][2:4] == ["用人单位", "安徽省芜湖市"]


def test_export_escapes_formulas__PUB_01(client, people, occupations):
    institution = InstitutionFactory(name='=HYPERLINK("http://evil.example","点我")', region=people["inst"].region,
                                     uscc=make_uscc("340100"), head="+8613900000000", address="@SUM(1,1)")
    make_filing(institution, occupations)
    sheet = load_workbook(io.BytesIO(b"".join(client.get("/directory/export.xlsx").streaming_content))).active
    assert sheet["A2"].value == "'" + institution.name and sheet["A2"].data_type == "s"
    assert sheet["F2"].value == "'+8613900000000" and sheet["E2"].value == "'@SUM(1,1)"
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/directory/export.csv").streaming_content)
                                       .decode("utf-8-sig"))))
    assert rows[1][0] == "'" + institution.name and rows[1][5] == "'+8613900000000"


def test_escape_keeps_ordinary_text():
    assert exports.scope_text_zh([exports.ScopeGroup("6-18-01-01", "车工", "", [4, 5])]) == "车工：四级、五级"
    assert exports.directory_csv([]).__next__().decode("utf-8").startswith("\ufeff机构名称,")


@given(st.text(max_size=40))
def test_no_exported_csv_cell_starts_a_formula__PUB_01(text):
    body = b"".join(exports.directory_csv([[text, *[""] * 9]])).decode("utf-8-sig")
    cell = list(csv.reader(io.StringIO(body, newline="")))[1][0]
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell in (clean, "'" + clean)  # nothing else changes


# -- notices and objections -----------------------------------------------------------------------------------

def test_notice_list_shows_the_application_in_public_notice__FIL_07_PUB_02(client, draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        response = client.get("/notices/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("合肥新华职业技能评价中心", "汽车维修工（汽车机械维修工）", "2026-03-03", "2026-03-09",
                 f'href="/notices/{app.pk}/"'):
        assert text in html, text
    with on("2026-03-10"):  # the notice is over: off the list, and no more objections
        assert "合肥新华职业技能评价中心" not in client.get("/notices/").content.decode()
        assert client.get(f"/notices/{app.pk}/").status_code == 404


def test_objection_form_creates_an_objection_and_confirms__FIL_07(client, draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        assert client.get(f"/notices/{app.pk}/").status_code == 200
        response = client.post(f"/notices/{app.pk}/", {"name": "王群众", "contact": "13912345678",
                                                       "content": "该机构实操场地为临时租用"}, follow=True)
    assert response.status_code == 200
    objection = Objection.objects.get(application=app)
    assert (objection.name, objection.contact, objection.status) == ("王群众", "13912345678", "open")
    html = response.content.decode()
    assert "message-success" in html and "139****5678" in html
    assert "13912345678" not in html  # never echoed in full
    assert response.redirect_chain[-1][0] == f"/notices/{app.pk}/#main"


def test_objection_form_keeps_typed_values_on_error__FIL_07(client, draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        response = client.post(f"/notices/{app.pk}/", {"name": "王群众", "contact": "  ",
                                                       "content": "考评员资格证书存疑"})
    assert response.status_code == 200
    assert response.context["form"].errors["contact"]
    html = response.content.decode()
    assert "王群众" in html and "考评员资格证书存疑" in html and 'id="error-summary"' in html
    assert not Objection.objects.exists()


@pytest.mark.parametrize(("contact", "shown"), [
    ("13912345678", "139****5678"), ("wang.qun@example.cn", "w***@example.cn"), ("6200123", "*****23"),
    ("110", "***"),
])
def test_the_confirmation_masks_the_contact__FIL_07(contact, shown):
    assert mask_contact(contact) == shown


def test_sixth_objection_within_an_hour_is_refused_and_keeps_the_text__FIL_07(client, draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        for i in range(5):
            response = client.post(f"/notices/{app.pk}/", {"contact": f"1390000000{i}", "content": f"异议{i}"})
            assert response.status_code == 302
        response = client.post(f"/notices/{app.pk}/", {"name": "赵六", "contact": "13900000009",
                                                       "content": "第六条异议"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "第六条异议" in html and "13900000009" in html and "赵六" in html  # kept for the next try
    assert Objection.objects.filter(application=app).count() == 5


# -- announcements -------------------------------------------------------------------------------------------

def test_revoked_filing_is_announced_and_leaves_the_directory__PUB_02(client, filed, people):
    with on("2026-06-01"):
        filing_services.filing_revoke(filing=filed, reason="伪造考核记录", acting_user=people["city_hefei"])
    response = client.get("/announcements/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "伪造考核记录" in html and "2026-06-01" in html and f'href="/directory/{FILED_NUMBER}/"' in html
    revocations = client.get("/announcements/", {"kind": "revocation"}).context["page"].object_list
    assert [a.kind for a in revocations] == ["revocation"]
    filed_only = client.get("/announcements/", {"kind": "filed"}).context["page"].object_list
    assert [a.kind for a in filed_only] == ["filed"]
    assert _numbers(client.get("/directory/")) == []
    ended = client.get("/directory/", {"include_ended": "on"})
    assert [(r.filing.number, r.status) for r in ended.context["rows"]] == [(FILED_NUMBER, "revoked")]
    detail = client.get(f"/directory/{FILED_NUMBER}/")
    assert detail.status_code == 200 and "伪造考核记录" in detail.content.decode()
