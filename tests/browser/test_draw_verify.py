"""In a real browser: the public draw page re-runs the draw with static/js/draw-verify.js (SUP-01).

The draw is defined, committed and run by the office's services in the test thread; the public page then
recomputes it from the revealed seed with SubtleCrypto and BigInt and must report "match" for the commitment
and the selection, and "mismatch" for a pasted seed that is not the committed one. The JavaScript
implementation is also checked against the Python one on a larger fixed vector. Elements are found by id
and data attributes.
"""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import json

import pytest
from django.core.cache import cache

from filing_portal.core import clock
from supervision.draws import draw_commit, draw_compute, draw_create, draw_run
from tests.browser.test_batch_journey import BusinessCalendar
from tests.browser.test_smoke import page  # noqa: F401  (the same chromium launch, flags and fresh profile)
from tests.supervision.conftest_draws import office  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def calendar(monkeypatch):
    business = BusinessCalendar("2026-03-02")
    monkeypatch.setattr(clock, "today", business.today)
    return business


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def rerun(page, seed):
    page.fill("#draw-verify-seed", seed)
    page.locator("#draw-verify-run").click()
    page.wait_for_selector("#draw-verify-result[data-commitment]")
    result = page.locator("#draw-verify-result")
    return result.get_attribute("data-commitment"), result.get_attribute("data-selection")


def test_public_page_reruns_the_draw_in_the_browser__SUP_01(page, live_server, office, calendar):
    staff = office["staff"]
    draw = draw_create(title="2026年第一季度双随机抽查", sample_size=3, team_size=2, inspectors=office["inspectors"],
                       acting_user=staff)
    draw = draw_commit(draw=draw, acting_user=staff)
    calendar.set("2026-03-09")
    draw = draw_run(draw=draw, acting_user=staff)

    page.goto(f"{live_server.url}/supervision/draws/{draw.reference}/")
    assert page.locator("#draw-verify-seed").input_value() == draw.seed
    assert rerun(page, draw.seed) == ("match", "match")
    computed = page.locator("#draw-verify-result .draw-verify-computed li").all_inner_texts()
    assert [line.split(" ")[0] for line in computed] == [s["filing_number"] for s in draw.selection]

    other = ("0" if draw.seed[0] != "0" else "1") + draw.seed[1:]
    commitment, selection = rerun(page, other)
    assert commitment == "mismatch" and selection in ("match", "mismatch")
    assert rerun(page, "not-a-seed")[0] == "invalid"

    # the browser's implementation agrees with the server's on a larger vector
    data = {"population": [f"S0000340100{i:02d}" for i in range(40)],
            "pool": [f"HF{i:02d}" for i in range(12)],
            "exclusions": {"S000034010003": ["HF01", "HF05"], "S000034010017": ["HF00"]},
            "sample_size": 15, "team_size": 3}
    seed = "3f" * 32
    in_browser = page.evaluate(f"window.drawVerify.compute({json.dumps(seed)}, {json.dumps(data)})")
    assert in_browser == draw_compute(seed, data["population"], data["pool"], data["exclusions"],
                                      data["sample_size"], data["team_size"])
