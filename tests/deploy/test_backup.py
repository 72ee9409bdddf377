"""Backups restore, and the restored audit chain is intact (issue 9 item 7, docs/BACKUP.md, REC-01/02).

The documented procedure for real: `scripts/backup.sh` runs `pg_dump -Fc` against the test database
and tars the media files, `scripts/restore.sh` runs `pg_restore` into a fresh database, unpacks the
media and ends with `manage.py verify_audit` against the restored copy. A row tampered with in the
restored copy is then found by the same command. The restored database is dropped afterwards.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings

from filing_portal.audit.models import AuditEvent
from filing_portal.audit.services import audit_record, audit_record_many, audit_verify_chain
from filing_portal.personal_data import PersonalDataDecryptionError, decrypt_value
from tests.pd_app.models import Holder

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "11010519491231002X"  # the GB 11643 standard's own example number
OTHER_KEY = "b3RoZXIta2V5LW5vdC10aGUtcG9ydGFscy1rZXktMzI="

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),  # pg_dump sees committed rows only
    pytest.mark.skipif(not all(shutil.which(t) for t in ("pg_dump", "pg_restore", "createdb", "dropdb")),
                       reason="needs the PostgreSQL client programs (apt-get install postgresql-client)"),
]


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="filing_portal.settings.test",
               PYTHON=sys.executable, **extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture
def restored_db():
    """The name of a fresh, empty database beside the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    maintenance = _url("postgres")
    for args in (["dropdb", "--if-exists", "--force", "--maintenance-db", maintenance, name],
                 ["createdb", "--maintenance-db", maintenance, name]):
        result = _run(args, _env(_url("postgres")))
        assert result.returncode == 0, result.stderr
    yield name
    result = _run(["dropdb", "--if-exists", "--force", "--maintenance-db", maintenance, name],
                  _env(_url("postgres")))
    assert result.returncode == 0, result.stderr


@pytest.fixture
def audited_data(users):
    """Audited work as the services write it: single events and a batch, an encrypted ID number, a PDF."""
    holder = Holder.objects.create(name="张三", id_number=ID_NUMBER)
    for step, (actor, action) in enumerate([("city_hefei", "filing.submit"), ("province_ah", "filing.accept"),
                                            ("expert1", "review.record"), ("city_hefei", "filing.approve")]):
        audit_record(actor=users[actor], action=action, obj=users["inst_s"], from_state=f"s{step}",
                     to_state=f"s{step + 1}", comment=f"第{step}步", data={"step": step}, ip="10.0.0.8")
    audit_record(actor=users["admin"], action="personal_data.reveal", obj=holder, comment="核验身份")
    audit_record_many(entries=[{"action": "deadline.expire", "object_type": "renewals.renewalapplication",
                                "object_id": str(i), "object_repr": f"续期 {i}", "data": {"n": i}}
                               for i in range(3)])
    name = default_storage.save("certificates/backup-test.pdf", ContentFile(b"%PDF-1.7 backup test\n"))
    yield {"holder": holder, "events": list(AuditEvent.objects.order_by("id")), "media_file": name}
    default_storage.delete(name)


def test_a_restored_dump_has_an_intact_audit_chain_and_a_tampered_copy_fails__REC_01(
    audited_data, restored_db, tmp_path, settings
):
    events = audited_data["events"]
    assert len(events) >= 8 and audit_verify_chain().ok
    source_url = _url(connection.settings_dict["NAME"])

    backup = _run(["sh", "scripts/backup.sh", str(tmp_path / "backups")],
                  _env(source_url, MEDIA_DIR=str(settings.MEDIA_ROOT), BACKUP_STAMP="test"))
    assert backup.returncode == 0, backup.stderr
    dump = tmp_path / "backups" / "filing-test.dump"
    assert backup.stdout.strip() == str(dump)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format (-Fc)
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # personal data: owner only
    assert (tmp_path / "backups" / "SHA256SUMS-test").read_text().count("\n") == 2

    restored_url = _url(restored_db)
    media = tmp_path / "restored-media"
    restore = _run(["sh", "scripts/restore.sh", str(dump), str(tmp_path / "backups" / "media-test.tar.gz")],
                   _env(restored_url, MEDIA_DIR=str(media)))
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert f"audit chain intact: {len(events)} events checked" in restore.stdout
    assert (media / audited_data["media_file"]).read_bytes() == b"%PDF-1.7 backup test\n"

    with psycopg.connect(restored_url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        rows = db.execute("SELECT id, hash FROM audit_auditevent ORDER BY id").fetchall()
        assert rows == [(e.pk, e.hash) for e in events]
        (ciphertext,) = db.execute("SELECT id_number FROM pd_app_holder WHERE id = %s",
                                   [audited_data["holder"].pk]).fetchone()
        # The dump holds the ID number encrypted; only the portal's PERSONAL_DATA_KEY reads it.
        assert ID_NUMBER not in ciphertext
        assert decrypt_value(ciphertext) == ID_NUMBER
        with override_settings(PERSONAL_DATA_KEY=OTHER_KEY), pytest.raises(PersonalDataDecryptionError):
            decrypt_value(ciphertext)

        # The restored copy is append-only too (the REC-02 trigger came back with the schema) ...
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="REC-02"):
            db.execute("UPDATE audit_auditevent SET comment = 'x' WHERE id = %s", [events[3].pk])
        # ... so tamper as a superuser below the trigger, as an attacker with the dump file could.
        db.execute("SET session_replication_role = replica")
        db.execute("UPDATE audit_auditevent SET comment = %s WHERE id = %s", ["篡改", events[3].pk])

    verify = _run([sys.executable, "manage.py", "verify_audit"], _env(restored_url))
    assert verify.returncode != 0
    assert f"audit chain broken at event #{events[3].pk}" in verify.stderr
    assert "(3 events before it are intact)" in verify.stderr
    assert audit_verify_chain().ok  # the source database was not touched


def test_a_truncated_dump_is_refused_and_not_verified(audited_data, restored_db, tmp_path, settings):
    """A damaged backup file fails the checksum, or pg_restore, before anything stays restored."""
    backup = _run(["sh", "scripts/backup.sh", str(tmp_path)],
                  _env(_url(connection.settings_dict["NAME"]), MEDIA_DIR=str(settings.MEDIA_ROOT),
                       BACKUP_STAMP="cut"))
    assert backup.returncode == 0, backup.stderr
    dump = tmp_path / "filing-cut.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    restore = _run(["sh", "scripts/restore.sh", str(dump)], _env(_url(restored_db)))
    assert restore.returncode != 0 and "FAILED" in restore.stdout + restore.stderr  # sha256sum --check
    assert "audit chain intact" not in restore.stdout
    # Without the checksum file pg_restore itself fails, in one transaction: nothing half-restored.
    (tmp_path / "SHA256SUMS-cut").unlink()
    restore = _run(["sh", "scripts/restore.sh", str(dump)], _env(_url(restored_db)))
    assert restore.returncode != 0 and "pg_restore" in restore.stderr
    assert "audit chain intact" not in restore.stdout
    with psycopg.connect(_url(restored_db).replace("postgres://", "postgresql://", 1)) as db:
        assert db.execute("SELECT to_regclass('audit_auditevent')").fetchone() == (None,)
