"""The case pages: staff queue, opening a case, the case with its actions and timeline, the notice PDF, the
institution's own cases and its rectification (SUP-03…06, JUR-03)."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from supervision.cases import case_decide, case_open
from supervision.models import Case
from tests.supervision.fixtures import (  # noqa: F401
    draft,
    filing,
    investigating_case,
    occupations,
    on,
    people,
    regions,
)

D = dt.date.fromisoformat


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _tier2(filing, people):  # noqa: F811
    case = investigating_case(filing, people["city_hefei"])
    with on("2026-05-06"):
        return case_decide(case=case, tier="tier2", article="22.3", decision="拒不接受日常督导",
                           acting_user=people["city_hefei"])


def test_the_queue_lists_proposals_first_within_jurisdiction__JUR_03(filing, people):  # noqa: F811
    staff_case = investigating_case(filing, people["city_hefei"], summary="人工立案")
    with on("2026-05-07"):
        proposal = case_open(institution=filing.institution, filing=filing, region=filing.handling_region,
                             origin="detection", summary="一年未开展评价", proposed=True, proposed_tier="tier2",
                             detection="inactive_1y", detection_key="k")
    page = client(people["city_hefei"]).get(reverse("supervision:cases"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(proposal.reference) < html.index(staff_case.reference)
    filtered = client(people["city_hefei"]).get(reverse("supervision:cases"), {"state": "investigating"})
    assert staff_case.reference in filtered.content.decode()
    assert proposal.reference not in filtered.content.decode()
    assert proposal.reference not in client(people["city_wuhu"]).get(reverse("supervision:cases")).content.decode()
    assert client(people["inst_user"]).get(reverse("supervision:cases")).status_code == 403
    assert client(people["city_wuhu"]).get(reverse("supervision:case_detail", args=[proposal.pk])).status_code == 404


def test_open_a_case_keeps_the_input_on_errors(filing, people):  # noqa: F811
    c = client(people["city_hefei"])
    response = c.post(reverse("supervision:case_new"), {"summary": "现场检查发现考场混乱"})
    assert response.status_code == 400 and "现场检查发现考场混乱" in response.content.decode()
    response = c.post(reverse("supervision:case_new"), {"filing": filing.pk, "summary": "现场检查发现考场混乱"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:case_detail", args=[case.pk])
    assert (case.state, case.filing, case.opened_by) == ("open", filing, people["city_hefei"])


def test_a_refused_decision_shows_its_rule_and_keeps_the_input__SUP_04(filing, people):  # noqa: F811
    case = investigating_case(filing, people["city_hefei"])
    c = client(people["city_hefei"])
    page = c.get(reverse("supervision:case_detail", args=[case.pk]))
    assert 'data-transition="decide"' in page.content.decode()
    url = reverse("supervision:case_action", args=[case.pk, "decide"])
    with on("2026-05-06"):
        response = c.post(url, {"decide-tier": "tier2", "decide-article": "21.1", "decide-decision": "责令限期整改"})
    html = response.content.decode()
    assert response.status_code == 409 and "SUP-04" in html and "责令限期整改" in html
    with on("2026-05-06"):
        response = c.post(url, {"decide-tier": "tier2", "decide-article": "22.3", "decide-decision": "责令限期整改"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.article) == ("decided", "22.3")
    html = c.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert case.notice_number in html and "2026-06-02" in html
    assert "责令限期整改" in html and 'class="timeline"' in html  # the decision, and the history under it


def test_the_notice_pdf_for_staff_and_the_institution_only__SUP_04(filing, people):  # noqa: F811
    case = _tier2(filing, people)
    url = reverse("supervision:case_notice_pdf", args=[case.pk])
    for user in (people["city_hefei"], people["inst_user"]):
        response = client(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and case.notice_number in response["Content-Disposition"]
    assert client(people["other_user"]).get(url).status_code == 404
    assert client(people["city_wuhu"]).get(url).status_code == 404


def test_the_institution_sees_its_decided_cases_and_submits_the_rectification__SUP_04(filing, people):  # noqa: F811
    pending = investigating_case(filing, people["city_hefei"], summary="尚在调查")
    case = _tier2(filing, people)
    c = client(people["inst_user"])
    html = c.get(reverse("supervision:my_cases")).content.decode()
    assert case.reference in html and pending.reference not in html
    assert c.get(reverse("supervision:my_case_detail", args=[pending.pk])).status_code == 404
    detail = reverse("supervision:my_case_detail", args=[case.pk])
    page = c.get(detail).content.decode()
    assert case.notice_number in page and reverse("supervision:case_notice_pdf", args=[case.pk]) in page
    with on("2026-05-20"):
        assert c.post(detail, {"rectification-report": " "}).status_code == 400
        response = c.post(detail, {"rectification-report": "已建立督导配合制度"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.rectification_report) == ("rectification_submitted", "已建立督导配合制度")
    assert client(people["other_user"]).get(detail).status_code == 404
    assert client(people["city_hefei"]).get(reverse("supervision:my_cases")).status_code == 403
