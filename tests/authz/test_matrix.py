"""Authorization matrix (issue 9): every URL pattern x method x role gets the outcome tests/authz/expected.py says.

Objects outside a caller's view are 404, never 403 (no existence leak); a role refused an unsafe
method never gets a 2xx. The completeness test fails when a URL pattern has no row, or when an API
view allows a method the row does not cover.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz.expected import BODY_CELLS, EXCLUDED, EXPECTED, PII_ALLOWED
from tests.authz.matrix import LOGIN, OK, kwargs_for, rows
from tests.authz.world import ROLES

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
ROWS = rows(EXPECTED)
PROBE = os.environ.get("AUTHZ_PROBE")  # a file path: record every outcome instead of asserting


def walk(resolver=None, namespace=None):
    """(name, route, callback) of every URL pattern; format-suffix twins share their name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            for name, route, callback in walk(entry, inner):
                yield name, str(entry.pattern) + route, callback
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, str(entry.pattern), entry.callback


def patterns() -> dict:
    found = {}
    for name, route, callback in walk():
        found.setdefault(name, (route, callback))
    return found


def api_methods(callback) -> set[str] | None:
    """The methods a DRF view allows (None for a Django view, whose methods the code does not declare)."""
    actions = getattr(callback, "actions", None)
    if actions:  # DRF maps HEAD to the GET action itself
        return {m.upper() for m in actions} - {"HEAD"}
    cls = getattr(callback, "cls", None)
    if cls is None:
        return None
    return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)}


def test_every_pattern_has_a_row():
    """Issue 9: a URL pattern added without a row in tests/authz/expected.py (or a row left for a pattern
    that is gone) fails here. Django admin patterns are covered by the generic admin cells below."""
    found = patterns()
    unnamed = sorted(route for name, route, _cb in walk() if name is None and not route.startswith("admin/"))
    missing = sorted(name for name in found if name and not name.startswith("admin:")
                     and name not in EXPECTED and name not in EXCLUDED)
    stale = sorted(set(EXPECTED) - set(found))
    assert (unnamed, missing, stale) == ([], [], [])


def test_every_api_method_has_a_column():
    """Every method a DRF view allows (list/retrieve/create/update/transitions) has its expected outcomes."""
    gaps = {}
    for name, (_route, callback) in patterns().items():
        methods = api_methods(callback)
        if methods and name in EXPECTED and not methods <= set(EXPECTED[name]):
            gaps[name] = sorted(methods - set(EXPECTED[name]))
    assert gaps == {}
    for name, cells_by_method in EXPECTED.items():
        assert cells_by_method, name
        for method, cells in cells_by_method.items():
            assert method in ("GET", *UNSAFE) and set(cells) == set(ROLES), (name, method)


def _cells():
    if PROBE:
        for name, (_route, callback) in sorted(patterns().items(), key=lambda kv: str(kv[0])):
            if name is None or name.startswith("admin:") or name in EXCLUDED:
                continue
            methods = sorted(api_methods(callback) or {"GET", "POST"})
            for method in methods:
                for role in ROLES:
                    yield pytest.param(name, method, role, "?", id=f"{name}|{method}|{role}")
        return
    for name, r in ROWS.items():
        for method, cells in r.expect.items():
            for role in ROLES:
                marks = [pytest.mark.pii_allowed(reason="a role that may see full ID numbers")] if (
                    (name, role) in PII_ALLOWED) else []
                yield pytest.param(name, method, role, cells[role], id=f"{name}|{method}|{role}", marks=marks)


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome(method: str, response) -> str:
    """The token a response counts as (see tests/authz/matrix.py)."""
    status = response.status_code
    if status in (301, 302, 303):
        if urlparse(response.get("Location", "")).path in LOGIN_PATHS:
            return LOGIN
    if method in UNSAFE and (200 <= status < 300 or status in (400, 409, 415, 422)):
        return OK
    return str(status)


def client_for(world, role: str) -> Client:
    """A client carrying the role's session, logged in once with the world (a login per cell costs time)."""
    client = Client()
    if world.sessions.get(role):
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def api_body(world) -> bytes:
    """One body for every unsafe API call: each transition's input serializer finds its fields in it, so the
    call reaches the permission check instead of stopping at 400; creates still lack their fields."""
    return json.dumps({"reason": "授权矩阵", "reasons": "授权矩阵", "items": ["授权矩阵"], "opinion": "授权矩阵",
                       "expert_name": "张专家", "objection_id": world["objection"], "contact": "13900000000",
                       "content": "授权矩阵", "tier": "none", "decision": "授权矩阵", "report": "授权矩阵"}).encode()


def send(world, client: Client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.generic(method, url, data=api_body(world), content_type="application/json")
    return client.generic(method, url, data=b"", content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "expected"), list(_cells()))
def test_cell(world, name, method, role, expected):
    """One cell of the matrix: `role` sends `method` to the pattern `name` filled from the world."""
    cache.clear()  # rate limits and throttles are cached: one cell must not spend the next one's budget
    row = ROWS.get(name)
    url = reverse(name, kwargs=(row.kwargs if row else kwargs_for(name))(world))
    response = send(world, client_for(world, role), method, url)
    got = outcome(method, response)
    if PROBE:
        with open(PROBE, "a") as out:
            out.write(json.dumps([name, method, role, got, response.status_code,
                                  response.get("Location", "")]) + "\n")
        return
    if expected != OK and method in UNSAFE:
        assert not 200 <= response.status_code < 300, f"{role} was refused {method} {url} but got 2xx"
    assert got == expected, f"{role} {method} {url}: expected {expected}, got {got} ({response.status_code})"



@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", list(BODY_CELLS))
def test_body_reference_cell(world, label, role):
    """An object named in the body (a filing number, an id) outside the caller's view is refused like a URL's."""
    cache.clear()
    name, method, body, cells = BODY_CELLS[label]
    url = reverse(name, kwargs=kwargs_for(name)(world))
    client = client_for(world, role)
    if url.startswith("/api/"):
        response = client.generic(method, url, data=json.dumps(body(world)), content_type="application/json")
    else:
        response = client.post(url, data=body(world))
    got = LOGIN if outcome("GET", response) == LOGIN else str(response.status_code)
    if PROBE:
        with open(PROBE, "a") as out:
            out.write(json.dumps([label, method, role, got, response.status_code, response.get("Location", "")]) + "\n")
        return
    assert got == cells[role], f"{role} {method} {url} {label}: expected {cells[role]}, got {got}"

# == Django admin: one generic row per registered model ==================================================
# Only the admin (is_staff) gets into /admin/: the changelist is 200 for the admin, the add page 200 or
# 403 as the model's admin allows adding; every other role, and the anonymous visitor, is sent to the
# admin login. The other admin patterns (change, delete, history, ...) sit behind the same `admin_view`
# wrapper these cells exercise.


def _admin_models():
    return sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)


def _admin_cells():
    yield pytest.param("admin:index", None, "GET", id="admin:index")
    for model, _model_admin in _admin_models():
        opts = model._meta
        for view in ("changelist", "add"):
            yield pytest.param(f"admin:{opts.app_label}_{opts.model_name}_{view}", model, view,
                               id=f"admin:{opts.app_label}_{opts.model_name}_{view}")


def _expected_for_admin(world, model, view) -> str:
    if model is None or view == "changelist":
        return "200"
    request = RequestFactory().get("/admin/")
    request.user = world.users["admin"]
    return "200" if admin.site._registry[model].has_add_permission(request) else "403"


@pytest.mark.django_db
@pytest.mark.pii_allowed(reason="only the admin gets past admin_view; the admin may see full ID numbers")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "model", "view"), list(_admin_cells()))
def test_admin_cell(world, name, model, view, role):
    response = client_for(world, role).get(reverse(name))
    expected = _expected_for_admin(world, model, view) if role == "admin" else LOGIN
    assert outcome("GET", response) == expected, f"{role} GET {name}: {response.status_code}"
    if role != "admin":
        assert model is None or str(model._meta.verbose_name) not in response.content.decode()
