"""The second factor (TOTP, django-otp) for staff and administrators (GB/T 22239-2019 8.1.4.1 d)."""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from filing_portal.audit.services import audit_record


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up: the same secret until it is confirmed, however often the page loads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The base32 secret an app asks for when the QR code cannot be scanned, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no image request, no third-party service sees the secret)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, light="#fff", title=_("QR code for your authenticator app"))


def device_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    """Confirms the pending device with its first code and marks the session verified."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
        if not device.verify_token(token):
            audit_record(actor=request.user, action="auth.second_factor_failed", obj=request.user,
                         ip=getattr(request, "client_ip", None), data={"stage": "setup"})
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        audit_record(actor=request.user, action="auth.second_factor_setup", obj=request.user,
                     ip=getattr(request, "client_ip", None))
    otp_login(request, device)
    return True


def session_verify(*, request, token: str) -> bool:
    """Checks a code against the user's confirmed device; on success the session counts as verified."""
    device = confirmed_device(request.user)
    verified = verify_token(request.user, device.persistent_id, token) if device else None
    ip = getattr(request, "client_ip", None)
    if verified is None:
        audit_record(actor=request.user, action="auth.second_factor_failed", obj=request.user, ip=ip,
                     data={"stage": "login"})
        return False
    otp_login(request, verified)
    audit_record(actor=request.user, action="auth.second_factor_verified", obj=request.user, ip=ip)
    return True


def token_check(*, user, token: str) -> bool:
    """For the API token endpoint: the code of a staff user's confirmed device."""
    device = confirmed_device(user)
    return bool(device and token and verify_token(user, device.persistent_id, token))
