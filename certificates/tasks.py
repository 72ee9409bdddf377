"""Celery tasks of the certificates app. They call services only and are idempotent."""

from celery import shared_task

from .services import pdf_job_build, pdf_jobs_requeue


@shared_task(acks_late=True, name="certificates.tasks.build_pdf_job")
def build_pdf_job(job_id: str) -> str:
    """Build a batch PDF; a job already done is left as it is (a redelivered message changes nothing)."""
    return pdf_job_build(job_id=job_id)


@shared_task(acks_late=True, name="certificates.tasks.pdf_jobs_requeue_task")
def pdf_jobs_requeue_task() -> int:
    """Every 5 minutes (beat): send again the batch PDFs the broker lost or a killed worker left."""
    return pdf_jobs_requeue()
