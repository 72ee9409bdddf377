"""Celery tasks of the kernel. Tasks only call services and are idempotent."""

from datetime import date

from celery import shared_task

from .deadlines import run_deadlines


@shared_task(acks_late=True, name="filing_portal.core.tasks.run_deadlines_task")
def run_deadlines_task(as_of: str | None = None) -> list[dict]:
    """The beat-scheduled deadline sweep (same code as `manage.py run_deadlines`)."""
    results = run_deadlines(date.fromisoformat(as_of) if as_of else None)
    return [{"name": r.name, "changed": r.changed, "error": r.error} for r in results]
