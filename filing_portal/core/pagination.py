"""The API's pagination (its own module: DRF imports it while `rest_framework.generics` is loading)."""

import hashlib
from functools import partial

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


def search_count_key(list_name: str, search: dict) -> str:
    """A `count_key` from a search's arguments: same list and arguments, same query, same total."""
    return f"{list_name}:{sorted(search.items())!r}"


class CachedCountPaginator(Paginator):
    """A paginator whose total is kept in the cache for `COUNT_SECONDS`, keyed by `count_key` if the caller
    gives one (cheap: the search's arguments, see `search_count_key`), else by the query's SQL.

    For public lists only (the directory, PUB-01): counting every match of a province-wide search was a
    fifth of a directory request (docs/PERFORMANCE.md). Only totals of `CACHE_FROM` or more are kept, and
    a total up to a minute old changes nothing but the number of pages offered; the rows are always read
    fresh and a page is never cut short by the total.
    """

    COUNT_SECONDS = 60
    CACHE_FROM = 500  # smaller totals are cheap to count and exact: a new filing shows in "1 of 3" at once

    def __init__(self, object_list, per_page, *args, count_key: str | None = None, **kwargs):
        # count_key must tell apart everything that changes the query: compiling the SQL only for a key
        # was a tenth of a directory request.
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_key = count_key

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
        if self.count_key is not None:
            # Hashed: a search may hold spaces or be long, which cache keys should not; "k:" keeps the two
            # kinds of key apart.
            digest = "k:" + hashlib.sha256(self.count_key.encode()).hexdigest()[:32]
        else:
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
    """PortalPagination with `CachedCountPaginator`: the public directory API. A view with a `count_key()`
    method gives the paginator its key (one pagination instance per request, so setting it here is safe)."""

    django_paginator_class = CachedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        count_key = getattr(view, "count_key", None)
        if count_key is not None:
            self.django_paginator_class = partial(CachedCountPaginator, count_key=count_key())
        return super().paginate_queryset(queryset, request, view)
