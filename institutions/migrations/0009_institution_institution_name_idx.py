"""Indexes of the public directory (PUB-01): institutions by name for its order, and on PostgreSQL a trigram
index (pg_trgm) for its name search `name LIKE '%…%'` of three characters or more. SQLite has no pg_trgm:
there the trigram index is left out and the search scans, as before."""

from django.db import migrations, models

TRIGRAM_INDEX = "institution_name_trgm"


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    Institution = apps.get_model("institutions", "Institution")
    schema_editor.add_index(Institution, GinIndex(fields=["name"], name=TRIGRAM_INDEX, opclasses=["gin_trgm_ops"]))


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('institutions', '0008_filing_last_batch_exam_on'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='institution',
            index=models.Index(fields=['name'], name='institution_name_idx'),
        ),
        # Not in the model state: a GIN index with an operator class exists on PostgreSQL only.
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
