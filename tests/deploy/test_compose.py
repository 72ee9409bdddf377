"""The production shape (DESIGN.md "Production shape") without a Docker engine.

The compose file, .env.example, Dockerfile, gunicorn config and entrypoint are checked
statically; `manage.py check --deploy` runs for real in a subprocess with production
settings. No database is used.
"""

import os
import re
import runpy
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_ENV = ("SECRET_KEY", "PERSONAL_DATA_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env.example: not NAME=value: {line!r}"
        values[name] = value
    return values


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def _volume_mounts(service: dict) -> dict[str, str]:
    """{source: target} of a service's short-syntax volumes."""
    mounts = {}
    for spec in service.get("volumes", []):
        source, target = spec.split(":")[:2]
        mounts[source] = target
    return mounts


# --- docker-compose.yml ---------------------------------------------------------------


def test_compose_spec_has_no_version_key(compose):
    assert "version" not in compose


def test_the_five_services_exist(services):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)


# ids without the bare words "postgres"/"redis": tests/conftest.py skips items with those keywords.
@pytest.mark.parametrize("name", ["postgres", "redis", "web"], ids=lambda name: f"service-{name}")
def test_healthchecks(services, name):
    test = services[name]["healthcheck"]["test"]
    assert test and test[0] in ("CMD", "CMD-SHELL")


def test_healthcheck_commands(services):
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz/" in web_check and "urllib" in web_check
    assert "curl" not in web_check  # the slim image has none


def test_web_healthcheck_is_valid_python(services):
    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    compile(test[3], "<healthcheck>", "exec")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_backends(services, name):
    depends_on = services[name]["depends_on"]
    for backend in ("postgres", "redis"):
        assert depends_on[backend]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_read_env_file(services, name):
    env_file = services[name]["env_file"]
    assert env_file == ".env" or ".env" in env_file


def test_named_volumes_are_declared_and_used(compose, services):
    declared = set(compose["volumes"])
    assert {"pgdata", "media", "beat"} <= declared
    for name, service in services.items():
        for source in _volume_mounts(service):
            if not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"{name} mounts undeclared volume {source}"
    assert _volume_mounts(services["postgres"])["pgdata"] == "/var/lib/postgresql/data"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_media_volume_on_web_and_worker(services, name):
    assert _volume_mounts(services[name])["media"] == "/data/media"


def test_exactly_one_beat(services):
    beat = services["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) <= 1
    assert "scale" not in beat or beat["scale"] <= 1
    command = _command(beat)
    assert "celery -A filing_portal beat" in command
    schedule = command.split("--schedule", 1)[1].split()[0]
    beat_mount = _volume_mounts(beat)["beat"]
    assert schedule.startswith(beat_mount.rstrip("/") + "/"), "the schedule file must live on the beat volume"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_scalable_services_have_no_fixed_names(services, name):
    assert "container_name" not in services[name]
    assert "hostname" not in services[name]


def test_service_commands(services):
    assert "gunicorn" in _command(services["web"]) and "filing_portal.wsgi" in _command(services["web"])
    worker = _command(services["worker"])
    assert "celery -A filing_portal worker" in worker and "--concurrency 2" in worker


def test_only_web_runs_migrations(services):
    assert str(services["web"]["environment"]["RUN_MIGRATIONS"]) == "1"
    for name in ("worker", "beat"):
        assert str(services[name].get("environment", {}).get("RUN_MIGRATIONS", "0")) == "0"


def test_web_publishes_8000_as_a_port_range(services):
    """`--scale web=3` needs a host-port range (or no host port at all)."""
    (spec,) = services["web"]["ports"]
    # ${VAR:-default} → default, as compose does when .env leaves it unset
    spec = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", spec)
    *_, host_ports, container_port = spec.split(":")
    assert container_port == "8000"
    assert host_ports.startswith("8000-")


def test_backing_service_images(services):
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


# --- .env.example ---------------------------------------------------------------------


def test_env_example_names_every_required_variable(env_example):
    for name in (*REQUIRED_ENV, "CSRF_TRUSTED_ORIGINS", "TRUSTED_PROXY_COUNT", "DJANGO_SETTINGS_MODULE"):
        assert name in env_example, name
    assert env_example["DJANGO_SETTINGS_MODULE"] == "filing_portal.settings.production"
    assert env_example["DATABASE_URL"] == "postgres://filing:filing@postgres:5432/filing"
    assert env_example["REDIS_URL"] == "redis://redis:6379/0"


def test_env_example_ships_no_secrets(env_example):
    assert env_example["SECRET_KEY"] == ""
    assert env_example["PERSONAL_DATA_KEY"] == ""


def test_env_example_values_survive_compose(env_example):
    """Compose interpolates "$" in env files; gunicorn crashes on an empty WEB_CONCURRENCY."""
    for name, value in env_example.items():
        assert "$" not in value, name
    assert env_example.get("WEB_CONCURRENCY", "1") != ""


def test_env_example_database_url_matches_postgres_settings(env_example):
    url = env_example["DATABASE_URL"]
    expected = "postgres://{POSTGRES_USER}:{POSTGRES_PASSWORD}@postgres:5432/{POSTGRES_DB}".format(
        **env_example
    )
    assert url == expected


def test_env_example_documents_compose_variables(env_example):
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    compose_text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", compose_text)):
        assert name in text, f"{name} is used by docker-compose.yml but not explained in .env.example"


def test_env_example_explains_key_generation_and_loss():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "base64.urlsafe_b64encode(secrets.token_bytes(32))" in text
    assert "unreadable" in text and "无法解密" in text


# --- Dockerfile, gunicorn, entrypoint -------------------------------------------------


def test_dockerfile_shape():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.M)
    assert "fonts-arphic-ukai" in text and "gettext" in text
    assert "DJANGO_SETTINGS_MODULE=filing_portal.settings.production" in text
    assert "FILING_PORTAL_DATA_DIR=/data" in text
    assert "collectstatic --noinput" in text and "compilemessages" in text
    assert re.search(r"^EXPOSE 8000$", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    # Throwaway build secrets live on a RUN line only, never in the image's ENV.
    env_lines = "\n".join(re.findall(r"^ENV [^\n]*(?:\\\n[^\n]*)*", text, re.M))
    assert "SECRET_KEY" not in env_lines and "PERSONAL_DATA_KEY" not in env_lines


def test_dockerignore_keeps_secrets_and_local_state_out():
    lines = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "data"} <= lines


def _gunicorn_config(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_THREADS", "FORWARDED_ALLOW_IPS", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def test_gunicorn_defaults(monkeypatch):
    conf = _gunicorn_config(monkeypatch)
    assert conf["bind"] == "0.0.0.0:8000"
    assert 1 <= conf["workers"] <= 8
    assert conf["worker_class"] == "gthread" and conf["threads"] == 4
    assert conf["timeout"] == 60
    assert conf["accesslog"] is None  # the reverse proxy's access log is the record (docs/DEPLOY.md)


def test_gunicorn_reads_the_environment(monkeypatch):
    conf = _gunicorn_config(monkeypatch, WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.0/8",
                            GUNICORN_ACCESS_LOG="-")
    assert conf["workers"] == 3
    assert conf["accesslog"] == "-"
    assert conf["forwarded_allow_ips"] == "10.0.0.0/8"


def test_entrypoint_is_an_executable_posix_script():
    path = ROOT / "deploy" / "entrypoint.sh"
    assert os.access(path, os.X_OK)
    assert path.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    subprocess.run(["sh", "-n", str(path)], check=True)
    text = path.read_text(encoding="utf-8")
    assert 'exec "$@"' in text and "migrate" in text and "load_reference_data" in text


def _entrypoint_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RUN_MIGRATIONS")}
    # the entrypoint calls `python`: make it this interpreter
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def test_entrypoint_execs_the_command_without_a_database():
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "entrypoint.sh"), "echo", "started"],
        env=_entrypoint_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_entrypoint_gives_up_on_an_unreachable_database():
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "entrypoint.sh"), "echo", "started"],
        env=_entrypoint_env(DATABASE_URL="postgres://u:secret-pw@127.0.0.1:1/none", DB_WAIT_TRIES="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "gave up waiting for the database" in result.stderr
    assert "secret-pw" not in result.stderr


# --- manage.py check with production settings ----------------------------------------


def _production_env(tmp_path: Path, **overrides) -> dict[str, str]:
    """Production settings in a subprocess, isolated from the caller's database and broker.

    Values a developer's .env could set are given explicitly (base.py reads .env without
    overwriting the environment), so the outcome does not depend on that file.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "SECURE_"))
        and k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "PERSONAL_DATA_KEY",
            "CERTIFICATE_QR_KEY",
            "CERTIFICATE_QR_KEY_FALLBACKS",
            "ALLOWED_HOSTS",
            "CSRF_TRUSTED_ORIGINS",
            "DEBUG",
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="filing_portal.settings.production",
        FILING_PORTAL_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        SECRET_KEY=secrets.token_urlsafe(64),
        PERSONAL_DATA_KEY="dGVzdC1vbmx5LXBlcnNvbmFsLWRhdGEta2V5LTMyYnk=",
        CERTIFICATE_QR_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://portal.example.gov.cn",
        SECURE_SSL_REDIRECT="True",
        SECURE_HSTS_SECONDS="31536000",
        DEBUG="False",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    assert len(_production_env(tmp_path)["SECRET_KEY"]) >= 50
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _missing_secret_key_env(tmp_path: Path, how: str) -> dict[str, str]:
    if how == "unset":
        if (ROOT / ".env").exists():
            pytest.skip("a local .env may provide SECRET_KEY")
        return _production_env(tmp_path, SECRET_KEY=None)
    return _production_env(tmp_path, SECRET_KEY="")


@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_settings_refuse_to_start_without_secret_key(tmp_path, how):
    """A plain message naming the variable, not a traceback (manage.py loads settings first)."""
    result = _manage(["check"], _missing_secret_key_env(tmp_path, how))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert "SECRET_KEY must be set in production" in last_line


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_dockerfile_build_steps_run(tmp_path):
    """The Dockerfile's collectstatic step with its throwaway secrets (compilemessages would write into the tree)."""
    env = _production_env(
        tmp_path,
        SECRET_KEY="build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        PERSONAL_DATA_KEY="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ALLOWED_HOSTS="localhost",
    )
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for name in ("SECRET_KEY", "PERSONAL_DATA_KEY"):
        assert f"{name}={env[name]}" in dockerfile
    result = _manage(["collectstatic", "--noinput"], env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
