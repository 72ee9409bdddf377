"""The supervision demo scenario (issue 6 item 11): the inspector pool, a published draw anyone can re-run,
complaints, one case of each tier and a proposed one; seeded twice, present once."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from filing_portal.accounts.models import User
from filing_portal.audit.services import audit_verify_chain
from filing_portal.core import clock
from institutions.models import Announcement, Filing
from supervision.detections import detect_inactive_filings
from supervision.draws import draw_verify
from supervision.models import Case, Complaint, Draw, Inspection, InspectorProfile
from supervision.selectors import termination_cases


def _counts() -> dict:
    return {"inspectors": InspectorProfile.objects.count(), "draws": Draw.objects.count(),
            "inspections": Inspection.objects.count(), "complaints": Complaint.objects.count(),
            "cases": Case.objects.count(), "filings": Filing.objects.count(),
            "announcements": Announcement.objects.count()}


@pytest.mark.django_db
def test_seed_demo_shows_the_supervision_scenario_once__SUP_01_SUP_02_SUP_03_SUP_04_SUP_05_SUP_06(client):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", "--force", "--password", "Other-pass-2468", stdout=io.StringIO())
    assert _counts() == first  # the second run adds nothing
    today = clock.today()

    # the pool: inspector1 and five more in Anhui, DD-0001…DD-0006, one employed by a filed institution
    pool = InspectorProfile.objects.select_related("user", "region", "employer")
    assert sorted(p.code for p in pool) == [f"DD-000{n}" for n in range(1, 7)]
    assert {p.region.code for p in pool} == {"340000"} and {p.user.role for p in pool} == {"inspector"}
    assert pool.get(code="DD-0001").user.username == "inspector1"
    assert authenticate(username="inspector6", password="Other-pass-2468") is not None  # the demo password
    conflicted = pool.get(employer__isnull=False)

    # SUP-01: one draw, results published, re-running its revealed seed gives the published selection
    draw = Draw.objects.get()
    assert draw.state == "results_published" and draw.results_published_on < today
    assert len(draw.population) >= 4 and len(draw.selection) == draw.sample_size
    assert draw_verify(draw, draw.seed) == {"commitment_matches": True, "selection_matches": True,
                                            "selected": draw.selection}
    employer_number = Filing.objects.get(institution=conflicted.employer).number
    assert draw.exclusions[employer_number] == [conflicted.code]
    for item in draw.selection:
        assert item["filing_number"] not in draw.exclusions or conflicted.code not in item["team"]
    outcomes = sorted(draw.inspections.values_list("outcome", flat=True))
    assert outcomes == ["fail"] + ["pass"] * (draw.sample_size - 1)
    failed = draw.inspections.get(outcome="fail")
    assert failed.findings.filter(compliant=False).count() >= 1 and failed.inspected_on < today

    # SUP-02: one complaint open within its response time, one answered
    received = Complaint.objects.get(status="received")
    assert received.received_on < today <= received.response_due and received.institution is not None
    answered = Complaint.objects.get(status="answered")
    assert answered.outcome == "substantiated" and answered.answered_on <= answered.response_due

    # SUP-03…05: one decided case of each tier, through the services
    tier1 = Case.objects.get(tier="tier1")
    assert (tier1.state, tier1.article[:3], tier1.origin) == ("closed", "21.", "complaint")
    assert tier1.interview_on and tier1.interviewee and tier1.interview_record
    assert answered.case == tier1
    tier2 = Case.objects.select_related("filing").get(tier="tier2")
    assert tier2.state == "decided" and tier2.notice_number and tier2.rectification_due > today
    assert tier2.filing.state == "suspended"
    assert tier2.filing.expansion_barred_until == tier2.filing.expires_on  # FJ23 Art.24
    tier3 = Case.objects.select_related("filing").get(tier="tier3")
    assert tier3.state == "closed" and tier3.filing.state == "revoked" and tier3.ban_until > today
    demo_filings = Filing.objects.filter(institution__users__username__in=["inst_s", "inst_y"])
    assert not demo_filings.filter(pk__in=[tier2.filing_id, tier3.filing_id]).exists()
    assert Filing.objects.get(institution__users__username="inst_s").state == "active"

    # SUP-06: one case proposed as the sweep proposes it, for staff to confirm or dismiss
    proposed = Case.objects.get(state="proposed")
    assert (proposed.origin, proposed.detection, proposed.proposed_tier) == (
        "detection", "inactive_1y", "tier2")
    assert proposed.detection_key.startswith(f"inactive_1y:{proposed.filing_id}:")
    window = Filing.objects.get(institution__name="合肥工匠职业培训学校")  # institutions' renewal-window filing
    assert not termination_cases(window).exists()  # REN-05: the demo leaves its renewal possible
    with clock.as_of(today):
        detect_inactive_filings(today)  # the real sweep finds the same filing and proposes nothing twice
    assert Case.objects.filter(filing=proposed.filing, detection="inactive_1y").count() == 1
    assert audit_verify_chain().ok

    # the pages show it: the public draw, and the staff queues of the demo's city office
    page = client.get(f"/supervision/draws/{draw.reference}/").content.decode()
    assert draw.seed in page and all(item["filing_number"] in page for item in draw.selection)
    client.force_login(User.objects.get(username="city_hefei"))
    cases = client.get("/staff/supervision/cases/").content.decode()
    assert all(c.reference in cases for c in (tier1, tier2, tier3, proposed))
    for case in (tier1, tier2, tier3, proposed):
        assert client.get(f"/staff/supervision/cases/{case.pk}/").status_code == 200
    assert received.ack_number in client.get("/staff/supervision/complaints/").content.decode()
