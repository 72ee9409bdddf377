"""Issue 2 "Bad input": a missing production setting gives a plain "Configuration error" naming the
variable, never a traceback (manage.py loads the settings first). Subprocesses, no database."""

import pytest

from tests.deploy.test_compose import ROOT, _manage, _production_env


def _without(tmp_path, name: str, how: str) -> dict[str, str]:
    if how == "unset":
        if (ROOT / ".env").exists():
            pytest.skip(f"a local .env may provide {name}")
        return _production_env(tmp_path, **{name: None})
    return _production_env(tmp_path, **{name: ""})


@pytest.mark.parametrize("how", ["unset", "empty"])
@pytest.mark.parametrize("name", ["PERSONAL_DATA_KEY", "ALLOWED_HOSTS", "CERTIFICATE_QR_KEY"])
def test_missing_production_setting_is_a_configuration_error_not_a_traceback(tmp_path, name, how):
    result = _manage(["check"], _without(tmp_path, name, how))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("Configuration error: ")
    assert f"{name} must be set in production" in last_line


def test_blank_host_list_is_refused(tmp_path):
    """ " , " is as good as nothing: every request would be answered 400."""
    result = _manage(["check"], _production_env(tmp_path, ALLOWED_HOSTS=" "))
    assert result.returncode == 2 and "ALLOWED_HOSTS must be set in production" in result.stderr


def test_qr_key_fallbacks_are_read_from_the_environment(tmp_path):
    env = _production_env(tmp_path, CERTIFICATE_QR_KEY_FALLBACKS="old-key-1,old-key-2")
    result = _manage(["shell", "-c", "from django.conf import settings;"
                      "print(settings.CERTIFICATE_QR_KEY_FALLBACKS, bool(settings.CERTIFICATE_QR_KEY))"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['old-key-1', 'old-key-2'] True"


def test_readme_says_how_to_scale_web_and_worker():
    """Issue 2 §9: the README says how to scale, with the command docs/DEPLOY.md gives."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    command = "docker compose up -d --scale web=3 --scale worker=4"
    assert command in readme and command in deploy


def test_env_example_and_deploy_doc_explain_the_qr_key():
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nCERTIFICATE_QR_KEY=\n" in env_example and "CERTIFICATE_QR_KEY_FALLBACKS" in env_example
    assert "CERTIFICATE_QR_KEY_FALLBACKS" in (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
