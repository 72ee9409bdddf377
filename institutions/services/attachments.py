"""Attachments: PDF, JPG or PNG up to 10 MB, the type checked by content, never by name alone."""

from __future__ import annotations

from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError

from ..models import Attachment, FilingApplication
from .applications import application_assert_editable

MAX_BYTES = 10 * 1024 * 1024
# magic bytes → (content type, accepted extensions)
SIGNATURES = (
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
)


class AttachmentError(DomainError):
    status = 400

    def __init__(self, message: str):
        super().__init__(message, rule="ELIG-07", code="bad_attachment")


def sniff(head: bytes, filename: str) -> str:
    """The content type the bytes really are; refuses other types and a name that disguises them."""
    extension = PurePath(filename or "").suffix.lower()
    for magic, content_type, extensions in SIGNATURES:
        if head.startswith(magic):
            if extension not in extensions:
                raise AttachmentError(_("%(name)s is a %(type)s file but is named %(ext)s; rename it and upload "
                                        "again.") % {"name": filename, "type": content_type,
                                                     "ext": extension or _("without an extension")})
            return content_type
    raise AttachmentError(_("%(name)s is not a PDF, JPG or PNG file (checked by its content).") % {"name": filename})


@transaction.atomic
def attachment_add(*, application: FilingApplication, kind: str, upload, acting_user) -> Attachment:
    """Store one attachment of the application (draft or while supplementing)."""
    application_assert_editable(application, acting_user)
    if kind not in Attachment.Kind.values:
        raise AttachmentError(_("Unknown attachment kind."))
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise AttachmentError(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AttachmentError(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
    if not data:
        raise AttachmentError(_("%(name)s is empty.") % {"name": upload.name})
    content_type = sniff(data[:16], upload.name)
    digest = Attachment.digest(data)
    attachment = Attachment(application=application, kind=kind, original_name=PurePath(upload.name).name[:200],
                            content_type=content_type, size=len(data), sha256=digest, uploaded_by=acting_user)
    attachment.file.save(PurePath(upload.name).name, ContentFile(data), save=False)
    attachment.save()
    audit_record(actor=acting_user, action="filingapplication.attach", obj=application,
                 data={"kind": kind, "file": attachment.original_name, "sha256": digest, "size": len(data)})
    return attachment
