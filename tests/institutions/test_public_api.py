"""The public API under /api/v1/public/: directory (PUB-01, PUB-03), notices and objections (FIL-07, PUB-02),
announcements (PUB-02). No login, no token."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import FeeStandard, Objection
from institutions.services import filings as filing_services
from tests.factories import InstitutionFactory, make_uscc
from tests.institutions import test_public_pages as pages
from tests.institutions.conftest import on
from tests.institutions.test_workflow import walk_to_notice

# The pages' fixtures, shared without a conftest of our own.
_fresh_rate_limits, filed, wuhu_filing = pages._fresh_rate_limits, pages.filed, pages.wuhu_filing
FILED_NUMBER, make_filing = pages.FILED_NUMBER, pages.make_filing

DIRECTORY = "/api/v1/public/institutions/"


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["filing_number"] for row in response.json()["results"]}


def test_filed_institution_in_the_public_api__PUB_01_PUB_03(api_client, filed, people):
    FeeStandard.objects.create(institution=people["inst"], item="汽车维修工理论考试费", level=4,
                               amount_yuan=Decimal("300.00"), basis="皖价费〔2025〕12号")
    response = api_client.get(DIRECTORY)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["filing_number"] == FILED_NUMBER
    assert row["name"] == "合肥新华职业技能评价中心" and row["kind"] == "S"
    assert row["address"] == "合肥市蜀山区长江西路100号" and row["head"] == "李所长"
    assert row["region"] == {"code": "340100", "name": "合肥市"}
    assert row["status"] == "active"
    assert (row["valid_from"], row["expires_on"]) == ("2026-03-10", "2029-03-09")
    assert sorted((s["code"], s["work_type"], s["level"]) for s in row["scope"]) == [
        ("4-12-01-01", "汽车机械维修工", 3), ("4-12-01-01", "汽车机械维修工", 4), ("4-12-01-01", "汽车机械维修工", 5)]
    assert row["fee_standards"] == [{"item": "汽车维修工理论考试费", "level": 4, "amount_yuan": "300.00",
                                     "basis": "皖价费〔2025〕12号"}]


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "新华"}, {FILED_NUMBER}),
    ({"q": "芜湖"}, {"wuhu"}),
    ({"number": FILED_NUMBER}, {FILED_NUMBER}),
    ({"region": "340100"}, {FILED_NUMBER}),
    ({"region": "340000"}, {FILED_NUMBER, "wuhu"}),
    ({"occupation": "4-12-01-01"}, {FILED_NUMBER}),
    ({"occupation": "车工"}, {"wuhu"}),
    ({"level": "5"}, {FILED_NUMBER}),
    ({"level": "4"}, {FILED_NUMBER, "wuhu"}),
    ({"occupation": "6-18-01-01", "level": "5"}, set()),
])
def test_public_api_search__PUB_01(api_client, filed, wuhu_filing, params, expected):
    expected = {wuhu_filing.number if n == "wuhu" else n for n in expected}
    assert _numbers(api_client.get(DIRECTORY, params)) == expected


def test_public_api_needs_no_login_and_ignores_a_bad_token__PUB_01(api_client, filed):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert _numbers(api_client.get(DIRECTORY)) == {FILED_NUMBER}


def test_public_api_query_count_is_constant__PUB_01(api_client, people, occupations, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            institution = InstitutionFactory(region=people["inst"].region, uscc=make_uscc("340100"))
            make_filing(institution, occupations, scope=(("4-12-01-01", "", (3, 4)), ("6-18-01-01", "", (5,))))
            FeeStandard.objects.create(institution=institution, item="考试费", amount_yuan=100)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(DIRECTORY)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    add(5)
    small, rows = count()
    assert rows == 5
    add(20)
    with django_assert_max_num_queries(small):
        large, rows = count()
    assert (large, rows) == (small, 25)


def test_notices_api_and_objection__FIL_07_PUB_02(api_client, draft, people):
    app = walk_to_notice(draft, people)
    with on("2026-03-04"):
        notices = api_client.get("/api/v1/public/notices/").json()["results"]
        assert [(n["id"], n["institution"], n["notice_ends_on"]) for n in notices] == [
            (app.pk, "合肥新华职业技能评价中心", "2026-03-09")]
        assert notices[0]["occupations"][0]["levels"] == [3, 4, 5]
        response = api_client.post(f"/api/v1/public/notices/{app.pk}/objections/",
                                   {"contact": "a@example.cn", "content": "场地为临时租用"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "open"
    assert Objection.objects.get(application=app).contact == "a@example.cn"


def test_sixth_objection_is_refused_with_429_across_page_and_api__FIL_07(api_client, client, draft, people):
    """The page and the API count in the same scope: switching between them does not reset the limit."""
    app = walk_to_notice(draft, people)
    url = f"/api/v1/public/notices/{app.pk}/objections/"
    with on("2026-03-04"):
        for i in range(3):
            assert client.post(f"/notices/{app.pk}/", {"contact": f"1390000000{i}", "content": "异议"}).status_code \
                == 302
        for i in range(2):
            assert api_client.post(url, {"contact": f"1380000000{i}", "content": "异议"}, format="json") \
                .status_code == 201
        response = api_client.post(url, {"contact": "13700000000", "content": "第六条"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Objection.objects.filter(application=app).count() == 5


def test_revocation_in_the_announcements_api__PUB_02(api_client, filed, people):
    with on("2026-06-01"):
        filing_services.filing_revoke(filing=filed, reason="伪造考核记录", acting_user=people["city_hefei"])
    kinds = [a["kind"] for a in api_client.get("/api/v1/public/announcements/").json()["results"]]
    assert kinds[0] == "revocation" and "filed" in kinds
    [revocation] = api_client.get("/api/v1/public/announcements/", {"kind": "revocation"}).json()["results"]
    assert "伪造考核记录" in revocation["body"] and revocation["published_on"] == "2026-06-01"
    assert _numbers(api_client.get(DIRECTORY)) == set()  # PUB-01: the directory lists filings in force
