"""Public verification (CERT-05, PUB-04): the answer the public sees, signed QR links, rate limits."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filing_portal.core.ratelimit import Limit, rate_limit_hit
from filing_portal.personal_data import IdType, mask_id_number

from .models import LEVEL_LABELS, Certificate

# One answer for "no such number", "malformed" and "name does not match" (CERT-05).
NOT_FOUND = gettext_lazy(
    "No certificate matches what you entered. Check the number and the name, or ask the issuing institution."
)

# 10 a minute and 100 a day per client (the issue's figures; the national site limits similarly).
VERIFY_LIMITS = (Limit(10, 60), Limit(100, 86400))


def public_answer(cert: Certificate) -> dict:
    """What the public may see of a certificate: masked ID, no photo (PUB-04)."""
    return {
        "number": cert.number,
        "holder_name": cert.holder_name,
        "id_type": cert.id_type,
        "id_type_display": IdType(cert.id_type).label,
        "id_number_masked": mask_id_number(cert.id_number),
        "occupation_code": cert.occupation_code,
        "occupation_name": cert.occupation_name,
        "work_type": cert.work_type_display,
        "level": cert.level,
        "level_display": str(LEVEL_LABELS[cert.level]),
        "issue_date": cert.issue_date.isoformat(),
        "institution_name": cert.institution_name,
        "filing_number": cert.filing_number,
        "status": cert.status,
        "status_display": _("valid") if cert.status == "valid" else _("voided"),
        "voided_on": cert.voided_on.isoformat() if cert.voided_on else None,
    }


def _derive(secret: str) -> bytes:
    return hashlib.sha256(b"certificates.qr:" + secret.encode()).digest()


def _qr_keys() -> list[bytes]:
    """The signing key first, then the fallbacks that still verify (settings.CERTIFICATE_QR_KEY*).

    Without CERTIFICATE_QR_KEY (development only: production requires it) the key is derived from
    SECRET_KEY, as it was before the setting existed; so putting the old SECRET_KEY in
    CERTIFICATE_QR_KEY_FALLBACKS keeps the QR codes printed then valid.
    """
    primary = getattr(settings, "CERTIFICATE_QR_KEY", "") or settings.SECRET_KEY
    fallbacks = [k for k in getattr(settings, "CERTIFICATE_QR_KEY_FALLBACKS", []) or [] if k]
    return [_derive(primary), *(_derive(k) for k in fallbacks)]


def _sign(key: bytes, number: str) -> str:
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:20]


def qr_signature(number: str) -> str:
    """HMAC over the certificate number: a QR link whose number or signature was changed is detected."""
    return _sign(_qr_keys()[0], number)


def qr_signature_valid(number: str, signature: str) -> bool:
    """True when any current or fallback key made this signature (a rotated key keeps old prints valid)."""
    given = (signature or "").lower()
    # compare against every key (no early exit): the time taken does not tell which key matched
    return any([hmac.compare_digest(_sign(key, number), given) for key in _qr_keys()])


def verify_path(number: str) -> str:
    from django.urls import reverse

    return reverse("certificates:qr", kwargs={"number": number, "signature": qr_signature(number)})


def verify_url(number: str) -> str:
    """The absolute URL printed as a QR code on the certificate."""
    return settings.PORTAL_BASE_URL.rstrip("/") + verify_path(number)


def verify_rate_limit(client: str | None):
    return rate_limit_hit("certificate-verify", client or "unknown", VERIFY_LIMITS)
