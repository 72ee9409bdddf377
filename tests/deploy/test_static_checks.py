"""Static checks that CI runs on every submission (issue 9 item 8, docs/CHECKS.md).

Each one is the same command a developer runs by hand (`make lint`, `make check`, `make audit`),
run here in a subprocess from the project root so that `make test` fails on a regression:

- `manage.py check --deploy --fail-level WARNING` with production settings lives in
  tests/deploy/test_compose.py (test_check_deploy_passes_with_production_settings);
- `ruff check .` exits 0;
- `bandit` over everything but .venv, tests, data and migrations ([tool.bandit] in pyproject.toml):
  no HIGH severity finding; medium and low ones are printed, not failed. A waiver is a
  `# nosec Bxxx  # reason` comment, listed in docs/CHECKS.md;
- `pip-audit` over requirements.lock: no known vulnerability unless waived with a reason in
  deploy/pip-audit-waivers.txt; skipped (not failed) when the vulnerability service cannot be reached;
- `makemigrations --check --dry-run` exits 0.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WAIVERS = ROOT / "deploy" / "pip-audit-waivers.txt"
CHECKS_DOC = ROOT / "docs" / "CHECKS.md"
PIP_AUDIT_TIMEOUT = 240  # seconds; one JSON request per pinned package to the vulnerability service
# What pip-audit prints when the service cannot be asked (DNS, refused, timeout, TLS), or when the
# index it reaches is a mirror without PyPI's JSON API (every package "not found").
NETWORK_ERRORS = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "ReadTimeout",
                  "ConnectTimeout", "SSLError", "Temporary failure in name resolution")


def _run(args: list[str], *, timeout: int = 120, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy())


def test_check_deploy_is_covered_by_the_compose_tests():
    """Not run twice: the production `check --deploy --fail-level WARNING` is one test in test_compose.py."""
    text = (ROOT / "tests" / "deploy" / "test_compose.py").read_text(encoding="utf-8")
    assert "def test_check_deploy_passes_with_production_settings" in text
    assert '"check", "--deploy", "--fail-level", "WARNING"' in text


def test_ruff_check_passes():
    result = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_makemigrations_check_finds_no_missing_migration(tmp_path):
    """Every model change has its migration (`make check` runs the same command)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="filing_portal.settings.test", FILING_PORTAL_DATA_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = _run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], env=env)
    assert result.returncode == 0, "missing migrations:\n" + result.stdout + result.stderr
    assert "No changes detected" in result.stdout


# --- bandit ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bandit_report() -> dict:
    result = _run([sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".", "-f", "json", "-q"])
    # bandit exits 1 when it finds anything, of any severity; the JSON says what.
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_bandit_finds_no_high_severity_issue(bandit_report):
    assert not bandit_report["errors"], f"bandit could not scan: {bandit_report['errors']}"
    findings = bandit_report["results"]
    high = [f for f in findings if f["issue_severity"] == "HIGH"]
    for f in sorted(findings, key=lambda f: (f["issue_severity"], f["filename"], f["line_number"])):
        print(f"bandit {f['issue_severity']:<6} {f['test_id']} {f['filename']}:{f['line_number']}",
              f['issue_text'])
    assert not high, "HIGH severity findings (fix, or waive: `# nosec Bxxx  # reason`, docs/CHECKS.md):\n" + (
        "\n".join(f"{f['test_id']} {f['filename']}:{f['line_number']}: {f['issue_text']}" for f in high))


def test_bandit_scans_the_project_and_not_the_environment(bandit_report):
    scanned = {Path(name).parts[0] for name in bandit_report["metrics"] if name != "_totals"}
    packages = ("filing_portal", "institutions", "assessments", "certificates", "supervision", "renewals")
    for package in packages:
        assert package in scanned
    assert not scanned & {".venv", "tests", "data"}
    # "data" excludes only the top-level folder, not every path containing the word
    assert "./filing_portal/personal_data.py" in bandit_report["metrics"]
    assert not [name for name in bandit_report["metrics"] if "/migrations/" in name]


NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$", re.IGNORECASE)


def _nosec_comments() -> list[tuple[str, int, str]]:
    found = []
    for top in ROOT.iterdir():
        if top.name in (".venv", "tests", "data", ".git") or top.name.startswith("."):
            continue
        paths = [top] if top.suffix == ".py" else top.rglob("*.py") if top.is_dir() else []
        for path in paths:
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if match := NOSEC.search(line):
                    found.append((path.relative_to(ROOT).as_posix(), number, match["rest"]))
    return found


def test_every_bandit_waiver_names_its_test_and_is_documented():
    """A bare `# nosec` silences every check on the line; a waiver names one test and says why."""
    documented = CHECKS_DOC.read_text(encoding="utf-8")
    for path, number, rest in _nosec_comments():
        # bandit reads test IDs up to the next "#", so the reason is a comment of its own after them.
        tests, _, reason = rest.partition("#")
        ids = re.findall(r"\bB\d{3}\b", tests)
        assert ids and not re.sub(r"\bB\d{3}\b|[,:\s]", "", tests), (
            f"{path}:{number}: `# nosec` must name the bandit tests only (`# nosec B608  # reason`)")
        assert reason.strip(), f"{path}:{number}: `# nosec {' '.join(ids)}` needs `  # reason` after it"
        for test_id in ids:
            assert f"`{path}`" in documented and test_id in documented, (
                f"{path}:{number}: waiver {test_id} is not listed in docs/CHECKS.md")


# --- pip-audit ------------------------------------------------------------------------------


def _waivers() -> dict[str, str]:
    """{advisory id: reason} from deploy/pip-audit-waivers.txt."""
    waivers = {}
    for number, line in enumerate(WAIVERS.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, reason = (line.split(None, 1) + [""])[:2]
        where = f"deploy/pip-audit-waivers.txt:{number}"
        assert re.fullmatch(r"[A-Z]+-[\w-]+", vuln_id), f"{where}: not an advisory ID: {vuln_id}"
        assert reason.strip(), f"{where}: waiver {vuln_id} has no reason"
        assert vuln_id not in waivers, f"{where}: {vuln_id} waived twice"
        waivers[vuln_id] = reason.strip()
    return waivers


def test_pip_audit_waivers_are_well_formed():
    _waivers()


def test_pip_audit_finds_no_unwaived_vulnerability(tmp_path):
    args = [sys.executable, "-m", "pip_audit", "-r", "requirements.lock", "--no-deps", "--disable-pip",
            "--progress-spinner", "off", "--format", "json", "--cache-dir", str(tmp_path / "cache")]
    for vuln_id in _waivers():
        args += ["--ignore-vuln", vuln_id]
    try:
        result = _run(args, timeout=PIP_AUDIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.skip(f"network: the vulnerability service did not answer within {PIP_AUDIT_TIMEOUT} s")
    if result.returncode not in (0, 1) or not result.stdout.strip():
        if any(marker in result.stderr for marker in NETWORK_ERRORS):
            last_line = result.stderr.strip().splitlines()[-1]
            pytest.skip(f"network: the vulnerability service is unreachable: {last_line}")
        pytest.fail("pip-audit failed:\n" + result.stderr)
    vulnerable, unaudited, total = _audit_outcome(json.loads(result.stdout))
    assert not vulnerable, "known vulnerabilities (upgrade, or waive in deploy/pip-audit-waivers.txt):\n" + (
        "\n".join(vulnerable))
    if unaudited:
        # A mirror without PyPI's JSON API answers "not found" for every package: nothing was audited.
        pytest.skip(f"network: {len(unaudited)} of {total} pinned packages could not be looked up "
                    f"(e.g. {unaudited[0]})")
    assert total >= 50  # the whole lock file was read


def _audit_outcome(report: dict) -> tuple[list[str], list[str], int]:
    """(vulnerabilities found, packages not looked up, packages read) of a pip-audit JSON report."""
    dependencies = report["dependencies"]
    vulnerable = [
        f"{dep['name']} {dep['version']}: {vuln['id']} "
        f"(fixed in {', '.join(vuln['fix_versions']) or 'no release'})"
        for dep in dependencies for vuln in dep.get("vulns", [])
    ]
    unaudited = [dep["skip_reason"] for dep in dependencies if dep.get("skip_reason")]
    return vulnerable, unaudited, len(dependencies)


def test_a_vulnerable_pin_fails_even_when_other_packages_were_not_looked_up():
    """The decision on pip-audit's JSON (its --format json shape): a finding fails before any skip."""
    report = {"dependencies": [
        {"name": "django", "version": "5.2.1", "vulns": [
            {"id": "PYSEC-2025-47", "fix_versions": ["5.2.2"], "aliases": ["CVE-2025-48432"],
             "description": ""}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
        {"name": "amqp",
         "skip_reason": "Dependency not found on PyPI and could not be audited: amqp (5.4.2)"},
    ], "fixes": []}
    vulnerable, unaudited, total = _audit_outcome(report)
    assert vulnerable == ["django 5.2.1: PYSEC-2025-47 (fixed in 5.2.2)"]
    assert len(unaudited) == 1 and total == 3
