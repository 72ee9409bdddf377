"""instances_insert (COPY on PostgreSQL) writes exactly the row bulk_create writes, prepared the same way."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certificates.models import Certificate
from filing_portal.audit.services import instances_insert, instances_rows
from filing_portal.personal_data import id_number_index
from tests.certificates.helpers import resident_id


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 170, 150)).save(out, "JPEG")
    return out.getvalue()


def _certificate(serial: int, **extra) -> Certificate:
    return Certificate(number=f"S00003401000126300{serial:04d}", filing_number="S000034010001", province_code="34",
                       city_code="01", issue_year=26, level=3, serial=serial, holder_name="陈晓明", id_type="201",
                       id_number=resident_id(serial), occupation_code="4-12-01-01", occupation_name="汽车维修工",
                       issue_date=dt.date(2026, 5, 1), institution_name="合肥评价机构", **extra)


COMPARED = [f.attname for f in Certificate._meta.concrete_fields
            if f.attname not in {"id", "number", "serial", "id_number", "id_number_hash", "created_at", "photo"}]


@pytest.mark.django_db
def test_copied_rows_read_back_like_bulk_created_ones__CERT_02(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    reference = Certificate.objects.bulk_create([_certificate(1, employer="合肥江淮汽车服务有限公司")])[0]
    plain = _certificate(2, employer="合肥江淮汽车服务有限公司")
    with_photo = _certificate(3, photo=SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg"))
    copied = instances_insert([plain, with_photo])
    assert all(c.pk and not c._state.adding for c in copied)
    rows = {c.pk: c for c in Certificate.objects.filter(pk__in=[reference.pk, plain.pk, with_photo.pk])}
    for attname in COMPARED:
        assert getattr(rows[plain.pk], attname) == getattr(rows[reference.pk], attname), attname
    assert rows[plain.pk].id_number == resident_id(2)  # stored encrypted, read back decrypted
    assert rows[plain.pk].id_number_hash == id_number_index(resident_id(2))  # the lookup index
    assert rows[plain.pk].created_at is not None and rows[plain.pk].photo.name == ""
    assert rows[with_photo.pk].photo.name.startswith("certificates/photos/")  # the upload saved, its name kept
    assert (tmp_path / rows[with_photo.pk].photo.name).read_bytes() == _jpeg()
    assert Certificate.objects.filter(id_number_hash=id_number_index(resident_id(3))).get().pk == with_photo.pk


@pytest.mark.django_db
def test_late_fields_are_read_again_when_the_rows_were_prepared_first__NUM_07():
    certificates = [_certificate(0), _certificate(0)]
    rows = instances_rows(certificates)  # before the numbers are known (certificates_issue: before the lock)
    for serial, certificate in enumerate(certificates, start=7):
        certificate.serial = serial
        certificate.number = f"S00003401000126300{serial:04d}"
    instances_insert(certificates, rows, late=("serial", "number"))
    assert list(Certificate.objects.order_by("serial").values_list("serial", "number")) == [
        (7, "S000034010001263000007"), (8, "S000034010001263000008")]
