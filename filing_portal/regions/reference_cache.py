"""The region rows every public search form lists, kept in the cache (reference data that almost never changes).

Only the rows are kept, never labels: "(whole province)" and "All regions" are translated per request in the
language the visitor reads. The key is dropped whenever a Region is saved or deleted (signals, connected in
`apps.py`; `reference_data_load` saves row by row, so it sends them too): at once, and again when the transaction
commits, so rows that another request read while the change was uncommitted do not outlive it.
A lost or unreachable cache only costs the query (filing_portal/core/cache.py reads Redis down as a miss).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from .models import Region

# v1: the shape of a row below; bump it when the shape changes, so old processes and new never read each other's.
ROWS_KEY = "regions:rows:v1"
# A bound on staleness should a change bypass the signals (a data migration, a bulk update, raw SQL).
ROWS_SECONDS = 15 * 60

RegionRow = tuple[int, str, str, str, "int | None"]  # pk, code, name, level, province_id


def region_rows() -> list[RegionRow]:
    """Every region as (pk, code, name, level, province_id), in code order: from the cache, else one query."""
    rows = cache.get(ROWS_KEY)
    if rows is None:
        rows = region_rows_refresh()
    return rows


def region_rows_refresh() -> list[RegionRow]:
    """Read the rows and keep them (one query)."""
    rows = list(Region.objects.order_by("code").values_list("pk", "code", "name", "level", "province_id"))
    cache.set(ROWS_KEY, rows, ROWS_SECONDS)
    return rows


def region_rows_forget() -> None:
    """Drop the cached rows now and again on commit (outside a transaction that runs at once: a second delete)."""
    cache.delete(ROWS_KEY)
    transaction.on_commit(lambda: cache.delete(ROWS_KEY))


def region_changed(sender, **kwargs) -> None:
    """post_save / post_delete receiver for Region."""
    region_rows_forget()
