"""Fill Filing.last_batch_exam_on (institutions 0008) from the conducted batches (supervision/activity.py)."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery

CONDUCTED_STATES = ("conducted", "results_published", "results_reported", "certificates_issued")


def backfill(apps, schema_editor):
    Filing = apps.get_model("institutions", "Filing")
    AssessmentBatch = apps.get_model("assessments", "AssessmentBatch")
    last = (AssessmentBatch.objects.filter(filing=OuterRef("pk"), state__in=CONDUCTED_STATES).order_by()
            .values("filing").annotate(last=Max("exam_start")).values("last")[:1])
    Filing.objects.using(schema_editor.connection.alias).filter(batches__state__in=CONDUCTED_STATES).update(
        last_batch_exam_on=Subquery(last))


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0002_assessmentbatch_report_overdue_on_and_more"),
        ("institutions", "0008_filing_last_batch_exam_on"),
        ("supervision", "0002_case_notice_number_unique"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
