"""The audit trail is append-only and hash-chained (REC-01, REC-02)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from filing_portal.audit.models import AppendOnlyError, AuditEvent
from filing_portal.audit.services import audit_record, audit_verify_chain


@pytest.fixture
def chain(users):
    return [
        audit_record(actor=users["city_hefei"], action=f"demo.step{i}", obj=users["inst_s"], from_state="a",
                     to_state="b", comment=f"第{i}步", ip="127.0.0.1")
        for i in range(5)
    ]


def test_each_event_links_to_the_previous__REC_01(chain):
    assert chain[0].prev_hash == "0" * 64
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    report = audit_verify_chain()
    assert report.ok and report.checked == 5


def test_verify_audit_command_reports_intact_chain__REC_01(chain, capsys):
    call_command("verify_audit")
    assert "5 events checked" in capsys.readouterr().out


def test_orm_update_and_delete_are_refused__REC_02(chain):
    event = chain[0]
    event.comment = "改过"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(comment="改过")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).comment == "第0步"


def test_a_tampered_row_is_found__REC_02(chain):
    """Tamper below the ORM (as an attacker with SQL access on SQLite would), then verify."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the trigger must be bypassed to tamper at all
            cursor.execute("SET session_replication_role = replica")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET comment = %s WHERE id = %s", ["篡改", chain[2].pk])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")
    report = audit_verify_chain()
    assert not report.ok and report.broken_at == chain[2].pk and report.checked == 2
    with pytest.raises(CommandError, match=f"#{chain[2].pk}"):
        call_command("verify_audit")


def test_admin_cannot_add_change_or_delete__REC_02(chain, users, client):
    client.force_login(users["admin"])
    assert AuditEvent.objects.filter(action="auth.login").count() == 1  # the login itself is audited
    assert client.get(f"/admin/audit/auditevent/{chain[0].pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/audit/auditevent/{chain[0].pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.count() == 5 + 1


@pytest.mark.postgres
def test_sql_update_delete_truncate_refused_on_postgresql__REC_02(chain):
    with connection.cursor() as cursor:  # settle the deferred FK checks so TRUNCATE reaches the trigger
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for sql in (
        "UPDATE audit_auditevent SET comment = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ):
        with pytest.raises(DatabaseError, match="REC-02"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEvent.objects.count() == 5
