"""The whole filing journey in a real browser (Debian's chromium driven by Playwright), issue 4 "Done when":
an institution applies with one section missing → staff request the supplement → it resubmits → staff accept →
initial review and technical evaluation recorded → notice published → the sweep after 5 WD completes it →
the receipt downloads → the institution shows in the public directory.

Elements are found by name, id, href or form action (the labels are being translated); outcomes are checked
in the database and by the data shown. The pages run on today's real date (nothing is frozen); the sweep runs
for real calendar dates computed from the notice's own dates with the working-day calendar.
"""

import io
import os
import re
import shutil
import tempfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from filing_portal.core import clock
from filing_portal.workdays.calendar import add_working_days
from institutions.models import Filing, FilingApplication
from tests.browser.test_smoke import chromium_page
from tests.institutions.conftest import occupations, people, regions  # noqa: F401  (the same fixtures)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server):
    with chromium_page(accept_downloads=True) as opened:
        opened.context.set_default_timeout(15_000)
        yield opened


def shot(page, name):
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"journey-{name}.png"), full_page=True)


def submit(page, selector):
    """Click a submit button (or link) and wait for the page it leads to: no refusal (409/403), no error page."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    response = navigation.value
    assert response is not None and response.status < 400, (selector, response and response.status, page.url)


def log_in(page, base, username):
    """Log out whoever is logged in (with the page's own button), then log in as `username`."""
    logout = page.locator(f"form[action='{reverse('logout')}'] button[type=submit]")
    if logout.count():
        submit(page, f"form[action='{reverse('logout')}'] button[type=submit]")
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form:has(input[name=password]) button[type=submit]")
    assert page.url == f"{base}/", f"{username} could not log in"


def state(app) -> str:
    return FilingApplication.objects.get(pk=app.pk).state


def fresh(app) -> FilingApplication:
    return FilingApplication.objects.get(pk=app.pk)


def test_the_whole_filing_journey_in_the_browser__FIL_03_FIL_04_FIL_01_FIL_07_FIL_08_PUB_01(
        page, live_server, people, occupations):  # noqa: F811  (fixtures imported above)
    base = live_server.url
    inst = people["inst"]

    # -- 1. the institution fills the multi-step form, leaving the assessors' roster empty ----------------------
    log_in(page, base, "inst_s")
    page.goto(f"{base}{reverse('institutions:my_applications')}")
    submit(page, f"form[action='{reverse('institutions:application_new')}']:has(input[name=kind][value=initial]) "
                 "button[type=submit]")
    app = FilingApplication.objects.get(institution=inst)
    assert app.state == "draft" and page.url.endswith(reverse("institutions:application_edit", args=[app.pk, "basics"]))

    def step(slug):
        return f"{base}{reverse('institutions:application_edit', args=[app.pk, slug])}"

    page.fill("#id_years_of_experience", "6")
    page.fill("#id_total_person_times", "25000")
    page.fill("#id_implementation_plan", "一、备案单位概况\n二、认定组织机构及职责")
    page.fill("#id_organisation_strengths", "专职人员12名，专家5名")
    submit(page, "button[name=action][value=continue]")
    assert page.url == step("occupations")

    page.fill("input[name='occ-0-occupation']", "4-12-01-01")
    page.fill("input[name='occ-0-work_type']", "汽车机械维修工")
    for level in ("5", "4", "3"):
        page.check(f"input[name='occ-0-levels'][value='{level}']")
    page.fill("input[name='occ-0-own_assessors']", "6")
    page.fill("input[name='occ-0-experience_years']", "6")
    page.fill("input[name='occ-0-person_times']", "8000")
    shot(page, "1-occupations")
    submit(page, "button[name=action][value=continue]")
    assert page.url == step("venues")
    row = app.occupations.select_related("occupation").get()
    assert (row.occupation.name, row.levels, row.own_assessors) == ("汽车维修工", [3, 4, 5], 6)

    page.select_option("select[name='venue-0-kind']", "practical")
    page.fill("input[name='venue-0-address']", "合肥市蜀山区实训楼1号")
    page.fill("input[name='venue-0-room_count']", "2")
    page.fill("input[name='venue-0-area_m2']", "600")
    page.select_option("select[name='venue-0-tenure']", "owned")
    page.check("input[name='venue-0-occupation_codes'][value='4-12-01-01']")
    page.check("input[name='venue-0-video_surveillance']")
    submit(page, "button[name=action][value=save]")  # saved: its equipment rows appear
    venue = app.venues.get()
    assert page.url == step("venues") and venue.address == "合肥市蜀山区实训楼1号"
    page.fill(f"input[name='eq-{venue.pk}-0-name']", "汽车举升机")
    page.fill(f"input[name='eq-{venue.pk}-0-model']", "QJ-4")
    page.fill(f"input[name='eq-{venue.pk}-0-unit']", "台")
    page.fill(f"input[name='eq-{venue.pk}-0-quantity']", "4")
    submit(page, "button[name=action][value=continue]")
    assert page.url == step("staff")
    assert list(venue.equipment.values_list("name", "quantity")) == [("汽车举升机", 4)]

    page.select_option("select[name='staff-0-post']", "head")
    page.fill("input[name='staff-0-name']", "李所长")
    page.select_option("select[name='staff-0-gender']", "M")
    page.fill("input[name='staff-0-age']", "45")
    page.fill("input[name='staff-0-phone']", "0551-62000000")
    submit(page, "button[name=action][value=continue]")
    assert page.url == step("assessors")
    assert list(app.staff.values_list("name", flat=True)) == ["李所长"]

    submit(page, "button[name=action][value=continue]")  # the roster is left empty: the missing section
    assert page.url == step("attachments") and not app.assessors.exists()

    page.select_option("select[name=kind]", "legal_person")
    page.set_input_files("input[name=file]", files=[{"name": "登记证书.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    submit(page, "button[name=action][value=save]")
    assert list(app.attachments.values_list("original_name", flat=True)) == ["登记证书.pdf"]
    submit(page, f"a[href='{reverse('institutions:application_edit', args=[app.pk, 'pledges'])}'].button")

    page.check("input[name=truthfulness]")
    page.check("input[name=operation]")
    assert page.input_value("input[name=signed_by]") == "王法人"  # the legal representative is proposed
    submit(page, "button[name=action][value=continue]")
    assert page.url == step("review")
    # The step indicator shows the assessors' step as the only one not done.
    assessors_link = page.locator(f"nav.steps a[href='{reverse('institutions:application_edit', args=[app.pk, 'assessors'])}']")
    assert "is-done" not in assessors_link.locator("xpath=..").get_attribute("class")
    assert page.locator("nav.steps li.is-done").count() == 6
    submit(page, "button[name=action][value=submit]")
    assert page.url == f"{base}{reverse('institutions:application_detail', args=[app.pk])}"
    app = fresh(app)
    assert app.state == "submitted" and app.handling_region.code == "340100"  # Hefei handles levels 3–5 (JUR-01)
    assert page.locator("strong.state-submitted").count() == 1 and app.acceptance_due.isoformat() in page.content()

    # -- 2. Hefei staff send the one-time supplement notice (FIL-03) ------------------------------------------
    log_in(page, base, "city_hefei")
    page.goto(f"{base}{reverse('institutions:staff_queue')}")
    review = reverse("institutions:staff_application", args=[app.pk])
    submit(page, f"a[href='{review}']")
    page.fill("textarea[name='request_supplement-items']", "自有考评员和质量督导员名册\n考评员资格证书")
    submit(page, "button[data-transition=request_supplement]")
    app = fresh(app)
    assert app.state == "supplement_requested"
    assert app.supplement_items == ["自有考评员和质量督导员名册", "考评员资格证书"]
    assert app.supplement_due == add_working_days(app.supplement_requested_on, 5)  # FIL-04: 5 WD
    assert page.locator(".supplement-items li").all_inner_texts() == app.supplement_items
    assert page.locator("button[data-transition=request_supplement]").count() == 0  # one notice only (FIL-03)
    shot(page, "2-supplement-requested")

    # -- 3. the institution supplies the roster and the certificate, then resubmits ----------------------------
    log_in(page, base, "inst_s")
    page.goto(f"{base}{reverse('institutions:application_detail', args=[app.pk])}")
    assert page.locator("section.supplement li").all_inner_texts() == app.supplement_items
    assert app.supplement_due.isoformat() in page.locator("section.supplement").inner_text()
    submit(page, f"a.button[href='{reverse('institutions:application_edit_start', args=[app.pk])}']")
    assert page.url == step("assessors")  # "continue editing" opens the missing section
    page.select_option("select[name='assessor-0-role']", "assessor")
    page.fill("input[name='assessor-0-name']", "张考评")
    page.select_option("select[name='assessor-0-gender']", "M")
    page.fill("input[name='assessor-0-age']", "40")
    page.select_option("select[name='assessor-0-occupation_code']", "4-12-01-01")
    page.fill("input[name='assessor-0-qualified_on']", "2019-05-01")
    page.fill("input[name='assessor-0-phone']", "13800000000")
    page.select_option("select[name='assessor-1-role']", "supervisor")
    page.fill("input[name='assessor-1-name']", "周督导")
    page.select_option("select[name='assessor-1-gender']", "F")
    page.fill("input[name='assessor-1-age']", "50")
    page.fill("input[name='assessor-1-phone']", "13800000001")
    submit(page, "button[name=action][value=continue]")
    assert page.url == step("attachments")
    assert sorted(app.assessors.values_list("role", "name", "occupation_code")) == [
        ("assessor", "张考评", "4-12-01-01"), ("supervisor", "周督导", "")]
    page.select_option("select[name=kind]", "experts")
    page.set_input_files("input[name=file]", files=[{"name": "考评员资格证书.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    submit(page, "button[name=action][value=save]")
    assert app.attachments.filter(original_name="考评员资格证书.pdf", kind="experts").exists()
    page.goto(step("review"))
    submit(page, "button[name=action][value=resubmit]")
    assert state(app) == "submitted"

    # -- 4. staff accept; the expert group's opinion; initial review passed; technical evaluation recorded ----
    log_in(page, base, "city_hefei")
    page.goto(f"{base}{review}")
    submit(page, "button[data-transition=accept]")
    assert state(app) == "initial_review"
    assert page.locator("button[data-transition-disabled=pass_initial_review]").is_disabled()  # FIL-01

    log_in(page, base, "expert1")
    page.goto(f"{base}{review}")
    page.fill("input[name='record_opinion-expert_names']", "张专家、李专家")
    page.fill("textarea[name='record_opinion-opinion']", "材料齐全，条件符合")
    page.check("input[name='record_opinion-passed'][value=yes]")
    submit(page, "#action-record_opinion button[type=submit]")
    opinion = fresh(app).opinions.get()
    assert (opinion.stage, opinion.passed, opinion.expert_names) == ("initial_review", True, "张专家、李专家")

    log_in(page, base, "city_hefei")
    page.goto(f"{base}{review}")
    assert "材料齐全，条件符合" in page.locator("#opinions-title + table").inner_text()
    submit(page, "button[data-transition=pass_initial_review]")
    assert state(app) == "technical_evaluation"
    page.fill("input[name='record_evaluation-expert_names']", "现场评估组")
    page.fill("textarea[name='record_evaluation-opinion']", "现场设施满足要求")
    submit(page, "button[data-transition=record_evaluation]")
    app = fresh(app)
    assert app.state == "comprehensive_review" and app.completion_due is not None
    assert list(app.opinions.order_by("pk").values_list("stage", flat=True)) == [
        "initial_review", "technical_evaluation"]

    # -- 5. the public notice (FIL-07: 5 working days) ---------------------------------------------------------
    submit(page, "button[data-transition=start_public_notice]")
    published_on = clock.today()
    app = fresh(app)
    assert app.state == "public_notice"
    assert app.notice_starts_on == add_working_days(published_on, 1)
    assert app.notice_ends_on == add_working_days(published_on, 5)
    assert page.locator("button[data-transition=complete_notice]").count() == 0  # not before the notice ends
    shot(page, "3-public-notice")
    page.goto(f"{base}{reverse('institutions:notices')}")
    assert inst.name in page.locator("main").inner_text()

    # -- 6. the deadline sweep: not on the notice's last day, but 5 WD after it started -----------------------
    call_command("run_deadlines", as_of=app.notice_ends_on.isoformat(), stdout=io.StringIO())
    assert state(app) == "public_notice"
    completion_day = add_working_days(app.notice_starts_on, 5)
    call_command("run_deadlines", as_of=completion_day.isoformat(), stdout=io.StringIO())
    app = fresh(app)
    filing = Filing.objects.get(institution=inst)
    assert app.state == "approved" and filing.source_application_id == app.pk and filing.state == "active"
    assert re.fullmatch(r"S\d{12}", filing.number) and filing.valid_from == completion_day  # FIL-08/09

    # -- 7. the institution downloads its receipt (FIL-08) -----------------------------------------------------
    log_in(page, base, "inst_s")
    page.goto(f"{base}{reverse('institutions:application_detail', args=[app.pk])}")
    assert page.locator("strong.state-approved").count() == 1 and filing.number in page.content()
    shot(page, "4-approved")
    receipt = reverse("institutions:application_receipt", args=[app.pk])
    with page.expect_download() as info:
        page.click(f"a[href='{receipt}']")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    path = os.path.join(tempfile.mkdtemp(prefix="receipt-"), download.suggested_filename or "receipt.pdf")
    download.save_as(path)
    from pypdf import PdfReader

    reader = PdfReader(path)
    assert len(reader.pages) >= 1
    assert filing.number in "".join(p.extract_text() or "" for p in reader.pages)
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)

    # -- 8. the public directory lists it with its number (PUB-01) ----------------------------------------------
    submit(page, f"form[action='{reverse('logout')}'] button[type=submit]")
    page.goto(f"{base}{reverse('institutions:directory')}")
    page.fill("input[name=number]", filing.number)
    submit(page, "form[role=search] button[type=submit]")
    rows = page.locator("table.directory tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert inst.name in text and filing.number in text and "汽车维修工" in text and inst.address in text
    assert rows.first.locator(f"a[href='{reverse('institutions:directory_detail', args=[filing.number])}']").count()
    shot(page, "5-directory")
