"""Public disclosures (PUB-02): revocations, suspensions, terminations, stop orders and draw results."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from institutions.models import Announcement
from institutions.services.filings import filing_revoke, filing_suspend, stop_order_record
from supervision.models import Draw
from tests.assessments.conftest import filing  # noqa: F401
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

D = dt.date.fromisoformat


@pytest.fixture
def published(filing, people, regions):  # noqa: F811
    with on("2026-04-10"):
        filing_suspend(filing=filing, reason="考场视频缺失，责令整改", acting_user=people["city_hefei"])
    with on("2026-05-10"):
        filing_revoke(filing=filing, reason="整改逾期", acting_user=people["city_hefei"])
    with on("2026-05-12"):
        stop_order_record(name="芜湖某无证培训点", region=regions["340200"], facts="擅自开展评价并发证",
                          acting_user=people["city_wuhu"])
    Announcement.objects.create(kind="termination", institution=people["other"], title="备案终止：合肥另一家评价机构",
                                body="机构主动终止备案", published_on=D("2026-05-01"))
    Announcement.objects.create(kind="filed", institution=people["inst"], filing=filing, title="not a disclosure",
                                body="x", published_on=D("2026-05-20"))
    draw = Draw.objects.create(reference="CJ-2026-000001", title="2026年第一批双随机抽查", region=regions["340100"],
                               state="results_published", sample_size=1, created_by=people["city_hefei"],
                               population=[filing.number, "S3401000099"],
                               selection=[{"filing_number": filing.number, "team": ["D001", "D002"]}],
                               results_published_on=D("2026-05-15"))
    return {"draw": draw}


def test_the_page_lists_every_kind_newest_first__PUB_02(client, published, filing):  # noqa: F811
    page = client.get(reverse("supervision:disclosures"))
    assert page.status_code == 200
    text = page.content.decode()
    order = ["2026-05-15", "2026-05-12", "2026-05-10", "2026-05-01", "2026-04-10"]
    assert [text.index(f'datetime="{d}"') for d in order] == sorted(text.index(f'datetime="{d}"') for d in order)
    for needle in ("考场视频缺失，责令整改", "整改逾期", "芜湖某无证培训点", "机构主动终止备案", "2026年第一批双随机抽查",
                   filing.number):
        assert needle in text
    assert "not a disclosure" not in text


def test_api_filters_by_kind_and_region__PUB_02(published, filing):  # noqa: F811
    client = APIClient()
    body = client.get("/api/v1/public/disclosures/").json()
    assert body["count"] == 5
    assert [(r["kind"], r["date"]) for r in body["results"]] == [
        ("draw_results", "2026-05-15"), ("stop_order", "2026-05-12"), ("revocation", "2026-05-10"),
        ("termination", "2026-05-01"), ("suspension", "2026-04-10")]
    revocation = body["results"][2]
    assert revocation["institution_name"] == "合肥新华职业技能评价中心" and revocation["filing_number"] == filing.number
    assert "整改逾期" in revocation["text"]
    draw = body["results"][0]
    assert draw["reference"] == "CJ-2026-000001" and filing.number in draw["text"]
    stop = client.get("/api/v1/public/disclosures/", {"kind": "stop_order"}).json()
    assert [r["institution_name"] for r in stop["results"]] == ["芜湖某无证培训点"]
    wuhu = client.get("/api/v1/public/disclosures/", {"region": "340200"}).json()
    assert [r["kind"] for r in wuhu["results"]] == ["stop_order"]
    hefei = client.get("/api/v1/public/disclosures/", {"region": "340100"}).json()
    assert {r["kind"] for r in hefei["results"]} == {"draw_results", "revocation", "termination", "suspension"}
    assert client.get("/api/v1/public/disclosures/", {"region": "340000"}).json()["count"] == 5  # the province
    assert client.get("/api/v1/public/disclosures/", {"region": "999999"}).json()["count"] == 0


def test_api_pages_through_the_merged_list(published, people):  # noqa: F811
    for i in range(60):
        Announcement.objects.create(kind="suspension", institution=people["other"], title=f"整改{i}", body="x",
                                    published_on=D("2026-03-01") + dt.timedelta(days=i % 20))
    client = APIClient()
    first = client.get("/api/v1/public/disclosures/").json()
    second = client.get("/api/v1/public/disclosures/", {"page": 2}).json()
    assert first["count"] == 65 and len(first["results"]) == 50 and len(second["results"]) == 15
    dates = [r["date"] for r in first["results"] + second["results"]]
    assert dates == sorted(dates, reverse=True)


def test_a_draw_links_to_its_public_page_when_it_exists(published):
    """The draws module names the public draw page `supervision:public_draw`; until it exists nothing is linked."""
    from django.urls import NoReverseMatch

    try:
        expected = reverse("supervision:public_draw", kwargs={"reference": "CJ-2026-000001"})
    except NoReverseMatch:
        expected = ""
    body = APIClient().get("/api/v1/public/disclosures/", {"kind": "draw_results"}).json()
    assert [r["link"] for r in body["results"]] == [expected]
