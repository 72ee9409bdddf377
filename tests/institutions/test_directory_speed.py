"""The directory's per-request shortcuts (PUB-01): the region rows of its search form come from the cache
until a region changes, and the cached total is keyed by the search's arguments, not by its compiled SQL."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from filing_portal.core.pagination import CachedCountPaginator
from filing_portal.regions.models import Region
from filing_portal.regions.reference_cache import ROWS_KEY
from filing_portal.regions.services import reference_data_load
from tests.institutions.test_public_pages import make_filing


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _region_select(html: str) -> str:
    return re.search(r'<select name="region".*?</select>', html, re.S).group(0)


def _page(response) -> str:
    """The page without its CSRF token (masked afresh on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _get(client, params=None, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/directory/", params or {}, **headers)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_a_renamed_region_shows_its_new_name_on_the_next_request__PUB_01(client, regions):
    _get(client)
    assert cache.get(ROWS_KEY) is not None
    hefei = Region.objects.get(code="340100")
    hefei.name = "新合肥市"
    hefei.save()
    select = _region_select(_get(client)[0].content.decode())
    assert '<option value="340100">新合肥市</option>' in select
    assert "合肥市</option>" not in select.replace("新合肥市", "")

    anhui = Region.objects.get(code="340000")
    anhui.name = "皖省"
    anhui.save(update_fields=["name"])
    select = _region_select(_get(client)[0].content.decode())
    assert '<optgroup label="皖省">' in select and "皖省（全省）" in select


def test_a_deleted_region_leaves_the_select__PUB_01(client, regions):
    _get(client)
    Region.objects.create(code="349900", name="测试市", level=Region.Level.CITY, province=regions["340000"],
                          filing_city_code="98")
    assert "测试市" in _region_select(_get(client)[0].content.decode())
    Region.objects.get(code="349900").delete()
    assert "测试市" not in _region_select(_get(client)[0].content.decode())


def test_reloading_the_reference_data_refreshes_the_select__PUB_01(client, regions):
    _get(client)
    Region.objects.filter(code="340100").update(name="旧名")  # bypasses the signals: the cache still says 合肥市
    assert "旧名" not in _region_select(_get(client)[0].content.decode())
    reference_data_load()  # puts 合肥市 back, row by row
    select = _region_select(_get(client)[0].content.decode())
    assert '<option value="340100">合肥市</option>' in select and "旧名" not in select


def test_a_warm_directory_page_runs_one_query_fewer__PUB_01(client, regions):
    cold_response, cold = _get(client)
    warm_response, warm = _get(client)
    assert warm == cold - 1
    assert _page(warm_response) == _page(cold_response)  # the same page, from the cached rows


def test_the_select_is_the_same_with_and_without_the_cache__PUB_01(client, regions, monkeypatch):
    cached = _region_select(_get(client)[0].content.decode())
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)  # Redis down reads as a miss
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: None)
    uncached, queries = _get(client)
    assert _region_select(uncached.content.decode()) == cached
    assert queries == _get(client)[1]  # every request runs the query, none fails


@pytest.mark.parametrize(("language", "all_regions", "whole_province"), [
    ("en", "All regions", "安徽省 (whole province)"),
    ("zh-hans", "全部地区", "安徽省（全省）"),
])
def test_labels_follow_the_language_with_the_cache_warm__PUB_01(regions, language, all_regions, whole_province):
    other = "zh-hans" if language == "en" else "en"
    _get(Client(HTTP_ACCEPT_LANGUAGE=other))  # warmed in the other language
    response, queries = _get(Client(HTTP_ACCEPT_LANGUAGE=language))
    select = _region_select(response.content.decode())
    assert f'<option value="" selected>{all_regions}</option>' in select
    assert f'<option value="340000">{whole_province}</option>' in select
    assert f'<option value="340000">{"安徽省（全省）" if language == "en" else "安徽省 (whole province)"}' not in select


def test_two_searches_do_not_share_a_cached_total__PUB_01(client, people, occupations, monkeypatch):
    monkeypatch.setattr(CachedCountPaginator, "CACHE_FROM", 1)  # keep every total
    make_filing(people["inst"], occupations)  # Hefei
    make_filing(people["employer"], occupations)  # Wuhu
    make_filing(people["other"], occupations)  # Hefei
    totals = {region: _get(client, {"region": region})[0].context["page"].paginator.count
              for region in ("340100", "340200", "340000")}
    assert totals == {"340100": 2, "340200": 1, "340000": 3}
    # The same search again takes its total from the cache: no COUNT query, the same number.
    response, _queries = _get(client, {"region": "340100"})
    assert response.context["page"].paginator.count == 2
    with CaptureQueriesContext(connection) as ctx:
        client.get("/directory/", {"region": "340100", "page": "1"})
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # Different arguments, different key (the level and the name search are in it too).
    assert _get(client, {"region": "340100", "level": "3"})[0].context["page"].paginator.count == 2
    assert _get(client, {"region": "340100", "q": "另一家"})[0].context["page"].paginator.count == 1


def test_the_public_api_keys_its_total_by_the_search__PUB_01(api_client, people, occupations, monkeypatch):
    monkeypatch.setattr(CachedCountPaginator, "CACHE_FROM", 1)
    make_filing(people["inst"], occupations)
    make_filing(people["employer"], occupations)
    url = "/api/v1/public/institutions/"
    assert api_client.get(url, {"region": "340100"}).json()["count"] == 1
    assert api_client.get(url, {"region": "340200"}).json()["count"] == 1
    assert api_client.get(url, {"region": "340000"}).json()["count"] == 2
    assert api_client.get(url).json()["count"] == 2
    make_filing(people["other"], occupations)
    assert api_client.get(url, {"region": "340000"}).json()["count"] == 2  # kept for a minute
    assert len(api_client.get(url, {"region": "340000"}).json()["results"]) == 3  # the rows never are


def test_a_count_key_replaces_the_sql_key(regions, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(CachedCountPaginator, "CACHE_FROM", 1)
    cities = Region.objects.filter(level=Region.Level.CITY)
    provinces = Region.objects.filter(level=Region.Level.PROVINCE)
    n_cities = cities.count()
    assert CachedCountPaginator(cities, 10, count_key="a").count == n_cities
    with django_assert_num_queries(0):
        # The key is the caller's promise that the query is the same; so the same key, the same total.
        assert CachedCountPaginator(provinces, 10, count_key="a").count == n_cities
    assert CachedCountPaginator(provinces, 10, count_key="b").count == provinces.count()
    assert CachedCountPaginator(provinces, 10).count == provinces.count()  # no key: by the SQL, as before


@pytest.mark.parametrize("few", [4000, 1])
def test_an_occupation_search_finds_the_same_filings_by_literal_ids_or_by_subquery__PUB_01(
        people, occupations, monkeypatch, few):
    """public_directory passes the filings of the searched occupations as literal ids when there are at most
    FEW_FILINGS of them, and a subquery otherwise: the same rows, in the same order, either way; and the
    listing's columns are the ones the page and the API show."""
    from institutions import selectors

    monkeypatch.setattr(selectors, "FEW_FILINGS", few)
    car = make_filing(people["inst"], occupations, scope=(("4-12-01-01", "", (3, 4)),))
    both = make_filing(people["employer"], occupations, scope=(("4-12-01-01", "", (4,)), ("6-18-01-01", "", (5,))))
    make_filing(people["other"], occupations, scope=(("6-18-01-01", "", (5,)),))
    found = selectors.public_directory(occupation="4-12-01-01", listing=True)
    assert sorted(f.pk for f in found) == sorted([car.pk, both.pk])
    assert [f.pk for f in found] == [f.pk for f in selectors.public_directory(occupation="4-12-01-01")]
    assert [f.pk for f in selectors.public_directory(occupation="4-12-01-01", level=4, listing=True)] == \
        [f.pk for f in found]
    assert [f.pk for f in selectors.public_directory(occupation="4-12-01-01", level=3, listing=True)] == [car.pk]
    row = found[0]
    assert set(row.get_deferred_fields()) >= {"suspension_reason", "revocation_reason"}
    assert not {"number", "state", "valid_from", "expires_on"} & row.get_deferred_fields()
