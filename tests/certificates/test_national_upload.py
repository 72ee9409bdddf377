"""Uploads to the national lookup (ASM-06) in their own table: a mark writes one narrow row per certificate,
never rewrites the certificate, keeps the first upload time, and is audited once per export."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate, NationalUpload
from certificates.services import certificates_mark_uploaded
from filing_portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _row(cert: Certificate) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM certificates_certificate WHERE id = %s", [cert.pk])
        return cursor.fetchone()


def test_marking_keeps_the_first_upload_and_leaves_the_certificate_row_alone__ASM_06(issued, users):
    zhang, li, wang = issued["zhang"], issued["li"], issued["wang"]
    before = _row(zhang)
    assert not zhang.uploaded_to_national and zhang.uploaded_at is None
    assert certificates_mark_uploaded(ids=[zhang.pk, li.pk, zhang.pk], acting_user=users["province_ah"]) == 2
    first = NationalUpload.objects.get(certificate=zhang).uploaded_at
    assert _row(zhang) == before  # the wide row and its indexes are not touched
    assert certificates_mark_uploaded(ids=[zhang.pk, wang.pk]) == 1  # only wang is new
    assert NationalUpload.objects.get(certificate=zhang).uploaded_at == first
    fresh = Certificate.objects.get(pk=zhang.pk)
    assert fresh.uploaded_to_national and fresh.uploaded_at == first
    assert set(Certificate.objects.filter(national_upload__isnull=False).values_list("pk", flat=True)) == {
        zhang.pk, li.pk, wang.pk}
    events = list(AuditEvent.objects.filter(action="certificates.export_national").order_by("id"))
    assert [e.data for e in events] == [{"count": 2, "first_upload": 2}, {"count": 2, "first_upload": 1}]
    assert events[0].actor == users["province_ah"] and events[1].actor is None


def test_nothing_to_mark_writes_nothing__ASM_06(issued):
    assert certificates_mark_uploaded(ids=[]) == 0
    assert not NationalUpload.objects.exists()
    assert not AuditEvent.objects.filter(action="certificates.export_national").exists()


def test_the_mark_costs_the_same_queries_for_1_or_3_certificates__ASM_06(issued):
    ids = [c.pk for c in issued.values()]
    with CaptureQueriesContext(connection) as one:
        certificates_mark_uploaded(ids=ids[:1])
    NationalUpload.objects.all().delete()
    with CaptureQueriesContext(connection) as three:
        certificates_mark_uploaded(ids=ids)
    assert len(one) == len(three)
    assert NationalUpload.objects.count() == 3
