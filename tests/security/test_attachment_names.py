"""Path-traversal file names on every attachment upload (issue 9 item 5; OWASP ASVS 5.0 V5.3.2): the multipart
body is written by hand, because Django's test client would strip the directories itself. The stored file stays
under MEDIA_ROOT, its name has no directory part from the client, and nothing lands outside."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from institutions.models import Attachment
from supervision.models import Complaint, ComplaintAttachment, InspectionAttachment
from tests.assessments.conftest import filing  # noqa: F401  (fixture)
from tests.institutions.conftest import draft, make_draft, occupations, on, people, regions  # noqa: F401
from tests.supervision.conftest_draws import office  # noqa: F401  (fixture)
from tests.supervision.test_inspections import special

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE_NAMES = [
    "../../etc/passwd.pdf",
    "../../../../../../tmp/escaped-h10.pdf",
    "..\\..\\..\\windows\\system32\\evil.pdf",
    "/etc/cron.d/evil.pdf",
    "&#46;&#46;/&#46;&#46;/escaped-entity.pdf",  # Django un-escapes HTML entities in names: still no way out
    "subdir/../../escaped-mixed.pdf",
]
BOUNDARY = "h10-boundary-7f3a"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The public complaint form is rate-limited per client IP; every case here is a first visit."""
    cache.clear()
    yield
    cache.clear()


def multipart(fields: dict[str, str], file_field: str, file_name: str, content: bytes) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_raw(client: Client, url: str, body: bytes):
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def assert_stored_inside_media_root(stored_name: str, original_name: str):
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / stored_name).resolve()
    assert path.is_relative_to(root), stored_name
    assert path.is_file() and path.read_bytes() == PDF
    assert ".." not in Path(stored_name).parts
    assert "/" not in original_name and "\\" not in original_name and ".." not in original_name
    for escaped in ("escaped-h10.pdf", "escaped-entity.pdf", "escaped-mixed.pdf"):
        assert not any(p.exists() for p in (root.parent / escaped, root.parent.parent / escaped, Path("/tmp", escaped)))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_application_attachment_names_cannot_leave_media_root(client, draft, people, name):
    client.force_login(people["inst_user"])
    url = reverse("institutions:application_edit", args=[draft.pk, "attachments"])
    response = post_raw(client, url, multipart({"kind": "legal_person"}, "file", name, PDF))
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert_stored_inside_media_root(attachment.file.name, attachment.original_name)
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_complaint_attachment_names_cannot_leave_media_root(client, filing, people, name):
    with on("2026-03-16"):
        response = post_raw(client, reverse("supervision:complaint_new"), multipart(
            {"institution": str(people["inst"].pk), "facts": "考场无监控录像", "anonymous": "on"},
            "attachments", name, PDF))
    assert response.status_code == 302, response.content[:300]
    attachment = ComplaintAttachment.objects.get(complaint=Complaint.objects.get())
    assert_stored_inside_media_root(attachment.file.name, attachment.original_name)
    assert attachment.file.name.startswith("supervision/complaints/")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_inspection_attachment_names_cannot_leave_media_root(office, name):
    inspection = special(office)
    member = Client()
    member.force_login(office["inspectors"][0].user)
    response = post_raw(member, f"/staff/supervision/inspections/{inspection.pk}/attachments/",
                        multipart({}, "file", name, PDF))
    assert response.status_code == 302, response.content[:300]
    attachment = InspectionAttachment.objects.get(inspection=inspection)
    assert_stored_inside_media_root(attachment.file.name, attachment.original_name)
    assert attachment.file.name.startswith("supervision/inspections/")


def test_the_api_upload_of_an_inspection_attachment_is_as_safe(office):
    from rest_framework.test import APIClient

    inspection = special(office)
    member = APIClient()
    member.force_authenticate(office["inspectors"][0].user)
    response = member.post(f"/api/v1/inspections/{inspection.pk}/attachments/",
                           data=multipart({}, "file", "../../etc/passwd.pdf", PDF),
                           content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 201, response.content[:300]
    attachment = InspectionAttachment.objects.get(inspection=inspection)
    assert response.json()["original_name"] == "passwd.pdf"
    assert_stored_inside_media_root(attachment.file.name, attachment.original_name)
