"""The API's pagination (its own module: DRF imports it while `rest_framework.generics` is loading)."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]: 50 a page, `?page_size=` up to 200 (a client that syncs
    a register takes fewer, bigger pages; tests/perf proves the query count does not grow with it)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CachedCountPaginator(Paginator):
    """A paginator whose total is kept in the cache for `COUNT_SECONDS`, keyed by the query's SQL.

    For public lists only (the directory, PUB-01): counting every match of a province-wide search was a
    fifth of a directory request (docs/PERFORMANCE.md). Only totals of `CACHE_FROM` or more are kept, and
    a total up to a minute old changes nothing but the number of pages offered; the rows are always read
    fresh and a page is never cut short by the total.
    """

    COUNT_SECONDS = 60
    CACHE_FROM = 500  # smaller totals are cheap to count and exact: a new filing shows in "1 of 3" at once

    def page(self, number):
        # The slice does not stop at the (possibly older) total: every row that matches now is shown.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:
            return 0
        digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
        key = f"pagecount:{self.object_list.model._meta.label_lower}:{digest}"
        total = cache.get(key)
        if total is None:
            total = self.object_list.count()
            if total >= self.CACHE_FROM:
                cache.set(key, total, self.COUNT_SECONDS)
        return total


class CachedCountPagination(PortalPagination):
    """PortalPagination with `CachedCountPaginator`: the public directory API."""

    django_paginator_class = CachedCountPaginator
