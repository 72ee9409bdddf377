"""In a real browser: one assessment batch from plan to a verified certificate (issue 5, "Done when").

The institution plans and submits, the city staff approve, the institution imports its candidates (a sheet with
a wrong check digit first: refused as a whole, the bad row named), enters the results, publishes them, reports
them after the 7-day publication and issues the certificates; the public verifies one of them on /verify/.

Time: every guard and service asks the business clock (`filing_portal.core.clock.today`); the existing tests set it
with `clock.as_of`, a context variable that does not reach the live server's thread, so this test moves the same
business clock for the whole process (`calendar`), over real 2026 dates. Nothing in the database is rewritten to
fake a date. Elements are found by name, id, href, form action or data, never by an English or Chinese label.
"""

import datetime as dt
import io
import os
import re

import pytest
from django.core.cache import cache
from openpyxl import Workbook, load_workbook

from assessments.models import AssessmentBatch, Candidate
from certificates.models import Certificate
from filing_portal.core import clock
from institutions.models import FilingScope
from tests.assessments.conftest import filing, person  # noqa: F401  (a filed institution, active since 2026-03-10)
from tests.browser.test_smoke import page  # noqa: F401  (the same chromium launch, flags and fresh profile)
from tests.institutions.conftest import draft, occupations, people, regions  # noqa: F401
from tests.personal_data.helpers import with_check_digit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["姓名", "性别", "证件类型", "证件号码", "所在单位", "考生所在地市", "职业编码", "工种", "申报等级"]


class BusinessCalendar:
    """Today for the whole process (test thread and live server); `clock.as_of` still wins where it is set."""

    def __init__(self, day: str):
        self.day = dt.date.fromisoformat(day)

    def set(self, day: str) -> None:
        self.day = dt.date.fromisoformat(day)

    def today(self) -> dt.date:
        return clock._as_of.get() or self.day


@pytest.fixture
def calendar(monkeypatch):
    business = BusinessCalendar("2026-04-01")
    monkeypatch.setattr(clock, "today", business.today)
    return business


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def shot(page, name):  # noqa: F811
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"batch-{name}.png"), full_page=True)


def log_in(page, base, username):  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.locator("form:has(input[name='password']) [type='submit']").click()
    page.wait_for_url(f"{base}/")


def press(page, batch_pk, transition):  # noqa: F811
    """Click the batch page's button for `transition` (its form posts to the transition URL)."""
    page.locator(f"form[action='/batches/{batch_pk}/transitions/{transition}/'] button[type='submit']").click()
    page.wait_for_load_state()


def state_of(page):  # noqa: F811
    classes = page.locator(".state-line .batch-state").get_attribute("class")
    return re.search(r"batch-state-(\w+)", classes).group(1)


def sheet(rows) -> bytes:
    wb = Workbook()
    wb.active.append(HEADERS)
    for c in rows:
        wb.active.append([c.name, "男" if c.gender == "M" else "女", "201", c.id_number, c.employer, c.city,
                          c.occupation_code, c.work_type, {3: "三级", 4: "四级"}[c.level]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(page, name, content):  # noqa: F811
    page.set_input_files("input[name='upload']", files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.locator("form:has(input[name='upload']) button[type='submit']").click()
    page.wait_for_load_state()


def test_a_batch_from_plan_to_a_verified_certificate__ASM_01_ASM_05_CERT_02_CERT_05(
        page, live_server, filing, people, calendar):  # noqa: F811
    base = live_server.url
    zhang, li = person(11, name="张三"), person(12, name="李四")
    wang = person(13, name="王芳", gender="F", level=4)
    wrong = person(14, name="赵六")
    wrong.id_number = wrong.id_number[:-1] + ("0" if wrong.id_number[-1] != "0" else "1")
    assert wrong.id_number != with_check_digit(wrong.id_number[:-1])

    # 2026-04-01: the institution fills in the plan (exam on 2026-04-20, 13 working days ahead) and submits it.
    log_in(page, base, "inst_s")
    page.goto(f"{base}/my/batches/")
    page.locator("a[href='/my/batches/new/']").first.click()
    page.wait_for_url(f"{base}/my/batches/new/")
    page.fill("input[name='exam_start']", "2026-04-20")
    page.fill("input[name='exam_end']", "2026-04-20")
    page.fill("input[name='venue_address']", "合肥市蜀山区实训楼1号")
    page.select_option("select[name='method']", "exam")
    page.fill("input[name='candidate_source']", "社会人员")
    page.fill("input[name='planned_count']", "3")
    for scope in FilingScope.objects.filter(filing=filing, active=True, level__in=(3, 4)):
        page.check(f"input[name='items'][value='{scope.pk}']")
    for i, (name, phone, organisation) in enumerate([("钱监考", "13900000001", "合肥市第一中学"),
                                                      ("孙考评", "13900000002", ""), ("周督导", "13900000003", "")]):
        assert page.locator(f"select[name='staff-{i}-role']").input_value() == ("invigilator", "assessor",
                                                                                 "supervisor")[i]
        page.fill(f"input[name='staff-{i}-name']", name)
        page.fill(f"input[name='staff-{i}-phone']", phone)
        page.fill(f"input[name='staff-{i}-organisation']", organisation)
    shot(page, "1-plan-form")
    page.locator("form.plan-form button[type='submit']:not([name])").click()
    page.wait_for_url(re.compile(r"/my/batches/\d+/$"))
    batch = AssessmentBatch.objects.get()
    assert page.url == f"{base}/my/batches/{batch.pk}/" and state_of(page) == "draft"
    assert (batch.exam_start, batch.venue_address, batch.planned_count) == (dt.date(2026, 4, 20), "合肥市蜀山区实训楼1号", 3)
    assert sorted(batch.items.values_list("level", flat=True)) == [3, 4]
    assert sorted(batch.staff.values_list("name", flat=True)) == ["周督导", "孙考评", "钱监考"]
    press(page, batch.pk, "submit")
    assert state_of(page) == "submitted"
    assert AssessmentBatch.objects.get(pk=batch.pk).submitted_on == dt.date(2026, 4, 1)

    # 2026-04-02: the Hefei staff find it in their queue and approve it.
    calendar.set("2026-04-02")
    log_in(page, base, "city_hefei")
    page.goto(f"{base}/staff/batches/")
    page.locator(f"a[href='/staff/batches/{batch.pk}/']").click()
    page.wait_for_url(f"{base}/staff/batches/{batch.pk}/")
    press(page, batch.pk, "approve")
    assert page.url == f"{base}/staff/batches/{batch.pk}/" and state_of(page) == "scheduled"
    assert AssessmentBatch.objects.get(pk=batch.pk).approved_on == dt.date(2026, 4, 2)

    # The institution imports its candidates: a sheet with a wrong check digit in row 3 is refused as a whole.
    log_in(page, base, "inst_s")
    page.goto(f"{base}/my/batches/{batch.pk}/")
    page.locator(f"a[href='/my/batches/{batch.pk}/candidates/import/']").click()
    page.wait_for_url(f"{base}/my/batches/{batch.pk}/candidates/import/")
    upload(page, "candidates.xlsx", sheet([zhang, wrong, li, wang]))
    errors = page.locator("table.import-error-table tbody tr")
    assert errors.count() == 1
    assert errors.locator("th.num").inner_text() == "3" and errors.locator("td").first.inner_text() == "证件号码"
    assert "CERT-02" in errors.locator("td").nth(1).inner_text()
    assert not Candidate.objects.filter(batch=batch).exists()  # all or nothing
    report_href = f"/my/batches/{batch.pk}/import-errors/candidates.xlsx"
    assert page.locator(f"a[href='{report_href}']").count() == 1
    report = page.request.get(f"{base}{report_href}")  # the same session's download of the report
    assert report.ok and report.headers["content-type"] == XLSX
    rows = [r for r in load_workbook(io.BytesIO(report.body())).active.iter_rows(values_only=True)
            if any(v is not None for v in r)]
    assert any(3 in r and "证件号码" in r for r in rows)
    shot(page, "2-import-refused")
    upload(page, "candidates.xlsx", sheet([zhang, li, wang]))
    page.wait_for_url(f"{base}/my/batches/{batch.pk}/")
    assert sorted(Candidate.objects.filter(batch=batch).values_list("name", flat=True)) == ["张三", "李四", "王芳"]
    assert page.locator("table.candidates tbody tr").count() == 3
    assert zhang.id_number not in page.content()  # PUB-04: the page shows masked numbers only

    # 2026-04-20, the exam day: conducted, the results entered on the results page, published.
    calendar.set("2026-04-20")
    page.reload()
    press(page, batch.pk, "conduct")
    assert state_of(page) == "conducted"
    page.locator(f"a[href='/my/batches/{batch.pk}/results/']").click()
    page.wait_for_url(f"{base}/my/batches/{batch.pk}/results/")
    assert page.locator("input[name$='-review']").count() == 0  # no comprehensive review in this batch (ASM-07)
    scores = {"张三": ("82", "76.5"), "李四": ("75", "59"), "王芳": ("90", "88")}
    for name, (theory, practical) in scores.items():
        row = page.locator("table.scores tbody tr").filter(has=page.locator(f"th:text-is('{name}')"))
        row.locator("input[name$='-theory']").fill(theory)
        row.locator("input[name$='-practical']").fill(practical)
    shot(page, "3-results")
    page.locator(f"form[action='/my/batches/{batch.pk}/results/'] button[type='submit']").click()
    page.wait_for_url(f"{base}/my/batches/{batch.pk}/")
    results = dict(Candidate.objects.filter(batch=batch).values_list("name", "result"))
    assert results == {"张三": "pass", "李四": "fail", "王芳": "pass"}
    press(page, batch.pk, "publish_results")
    assert state_of(page) == "results_published"
    batch.refresh_from_db()
    assert (batch.publish_from, batch.publish_until) == (dt.date(2026, 4, 20), dt.date(2026, 4, 26))
    # ASM-05: public for 7 days, so reporting is held back with its rule, and the public page masks the IDs.
    assert page.locator(f"form[action='/batches/{batch.pk}/transitions/report_results/']").count() == 0
    assert "ASM-05" in page.locator(".batch-actions .blocked").inner_text()
    page.locator(f"a[href='/results/{batch.plan_number}/']").click()
    page.wait_for_load_state()
    assert "张三" in page.content() and zhang.id_number not in page.content()

    # 2026-04-27, the day after the publication: reported, then the certificates issued.
    calendar.set("2026-04-27")
    page.goto(f"{base}/my/batches/{batch.pk}/")
    press(page, batch.pk, "report_results")
    assert state_of(page) == "results_reported"
    press(page, batch.pk, "issue_certificates")
    assert state_of(page) == "certificates_issued"
    shot(page, "4-certificates-issued")
    certificates = Certificate.objects.filter(batch=batch)
    assert sorted(certificates.values_list("holder_name", flat=True)) == ["张三", "王芳"]
    row = page.locator("table.candidates tbody tr").filter(has=page.locator("th:text-is('张三')"))
    number = row.locator("a[href^='/certificates/']").inner_text().strip()
    assert certificates.get(holder_name="张三").number == number
    assert page.locator("table.candidates tbody tr").filter(
        has=page.locator("th:text-is('李四')")).locator("a[href^='/certificates/']").count() == 0

    # The public (no session) verifies 张三's certificate by number and name.
    page.context.clear_cookies()
    page.goto(f"{base}/verify/")
    form = page.locator("form").filter(has=page.locator("input[name='n-number']"))
    form.locator("input[name='n-number']").fill(number)
    form.locator("input[name='n-name']").fill("张三")
    form.locator("button[type='submit']").click()
    page.wait_for_load_state()
    answer = page.locator(".results table.answer")
    assert answer.count() == 1
    assert number in answer.inner_text() and "张三" in answer.inner_text() and "汽车维修工" in answer.inner_text()
    assert answer.locator(".status-ok").count() == 1  # valid
    shot(page, "5-verified")
