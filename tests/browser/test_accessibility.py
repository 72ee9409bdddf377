"""In a real browser: axe-core finds no serious or critical accessibility violation (issue 9 item 9).

Every public page and every page of the institution user is loaded in Debian's chromium and checked with
axe-core (pinned in tools/axe/package.json; `make sysdeps` runs `npm ci --prefix tools/axe`). The Content
Security Policy allows only 'self' scripts, so axe.min.js is served from a same-origin URL (`page.route`) and
added with a <script src>, never inline. A violation of impact serious or critical fails the test with its
rule id, targets and help URL; minor and moderate ones and axe's "needs review" findings are printed only.
"""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import pathlib

import pytest
from django.core.cache import cache

from filing_portal.core import clock
from filing_portal.notifications.models import Notification
from supervision.draws import draw_commit, draw_create, draw_run
from tests.assessments.conftest import filing, plan  # noqa: F401  (inst_s filed, active since 2026-03-10)
from tests.browser.test_batch_journey import BusinessCalendar, log_in
from tests.browser.test_smoke import page  # noqa: F401  (the same chromium launch, flags and fresh profile)
from tests.institutions.conftest import draft, make_draft, occupations, people, regions  # noqa: F401
from tests.supervision.conftest_draws import make_inspector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = pathlib.Path(__file__).resolve().parents[2] / "tools/axe/node_modules/axe-core/axe.min.js"
AXE_PATH = "/static/__axe__/axe.min.js"  # same origin as the page: allowed by script-src 'self'
FAILING = {"serious", "critical"}

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations", "incomplete"]});
  const brief = v => ({id: v.id, impact: v.impact, helpUrl: v.helpUrl,
                       targets: v.nodes.map(n => n.target.join(" "))});
  return {violations: results.violations.map(brief), incomplete: results.incomplete.map(brief)};
}"""


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


@pytest.fixture
def axe_page(page, live_server):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tools/axe` (make sysdeps does)")
    source = AXE.read_text(encoding="utf-8")
    page.route(f"{live_server.url}{AXE_PATH}",
               lambda route: route.fulfill(status=200, content_type="application/javascript", body=source))
    return page


def axe_check(page, base, path):
    """Run axe on the loaded page; print every finding, return the serious/critical violations as lines."""
    page.add_script_tag(url=f"{base}{AXE_PATH}")
    results = page.evaluate(RUN_AXE)
    problems = []
    for kind in ("violations", "incomplete"):
        for v in results[kind]:
            line = f"{path}: [{v['impact']}] {v['id']} {v['targets'][:5]} {v['helpUrl']}"
            print(f"axe {kind[:-1] if kind == 'violations' else 'needs review'}: {line}")
            if kind == "violations" and v["impact"] in FAILING:
                problems.append(line)
    return problems


def audit(page, base, paths):
    """Load each path (it must answer 200) and collect its serious/critical violations."""
    problems = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        problems += axe_check(page, base, path)
    return problems


@pytest.fixture
def published_draw(filing, people, calendar):
    staff = people["city_hefei"]
    inspectors = [make_inspector(f"HF{i:02d}", filing.handling_region) for i in range(1, 4)]
    draw = draw_create(title="2026年第二季度双随机抽查", sample_size=1, team_size=2, inspectors=inspectors,
                       acting_user=staff)
    draw = draw_commit(draw=draw, acting_user=staff)
    calendar.set("2026-04-08")
    return draw_run(draw=draw, acting_user=staff)


def test_public_pages_have_no_serious_violations(axe_page, live_server, filing, published_draw):
    paths = ["/directory/", f"/directory/{filing.number}/", "/verify/", "/notices/",
             "/supervision/disclosures/", "/supervision/complaints/new/", "/supervision/complaints/follow/",
             "/supervision/draws/", f"/supervision/draws/{published_draw.reference}/", "/accounts/login/"]
    problems = audit(axe_page, live_server.url, paths)
    assert not problems, "\n".join(problems)


def test_institution_pages_have_no_serious_violations(axe_page, live_server, filing, people, occupations,
                                                       calendar):
    batch = plan(filing, people, occupations)
    application = filing.institution.applications.order_by("pk").first()
    change = make_draft(people["inst"], occupations, kind="change", filing=filing)  # an editable form
    Notification.objects.create(user=people["inst_user"], key="a11y-unread", title="批次待提交", body="请提交计划",
                                url=f"/my/batches/{batch.pk}/")  # the unread badge in the navigation
    log_in(axe_page, live_server.url, people["inst_user"].username)
    assert axe_page.locator(".site-nav .badge").inner_text().startswith("1")
    paths = ["/", "/my/applications/", f"/my/applications/{application.pk}/",
             f"/my/applications/{change.pk}/edit/", "/my/batches/", f"/my/batches/{batch.pk}/",
             "/my/renewals/", "/my/supervision/file/", "/my/supervision/cases/", "/my/ledger/",
             "/notifications/"]
    problems = audit(axe_page, live_server.url, paths)
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_missing_label(axe_page, live_server, db):
    """The harness is not vacuous: a password field without its label is reported as critical (WCAG 4.1.2)."""
    axe_page.goto(f"{live_server.url}/accounts/login/")
    assert axe_check(axe_page, live_server.url, "/accounts/login/") == []
    axe_page.evaluate("document.querySelector(\"label[for='id_password']\").remove()")
    problems = axe_check(axe_page, live_server.url, "/accounts/login/ (label removed)")
    assert any("[critical] label ['#id_password']" in line for line in problems), problems
