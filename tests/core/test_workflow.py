"""The shared transition service: permission, guards, audit, deadline sweep (REC-01)."""

import datetime as dt

import pytest
from django.core.management import call_command

from filing_portal.audit.models import AuditEvent
from filing_portal.core.deadlines import registered_sweeps, run_deadlines
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import available_transitions, transition_run
from tests.workflow_app.models import Ticket


@pytest.fixture
def ticket(users, inst_s, hefei):
    return Ticket.objects.create(institution=inst_s, region=hefei, title="申请一")


def test_transition_saves_state_and_writes_audit_event__REC_01(ticket, users):
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"], ip="10.1.2.3")
    ticket.refresh_from_db()
    assert ticket.state == "submitted"
    event = AuditEvent.objects.get(object_type="workflow_app.ticket", object_id=str(ticket.pk))
    assert (event.action, event.from_state, event.to_state) == ("ticket.submit", "draft", "submitted")
    assert event.actor == users["inst_s"] and event.actor_role == "institution" and event.ip == "10.1.2.3"


def test_reason_is_passed_to_the_method_and_kept_in_the_trail__FIL_06(ticket, users):
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    transition_run(instance=ticket, name="reject", acting_user=users["city_hefei"], params={"reason": "材料不全"})
    ticket.refresh_from_db()
    assert ticket.state == "rejected" and ticket.reject_reason == "材料不全"
    assert AuditEvent.objects.filter(action="ticket.reject").get().comment == "材料不全"


def test_wrong_state_is_refused_with_the_transitions_rule(ticket, users):
    with pytest.raises(DomainError) as err:
        transition_run(instance=ticket, name="reject", acting_user=users["city_hefei"], params={"reason": "x"})
    assert err.value.status == 409 and err.value.rule == "FIL-06" and err.value.code == "invalid_state"
    assert not AuditEvent.objects.exists()


def test_other_city_staff_is_refused_by_jurisdiction__JUR_03(ticket, users):
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    with pytest.raises(PermissionDeniedError) as err:
        transition_run(instance=ticket, name="approve", acting_user=users["city_wuhu"])
    assert err.value.status == 403 and err.value.rule == "JUR-03"
    ticket.refresh_from_db()
    assert ticket.state == "submitted"


def test_province_staff_may_act_in_its_cities__JUR_03(ticket, users):
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    transition_run(instance=ticket, name="approve", acting_user=users["province_ah"])
    assert Ticket.objects.get(pk=ticket.pk).state == "approved"


def test_failing_guard_names_its_rule__FIL_07(ticket, users):
    ticket.notice_ends_on = dt.date.today() + dt.timedelta(days=3)
    ticket.save()
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    with pytest.raises(DomainError) as err:
        transition_run(instance=ticket, name="approve", acting_user=users["city_hefei"])
    assert err.value.rule == "FIL-07" and err.value.code == "guard_failed"
    assert "not ended" in err.value.message


def test_available_transitions_follow_role_state_and_guards(ticket, users):
    assert available_transitions(ticket, users["inst_s"]) == ["submit"]
    assert available_transitions(ticket, users["city_hefei"]) == []
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    ticket.refresh_from_db()
    assert available_transitions(ticket, users["city_hefei"]) == ["approve", "reject"]
    assert available_transitions(ticket, users["city_wuhu"]) == []


def test_system_transition_is_refused_to_every_user__FIL_04(ticket, users):
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    with pytest.raises(PermissionDeniedError):
        transition_run(instance=ticket, name="expire", acting_user=users["admin"])


def test_state_field_cannot_be_assigned_directly(ticket):
    with pytest.raises(AttributeError):
        ticket.state = "approved"


def test_deadline_sweep_is_idempotent__FIL_04(ticket, users):
    assert "workflow_app.ticket_expiry" in registered_sweeps()
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    Ticket.objects.filter(pk=ticket.pk).update(due_on=dt.date(2026, 3, 6))
    assert [r.changed for r in run_deadlines(dt.date(2026, 3, 6)) if r.name.startswith("workflow_app")] == [0]
    assert [r.changed for r in run_deadlines(dt.date(2026, 3, 9)) if r.name.startswith("workflow_app")] == [1]
    assert [r.changed for r in run_deadlines(dt.date(2026, 3, 9)) if r.name.startswith("workflow_app")] == [0]
    ticket.refresh_from_db()
    assert ticket.state == "terminated"
    event = AuditEvent.objects.get(action="ticket.expire")
    assert event.actor is None and event.actor_role == "system"


def test_run_deadlines_command_takes_as_of(ticket, users, capsys):
    transition_run(instance=ticket, name="submit", acting_user=users["inst_s"])
    Ticket.objects.filter(pk=ticket.pk).update(due_on=dt.date(2026, 3, 6))
    call_command("run_deadlines", "--as-of", "2026-03-09")
    out = capsys.readouterr().out
    assert "workflow_app.ticket_expiry" in out and "1" in out
    assert Ticket.objects.get(pk=ticket.pk).state == "terminated"


def test_run_deadlines_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_deadlines", "--as-of", "2026-13-40")
