"""Fuzz every operation of /api/schema/ with schemathesis, as an anonymous caller, an institution user (token)
and a city office's staff member (session cookie and CSRF token).

Each (operation, caller) is one pytest test, so xdist splits them. A test sends `FUZZ_MAX_EXAMPLES` generated
requests (default 8; positive and negative data, derandomized, no example database written) to the WSGI app
in-process and fails on any 5xx, an undocumented status code or content type, or a body that does not match
the documented schema. Path parameters are often swapped for ids of the seeded world (tests/fuzz/world.py),
so detail operations and transitions meet real objects. Rate limits are reset before every request.
"""

from __future__ import annotations

import os
import re

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import pii_guard
from tests.fuzz import world as world_module

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
CALLERS = ("anonymous", "institution", "staff")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CSRF_SECRET = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: Django accepts the unmasked secret

CONFIG = schemathesis.config.SchemathesisConfig.from_dict({
    "suppress-health-check": ["all"],  # function-scoped fixtures are fine: the world is rolled back per test
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # Only the fuzzing phase: `max-examples` bounds it; the coverage phase would add dozens of cases each.
    "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
APP = WSGIHandler()
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, config=CONFIG)

# Which seeded objects a path parameter may name: the first path segment, or these.
_KINDS = {"/api/v1/public/notices/{id}/": "notices", "/api/v1/public/draws/{reference}/": "draw-references",
          "/api/v1/filing-numbers/{number}/": "filing-numbers"}


def _kind(path: str) -> tuple[str, str] | None:
    for prefix, kind in _KINDS.items():
        if path.startswith(prefix):
            return re.search(r"{(\w+)}", prefix).group(1), kind
    match = re.match(r"/api/v1/([\w-]+)/{(\w+)}/", path)
    return (match.group(2), match.group(1)) if match else None


@SCHEMA.hook
def flatmap_path_parameters(context, path_parameters):
    """Half of the time, name a real object of the seeded world instead of the generated value."""
    found = _kind(context.operation.path)
    world = world_module.CURRENT
    real = world.ids(found[1]) if found and world else []
    if not real or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    name = found[0]
    return st.one_of(st.just(path_parameters), st.sampled_from(real).map(lambda v: {**path_parameters, name: v}))


def _authenticate(case, caller: str, world) -> dict:
    """The call's headers and cookies for `caller`; generated credentials are dropped for the signed-in ones."""
    if caller == "anonymous":
        return {}  # whatever credentials schemathesis generated (garbage tokens, session ids) stay
    for container, name in ((case.headers, "Authorization"), (case.cookies, "sessionid")):
        if container:
            container.pop(name, None)
    if caller == "institution":
        return {"headers": {"Authorization": f"Token {world.token}"}}
    return {"headers": {"X-CSRFToken": CSRF_SECRET},
            "cookies": {"sessionid": world.staff_session, "csrftoken": CSRF_SECRET}}


@pytest.mark.parametrize("caller", CALLERS)
@SCHEMA.parametrize()
def test_api_conforms_to_its_schema_and_never_errors(case, caller, fuzz_world):
    """Zero server errors; status, content type and body as documented, for every caller."""
    cache.clear()  # the per-address limits of verify, complaints and objections: every request is the first
    response = case.call_and_validate(checks=CHECKS, **_authenticate(case, caller, fuzz_world))
    guard = pii_guard._current
    if guard is not None:  # the client hook of tests/pii_guard.py does not see the WSGI transport
        guard.note(f"response to {case.method} {case.formatted_path}", response.content)
