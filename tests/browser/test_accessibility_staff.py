"""In a real browser: axe-core finds no serious or critical accessibility violation on the staff pages (issue 9).

The demo scenario (`seed_demo`: every kind of object in the Hefei office's jurisdiction) is loaded once per
test; the city office's staff user then opens every staff page that answers a GET without parameters, and the
detail page of one object of each kind. The harness (axe-core from tools/axe, served same-origin for the CSP)
is the one of tests/browser/test_accessibility.py; a serious or critical violation fails with its rule id,
targets and help URL.
"""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import pytest
from django.core.management import call_command

from assessments.selectors import batches_visible_to
from certificates.models import Certificate
from filing_portal.accounts.models import User
from filing_portal.notifications.models import Notification
from institutions.models import Filing
from institutions.selectors import applications_visible_to, filings_visible_to
from renewals.selectors import renewals_visible_to
from renewals.services import renewal_application_start, renewal_submit, renewal_update
from supervision.complaints import complaints_visible_to
from supervision.draws import draws_visible_to
from supervision.inspections import inspection_create, inspections_visible_to
from supervision.models import InspectorProfile
from supervision.selectors import cases_visible_to
from tests.browser.test_accessibility import _fresh_rate_limits, audit, axe_check, axe_page  # noqa: F401
from tests.browser.test_batch_journey import PASSWORD, log_in
from tests.browser.test_smoke import page  # noqa: F401  (the same chromium launch, flags and fresh profile)
from tests.renewals.fixtures_app import SUMMARY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every staff page that opens with a plain GET (forms included: their empty state is what staff see first).
STAFF_LISTS = [
    "/", "/staff/applications/", "/staff/filings/", "/staff/stop-orders/", "/staff/batches/",
    "/staff/batches/exports/", "/staff/renewals/", "/staff/supervision/", "/staff/supervision/draws/",
    "/staff/supervision/draws/new/", "/staff/supervision/inspections/", "/staff/supervision/inspections/new/",
    "/staff/supervision/cases/", "/staff/supervision/cases/new/", "/staff/supervision/complaints/",
    "/certificates/", "/verify/batch/", "/staff/calendar/", "/notifications/",
    "/announcements/",
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--force", "--password", PASSWORD)
    staff = User.objects.get(username="city_hefei")
    window = Filing.objects.get(institution__name="合肥匠心职业技能评价中心")  # in its renewal window (demo)
    applicant = User.objects.get(username="inst_window")
    renewal = renewal_application_start(filing=window, acting_user=applicant)
    renewal_update(application=renewal, acting_user=applicant, pledge_accepted=True,
                   shortfall_explanation="部分批次延期", **SUMMARY)
    renewal_submit(application=renewal, acting_user=applicant)
    inspection_create(kind="special", acting_user=staff, filing=window,  # one still open: its record form
                      team=list(InspectorProfile.objects.filter(region=staff.region, employer__isnull=True)[:2]))
    Notification.objects.create(user=staff, key="a11y-staff-unread", title="待审核申请", body="请审核",
                                url="/staff/applications/")  # the unread badge in the navigation
    return staff


def first(queryset, **lookups):
    found = queryset.filter(**lookups).order_by("pk").first()
    assert found is not None, (queryset.model.__name__, lookups)
    return found


def city_detail_paths(staff) -> list[str]:
    """One object of each kind the city office handles (found through the apps' own visibility selectors)."""
    application = first(applications_visible_to(staff), state="initial_review")  # with the review actions
    filing = first(filings_visible_to(staff), state="active")
    batch = first(batches_visible_to(staff), state="results_reported")
    renewal = first(renewals_visible_to(staff), state="submitted")
    case = first(cases_visible_to(staff))
    planned = first(inspections_visible_to(staff), outcome="pending", kind="special")
    complaint = first(complaints_visible_to(staff))
    certificate = first(Certificate.objects, batch__handling_region=staff.region)
    return [
        f"/staff/applications/{application.pk}/", f"/staff/filings/{filing.pk}/", f"/staff/batches/{batch.pk}/",
        f"/staff/renewals/{renewal.pk}/", f"/staff/supervision/cases/{case.pk}/",
        f"/staff/supervision/inspections/{planned.pk}/", f"/staff/supervision/complaints/{complaint.pk}/",
        f"/staff/supervision/institutions/{filing.institution_id}/file/",
        f"/staff/institutions/{filing.institution_id}/ledger/", f"/certificates/{certificate.pk}/",
    ]


def province_paths(staff) -> list[str]:
    """The province runs the double-random draw (its inspections recorded, one failed) and the final review."""
    draw = first(draws_visible_to(staff))
    failed = first(inspections_visible_to(staff), outcome="fail")
    application = first(applications_visible_to(staff), state="comprehensive_review")
    return ["/", "/staff/supervision/", "/staff/applications/", f"/staff/applications/{application.pk}/",
            f"/staff/supervision/draws/{draw.pk}/", f"/staff/supervision/inspections/{failed.pk}/"]


DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll("[id]").forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


def audit_staff(page, base, paths):
    """The shared axe audit, and no id twice on a page (axe only flags that for review, yet a label `for` a
    duplicated id names the wrong field for a screen reader)."""
    problems = []
    for path in paths:
        problems += audit(page, base, [path])
        problems += [f"{path}: duplicate id {dup!r}" for dup in page.evaluate(DUPLICATE_IDS)]
    return problems


def test_staff_pages_have_no_serious_violations(axe_page, live_server, demo):
    """Every staff list and form of the city office, one object of each kind, and the province's own pages."""
    city, province = demo, User.objects.get(username="province_ah")
    log_in(axe_page, live_server.url, city.username)
    assert axe_page.locator(".site-nav .badge").inner_text().startswith("1")
    problems = audit_staff(axe_page, live_server.url, STAFF_LISTS + city_detail_paths(city))
    axe_page.goto(f"{live_server.url}/api/docs/")  # Swagger UI: checked once it has drawn the operations
    axe_page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    problems += axe_check(axe_page, live_server.url, "/api/docs/")
    log_in(axe_page, live_server.url, province.username)
    problems += audit_staff(axe_page, live_server.url, province_paths(province))
    assert not problems, "\n".join(problems)
