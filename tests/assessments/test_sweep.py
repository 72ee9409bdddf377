"""The deadline sweep flags late result reports (ASM-05; DESIGN.md "Time"): a stored flag, idempotent."""

import datetime as dt
import io

from django.core.management import call_command

from assessments.models import AssessmentBatch
from assessments.services import batch_report_overdue, batch_report_results
from filing_portal.audit.models import AuditEvent
from filing_portal.core.deadlines import registered_sweeps
from tests.assessments.test_batches import scheduled  # noqa: F401  (a fixture)
from tests.assessments.test_pages import published
from tests.institutions.conftest import on

ONE_DAY = dt.timedelta(days=1)


def sweep(day: dt.date) -> str:
    out = io.StringIO()
    call_command("run_deadlines", "--as-of", day.isoformat(), stdout=out)
    return out.getvalue()


def test_the_sweep_is_registered():
    assert "assessments.report_overdue" in registered_sweeps()


def test_a_late_report_is_flagged_once_by_run_deadlines__ASM_05(scheduled, people):  # noqa: F811
    batch = published(scheduled, people)
    due = batch.report_due
    assert "assessments.report_overdue: 0 changed" in sweep(due)  # the due date itself is not late
    assert AssessmentBatch.objects.get(pk=batch.pk).report_overdue_on is None
    late = due + dt.timedelta(days=3)
    assert "assessments.report_overdue: 1 changed" in sweep(late)
    assert "assessments.report_overdue: 0 changed" in sweep(late)  # twice: the same state
    assert "assessments.report_overdue: 0 changed" in sweep(late + ONE_DAY)
    batch = AssessmentBatch.objects.get(pk=batch.pk)
    assert batch.report_overdue_on == due + ONE_DAY  # the first day late, however late the sweep ran
    events = AuditEvent.objects.filter(action="assessmentbatch.report_overdue")
    assert events.count() == 1 and events.get().data["rule"] == "ASM-05" and events.get().actor is None
    with on(late.isoformat()):
        assert batch_report_overdue(batch)


def test_a_report_in_time_is_never_flagged__ASM_05(scheduled, people):  # noqa: F811
    batch = published(scheduled, people)
    with on((batch.publish_until + ONE_DAY).isoformat()):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
    assert "assessments.report_overdue: 0 changed" in sweep(batch.report_due + dt.timedelta(days=30))
    batch = AssessmentBatch.objects.get(pk=batch.pk)
    assert batch.report_overdue_on is None and not batch_report_overdue(batch)


def test_the_stored_flag_shows_in_the_api__ASM_05(client, scheduled, people):  # noqa: F811
    batch = published(scheduled, people)
    sweep(batch.report_due + ONE_DAY)
    client.force_login(people["inst_user"])
    with on((batch.publish_until + ONE_DAY).isoformat()):  # shown from the stored flag, not today's date
        assert batch_report_overdue(AssessmentBatch.objects.get(pk=batch.pk))
        response = client.get(f"/api/v1/batches/{batch.pk}/")
    assert response.json()["report_overdue"] is True
