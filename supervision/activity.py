"""The stored "last activity" of a filing (SUP-04/05, FJ23 Art.22(4), 23(7)): `Filing.last_batch_exam_on`.

The inactivity detection asks, for every active or suspended filing, when its last conducted batch was
examined. Reading that through a subquery per filing made it the bulk of the daily sweep; the date is kept on
the filing instead, recomputed (one UPDATE) whenever a conducted batch is saved and whenever a batch is
deleted. A batch never leaves the conducted states (the FSM cancels only planned batches), so saves of
batches still in planning cannot change it. Migration 0003 of this app fills it for existing filings.
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save

# A batch counts as activity once it was conducted (the exam took place).
CONDUCTED_STATES = ("conducted", "results_published", "results_reported", "certificates_issued")


def last_exam_subquery(filing_ref="pk", *, up_to=None):
    """The exam date of the latest conducted batch of the filing `filing_ref` (an OuterRef), optionally of
    the batches examined on or before `up_to`."""
    from assessments.models import AssessmentBatch

    batches = AssessmentBatch.objects.filter(filing=OuterRef(filing_ref), state__in=CONDUCTED_STATES)
    if up_to is not None:
        batches = batches.filter(exam_start__lte=up_to)
    return Subquery(batches.order_by().values("filing").annotate(last=Max("exam_start")).values("last")[:1])


def filings_refresh_last_batch_exam(filing_ids=None) -> int:
    """Recompute `last_batch_exam_on` of these filings (all of them when None): one UPDATE."""
    from institutions.models import Filing

    qs = Filing.objects.all() if filing_ids is None else Filing.objects.filter(pk__in=list(filing_ids))
    return qs.update(last_batch_exam_on=last_exam_subquery())


def _batch_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.state not in CONDUCTED_STATES or not instance.filing_id:
        return
    filings_refresh_last_batch_exam([instance.filing_id])


def _batch_deleted(sender, instance, **kwargs):
    if instance.filing_id:
        filings_refresh_last_batch_exam([instance.filing_id])


def connect_signals() -> None:
    from assessments.models import AssessmentBatch

    post_save.connect(_batch_saved, sender=AssessmentBatch, dispatch_uid="supervision_batch_saved")
    post_delete.connect(_batch_deleted, sender=AssessmentBatch, dispatch_uid="supervision_batch_deleted")
