"""证件照片: the photo printed on a certificate (CERT-04, a 2-inch colour photo), checked by its content.

A photo is accepted only when Pillow reads it as a JPEG or PNG image and it is at most 2 MB: the file name and
the browser's content type say nothing (a renamed .exe is refused), and a truncated or corrupt image is refused
before it reaches a certificate.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "JPEG", "PNG": "PNG"}


def photo_validate(data: bytes) -> None:
    """Raise `ValidationError` (one clear message) unless `data` is a real JPEG or PNG image of ≤ 2 MB."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValidationError(_("The photo file is empty."), code="photo_empty")
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 2 MB (%(kb)d KB).") % {"kb": len(data) // 1024},
                              code="photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()  # reads the whole file: truncated or corrupt images fail here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The photo is not a JPEG or PNG image."), code="photo_not_image") from None
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("The photo is a %(kind)s image; upload a JPEG or PNG.") % {"kind": kind},
                              code="photo_format")


def photo_bytes(photo) -> bytes:
    """The content of an uploaded file or a stored `FieldFile`, read from the start and never more than one byte
    past the limit (enough to refuse it); an uploaded file is rewound so it can still be saved."""
    opened_here = False
    if hasattr(photo, "closed") and photo.closed and hasattr(photo, "open"):
        photo.open("rb")
        opened_here = True
    try:
        if hasattr(photo, "seek"):
            photo.seek(0)
        data = photo.read(PHOTO_MAX_BYTES + 1)
        if hasattr(photo, "seek"):
            photo.seek(0)
    finally:
        if opened_here:
            photo.close()
    return data if isinstance(data, bytes) else bytes(data)
