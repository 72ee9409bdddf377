"""DESIGN.md "Layout": the apps stand in layers and an app imports only from the layers below it.

An AST scan of every module (function-local imports included; tests/ and migrations excluded):
kernel `filing_portal` < certificates < institutions < assessments < supervision < renewals.
The kernel imports no app, except its composition roots (the URL confs wiring every app's views and
`seed_demo`, which runs every app's demo in layer order).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["filing_portal", "certificates", "institutions", "assessments", "supervision", "renewals"]
RANK = {name: i for i, name in enumerate(LAYERS)}
COMPOSITION_ROOTS = {
    "filing_portal/urls.py",
    "filing_portal/api_urls.py",
    "filing_portal/core/management/commands/seed_demo.py",
    "filing_portal/core/management/commands/seed_scale.py",
    "filing_portal/core/scale_seed.py",
    "filing_portal/core/scale_seed_oversight.py",
}


def _modules(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py")
                  if "migrations" not in p.relative_to(ROOT).parts and "tests" not in p.relative_to(ROOT).parts)


def imported_apps(source: str, *, package: str) -> list[tuple[int, str]]:
    """(line, top-level layer) of every import of a layered package in `source`; relative imports stay inside."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [package] if node.level else [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in RANK:
                found.append((node.lineno, top))
    return found


def upward_imports(app: str) -> list[str]:
    problems = []
    for path in _modules(app):
        rel = path.relative_to(ROOT).as_posix()
        if rel in COMPOSITION_ROOTS:
            continue
        for line, target in imported_apps(path.read_text(encoding="utf-8"), package=app):
            if RANK[target] > RANK[app]:
                problems.append(f"{rel}:{line} imports {target} (a layer above {app})")
    return problems


@pytest.mark.parametrize("app", LAYERS)
def test_app_imports_only_from_layers_below(app):
    assert _modules(app), f"no modules found for {app}"
    assert upward_imports(app) == []


def test_certificates_imports_no_other_app():
    """DESIGN.md: certificates sits just above the kernel and imports no other app."""
    targets = {t for p in _modules("certificates")
               for _, t in imported_apps(p.read_text(encoding="utf-8"), package="certificates")}
    assert targets <= {"filing_portal", "certificates"}


@pytest.mark.parametrize("source", [
    "from institutions.models import Institution",
    "import institutions.selectors",
    "def f():\n    from renewals import services\n",
    "import os, assessments.api as a",
])
def test_the_scan_sees_every_form_of_import(source):
    assert [t for _, t in imported_apps(source, package="certificates")] and all(
        RANK[t] > RANK["certificates"] for _, t in imported_apps(source, package="certificates"))


def test_an_upward_import_added_to_a_module_fails(tmp_path, monkeypatch):
    """The scan flags a module of a low layer that imports a higher one (as certificates/demo.py once did)."""
    fake_root = tmp_path
    (fake_root / "certificates").mkdir()
    (fake_root / "certificates" / "demo.py").write_text("from institutions.models import Institution\n")
    (fake_root / "certificates" / "migrations").mkdir()
    (fake_root / "certificates" / "migrations" / "0001.py").write_text("import renewals\n")  # excluded
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", fake_root)
    assert upward_imports("certificates") == [
        "certificates/demo.py:1 imports institutions (a layer above certificates)"]
