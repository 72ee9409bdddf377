# Uploads to the national lookup move from two certificate columns to their own table (issue 8,
# docs/PERFORMANCE.md): the flags set so far are copied first, the columns dropped after.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0005_certificate_indexes_once'),
    ]

    operations = [
        migrations.CreateModel(
            name='NationalUpload',
            fields=[
                ('certificate', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='national_upload', serialize=False, to='certificates.certificate', verbose_name='certificate')),
                ('uploaded_at', models.DateTimeField(verbose_name='uploaded at')),
            ],
            options={
                'verbose_name': 'upload to the national lookup',
                'verbose_name_plural': 'uploads to the national lookup',
                'db_table': 'certificates_nationalupload',
            },
        ),
        migrations.RunSQL(
            sql=(
                "INSERT INTO certificates_nationalupload (certificate_id, uploaded_at)"
                " SELECT id, COALESCE(uploaded_at, created_at) FROM certificates_certificate"
                " WHERE uploaded_to_national"
            ),
            reverse_sql=(
                "UPDATE certificates_certificate SET uploaded_to_national = TRUE, uploaded_at = ("
                "SELECT u.uploaded_at FROM certificates_nationalupload u"
                " WHERE u.certificate_id = certificates_certificate.id)"
                " WHERE id IN (SELECT certificate_id FROM certificates_nationalupload)"
            ),
        ),
        migrations.RemoveField(
            model_name='certificate',
            name='uploaded_at',
        ),
        migrations.RemoveField(
            model_name='certificate',
            name='uploaded_to_national',
        ),
    ]
