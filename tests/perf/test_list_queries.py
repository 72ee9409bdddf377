"""Issue 8: every list endpoint a constant number of queries (STYLE.md: selectors use select_related /
prefetch_related so pages do not run N+1 queries).

- API lists are found in the OpenAPI schema: every GET under /api/v1/ whose 200 is a `Paginated…List`. Each
  is fetched with `?page_size=1` and with `?page_size=200` (PortalPagination's maximum); the two runs must
  issue the same number of SQL statements, and the big page must really show more than one row.
- Staff (and public) HTML list pages paginate with fixed sizes or slices, so the page is measured with the
  world as it is, then again after three more rows of the kind it lists (copies of its first row) were added.

A new paginated list in the schema that is neither measured nor in EXCLUDED fails `test_every_api_list_is_covered`.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.paginator import Page
from django.db import connection, models
from django.db.models.query import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.perf.conftest import clone

API = "/api/v1/"
# Callers tried in this order; the first that answers 200 is measured: public lists anonymously, staff lists
# with the province office (it sees the whole province), the admin where the province gets 403, the
# institution for lists only it may read.
CALLERS = ("anon", "prov_own", "admin", "inst_own")

# Nested lists with a path parameter, filled from the world (the key names a World id).
NESTED = {
    "/api/v1/batches/{id}/candidates/": "batch",
}
# Known N+1, marked xfail(strict) until fixed (the case then passes and the strict mark fails: remove it).
KNOWN_N_PLUS_1: dict[str, str] = {}  # path -> reason; found and fixed: /api/v1/batches/ (the ASM-05/07 guards)
# Paginated lists that are not measured, with the reason. Keep empty unless a list cannot show 2 rows.
EXCLUDED: dict[str, str] = {}

# Staff (and public) HTML list pages: (URL name, role that sees many rows, how the page is grown).
# "paginate": a Django Paginator page, measured with one row a page and with the view's own page size;
# "add": a list or slice, measured as seeded and again after ADDED copies of its first row.
PAGES = [
    ("institutions:staff_queue", "prov_own", "paginate"),
    ("institutions:staff_filings", "prov_own", "paginate"),
    ("assessments:staff_batches", "prov_own", "add"),
    ("renewals:staff_renewals", "prov_own", "add"),
    ("supervision:cases", "prov_own", "paginate"),
    ("supervision:complaints_queue", "prov_own", "add"),
    ("supervision:draws", "prov_own", "add"),
    ("supervision:inspections", "prov_own", "paginate"),
    ("certificates:register", "prov_own", "paginate"),
    ("notifications:list", "inst_own", "paginate"),
    ("institutions:directory", "anon", "paginate"),
    ("institutions:notices", "anon", "paginate"),
    ("institutions:announcements", "anon", "paginate"),
    ("supervision:disclosures", "anon", "paginate"),
    ("supervision:public_draws", "anon", "add"),
]
EXCLUDED_PAGES = {
    "institutions:staff_stop_orders": "the demo has no stop order, and one needs a filing, an inspection and the "
                                      "order's service (not a copy of a row)",
}
ADDED = 3  # rows added before the second run of a page


def paginated_lists() -> set[str]:
    """Paths of the schema's GET operations under /api/v1/ whose 200 answer is a paginated list."""
    from django.urls import get_resolver
    from drf_spectacular.generators import SchemaGenerator

    get_resolver().url_patterns  # noqa: B018 -- load the URLconf before the generator walks it
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not path.startswith(API) or not get:
            continue
        body = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if re.fullmatch(r"#/components/schemas/Paginated\w+List", body.get("$ref", "")):
            found.add(path)
    return found


def measured_lists() -> list[str]:
    return sorted(p for p in paginated_lists() if p not in EXCLUDED and ("{" not in p or p in NESTED))


def client_for(world, role: str) -> Client:
    client = Client()
    if world.users.get(role) is not None:
        client.force_login(world.users[role])
    return client


def count_queries(client: Client, url: str):
    client.get(url)  # warm-up: per-process caches (content types, calendar, policy) must not skew the count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, ctx


def shapes(ctx) -> Counter:
    return Counter(re.sub(r"\b\d+\b", "N", q["sql"]) for q in ctx.captured_queries)


def repeated(small, big, limit: int = 5) -> str:
    """The statements the bigger run issues more often than the smaller one (digits masked), then those that
    repeat in it: where an N+1 shows."""
    extra = shapes(big) - shapes(small)
    lines = [f"  +{n}x {sql[:2000]}" for sql, n in extra.most_common(limit)]
    lines += [f"  {n}x {sql[:300]}" for sql, n in shapes(big).most_common(limit) if n > 1]
    return "\n".join(lines) or "  (no statement repeats)"


@pytest.fixture
def world(perf_world, db):
    return perf_world


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_N_PLUS_1[p])) if p in KNOWN_N_PLUS_1 else p
    for p in measured_lists()])
def test_api_list_runs_a_constant_number_of_queries(world, path):
    """issue 8: every list endpoint a constant number of queries (page_size=1 vs page_size=200)."""
    url = path.replace("{id}", str(world[NESTED[path]])) if path in NESTED else path
    for role in CALLERS:
        client = client_for(world, role)
        if client.get(url + "?page_size=1").status_code == 200:
            break
    else:
        pytest.fail(f"{path}: no caller of {CALLERS} may read it")
    small, small_ctx = count_queries(client, url + "?page_size=1")
    big, big_ctx = count_queries(client, url + "?page_size=200")
    assert big.status_code == 200
    rows = len(big.json()["results"])
    assert rows > 1, f"{path} as {role}: the world shows {rows} row(s); add rows in perf_world or EXCLUDE it"
    print(f"\nPERF {path} as {role}: {len(small_ctx)} queries (1 row), {len(big_ctx)} ({rows} rows)")
    assert len(small_ctx) == len(big_ctx), (
        f"{path} as {role}: {len(small_ctx)} queries for 1 row, {len(big_ctx)} for {rows} rows; repeated:\n"
        + repeated(small_ctx, big_ctx))


def test_every_api_list_is_covered():
    """issue 8: a new paginated list in the schema is measured or excluded with a reason, never forgotten."""
    found = paginated_lists()
    forgotten = sorted(p for p in found if "{" in p and p not in NESTED and p not in EXCLUDED)
    stale = sorted(p for p in {*NESTED, *EXCLUDED} if p not in found)
    assert not forgotten, f"paginated lists with a path parameter neither in NESTED nor EXCLUDED: {forgotten}"
    assert not stale, f"NESTED/EXCLUDED name lists the schema no longer has: {stale}"


def listed_rows(response) -> list[models.Model]:
    """The longest list of model instances in the page's template context (a Page, a list or a queryset)."""
    best: list = []
    for context in response.context or []:
        for values in context.dicts:
            for value in values.values() if isinstance(values, dict) else []:
                if isinstance(value, Page):
                    value = value.object_list
                if isinstance(value, QuerySet):
                    value = list(value)
                if isinstance(value, list) and value and all(isinstance(v, models.Model) for v in value):
                    if len(value) > len(best):
                        best = value
    return best


def page_rows(response) -> int:
    """Rows on the page: the Paginator page's, else the longest list of model instances in the context."""
    for context in response.context or []:
        for values in context.dicts:
            for value in values.values() if isinstance(values, dict) else []:
                if isinstance(value, Page):
                    return len(value.object_list)
    return len(listed_rows(response))


@pytest.fixture
def page_size(monkeypatch):
    """Force every Django Paginator to `size` rows a page (None: the view's own size)."""
    from django.core import paginator

    forced = {"size": None}
    original = paginator.Paginator.__init__

    def init(self, object_list, per_page, *args, **kwargs):
        original(self, object_list, forced["size"] or per_page, *args, **kwargs)

    monkeypatch.setattr(paginator.Paginator, "__init__", init)
    return forced


@pytest.mark.parametrize(("name", "role", "grow"), PAGES, ids=[name for name, *_ in PAGES])
def test_list_page_runs_a_constant_number_of_queries(world, page_size, name, role, grow):
    """issue 8: every list endpoint a constant number of queries (one row vs a full page, or three rows more)."""
    client = client_for(world, role)
    url = reverse(name)
    if grow == "paginate":
        page_size["size"] = 1
    before, before_ctx = count_queries(client, url)
    assert before.status_code == 200, f"{url} as {role}: {before.status_code}"
    rows = page_rows(before)
    assert rows, f"{url} as {role}: the page lists no rows in the world"
    if grow == "paginate":
        page_size["size"] = None
    else:
        first = listed_rows(before)[0]
        for serial in range(ADDED):
            clone(type(first).objects.get(pk=first.pk), serial + 1)
    after, after_ctx = count_queries(client, url)
    grown = page_rows(after)
    assert grown > rows, f"{url} as {role}: {rows} row(s) before, {grown} after ({grow})"
    print(f"\nPERF {url} as {role}: {len(before_ctx)} queries ({rows} rows), {len(after_ctx)} ({grown} rows)")
    assert len(before_ctx) == len(after_ctx), (
        f"{url} as {role}: {len(before_ctx)} queries for {rows} row(s), {len(after_ctx)} for {grown} "
        f"rows; statements:\n" + repeated(before_ctx, after_ctx))


def test_every_page_is_measured_or_excluded():
    """issue 8: EXCLUDED_PAGES and PAGES name real URL patterns, and no page is both."""
    for name in [n for n, *_ in PAGES] + list(EXCLUDED_PAGES):
        reverse(name)
    assert not {n for n, *_ in PAGES} & set(EXCLUDED_PAGES)
