"""The public directory's paginator (PUB-01, issue 8): big totals come from the cache for a minute, small ones
are counted every time, and a page always shows every row that matches now."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from filing_portal.core.pagination import CachedCountPaginator
from filing_portal.regions.models import Region


@pytest.fixture
def regions(db):
    cache.clear()
    province = Region.objects.create(code="990000", name="测试省", level=Region.Level.PROVINCE, filing_city_code="00")
    return province


def _cities(province, n, start=0):
    Region.objects.bulk_create([Region(code=f"99{start + i + 1:04d}", name=f"市{start + i}", level=Region.Level.CITY, filing_city_code=f"{start + i + 1:02d}",
                                       province=province) for i in range(n)])


def test_a_big_total_is_kept_a_small_one_is_counted_every_time__PUB_01(regions, monkeypatch,
                                                                       django_assert_num_queries):
    monkeypatch.setattr(CachedCountPaginator, "CACHE_FROM", 5)
    qs = Region.objects.filter(province=regions).order_by("code")
    _cities(regions, 3)
    assert CachedCountPaginator(qs, 2).count == 3
    _cities(regions, 3, start=3)
    assert CachedCountPaginator(qs, 2).count == 6  # 3 was below CACHE_FROM: counted again, exact
    _cities(regions, 1, start=6)
    paginator = CachedCountPaginator(qs, 2)
    with django_assert_num_queries(0):
        assert paginator.count == 6  # kept: up to a minute old
    last = paginator.page(3)
    assert [r.code for r in last.object_list] == ["990005", "990006"]
    cache.clear()
    assert CachedCountPaginator(qs, 2).count == 7


def test_a_page_is_not_cut_short_by_an_older_total__PUB_01(regions, monkeypatch):
    monkeypatch.setattr(CachedCountPaginator, "CACHE_FROM", 1)
    qs = Region.objects.filter(province=regions).order_by("code")
    _cities(regions, 1)
    assert CachedCountPaginator(qs, 50).count == 1
    _cities(regions, 2, start=1)
    page = CachedCountPaginator(qs, 50).page(1)
    assert page.paginator.count == 1 and len(page.object_list) == 3  # every row that matches now
