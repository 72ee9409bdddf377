"""Login security: who needs a second factor, session lifetimes, the lockout answer and the login audit.

Standards: GB/T 22239-2019 (网络安全等级保护 2.0, level 3) 8.1.4.1 身份鉴别 and OWASP ASVS 5.0 V6
(authentication) and V7 (session management).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.core.middleware import client_ip

from .models import Role

RULE_LOCKOUT = "GB/T 22239-2019 8.1.4.1 b; ASVS 5.0 V6.3.1"
RULE_SESSION = "GB/T 22239-2019 8.1.4.1 b; ASVS 5.0 V7.3"
RULE_SECOND_FACTOR = "GB/T 22239-2019 8.1.4.1 d; ASVS 5.0 V6.3.3"

# Session keys: epoch seconds of the password login and of the last request seen.
LOGIN_AT = "portal_login_at"
SEEN_AT = "portal_seen_at"
# The last-seen stamp is rewritten at most this often, so a page view does not always write the session.
SEEN_RESOLUTION_SECONDS = 60
USERNAME_MAX = 150

PRIVILEGED_ROLES = frozenset({Role.CITY_STAFF, Role.PROVINCE_STAFF, Role.ADMIN})


def is_privileged(user) -> bool:
    """Office staff and administrators (also anyone allowed into the Django admin)."""
    return bool(user.is_authenticated and (user.role in PRIVILEGED_ROLES or user.is_staff or user.is_superuser))


def second_factor_required(user) -> bool:
    return bool(settings.OTP_REQUIRED_FOR_STAFF) and is_privileged(user)


def session_limits(user) -> tuple[timedelta | None, timedelta | None]:
    """(idle, absolute) lifetime of this user's session; None is no limit beyond the cookie's age."""
    if is_privileged(user):
        return settings.SESSION_STAFF_IDLE_TIMEOUT, settings.SESSION_STAFF_ABSOLUTE_TIMEOUT
    return settings.SESSION_USER_IDLE_TIMEOUT, settings.SESSION_USER_ABSOLUTE_TIMEOUT


def _now() -> int:
    return int(timezone.now().timestamp())


def session_start(session) -> None:
    now = _now()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def session_expired(request) -> str:
    """'idle' or 'absolute' when the session of request.user has outlived its limits, else ''."""
    session = request.session
    now = _now()
    if LOGIN_AT not in session:  # a session from before these stamps: it starts now
        session_start(session)
        return ""
    idle, absolute = session_limits(request.user)
    if absolute is not None and now - session[LOGIN_AT] > absolute.total_seconds():
        return "absolute"
    if idle is not None and now - session.get(SEEN_AT, session[LOGIN_AT]) > idle.total_seconds():
        return "idle"
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
    return ""


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _("Too many failed logins: this account or this address is locked for %(minutes)d minutes. "
             "Try again later, or ask an administrator to unlock it.") % {"minutes": lockout_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with the reason, a page for browsers and JSON for the API."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if is_api_request(request):
        response = JsonResponse(
            {"code": "locked_out", "rule": RULE_LOCKOUT, "message": lockout_message(),
             "retry_after_minutes": lockout_minutes()},
            status=status,
        )
    else:
        response = render(
            request, "registration/locked_out.html",
            {"message": lockout_message(), "minutes": lockout_minutes(), "rule": RULE_LOCKOUT}, status=status,
        )
    response["Retry-After"] = retry_after
    return response


# The audit of logins (REC-01). The password never reaches these receivers: Django's `authenticate`
# cleanses it from `credentials` before sending `user_login_failed`, and nothing here reads the POST.

def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "client_ip", None) or client_ip(request)


def _typed_username(credentials) -> str:
    return str((credentials or {}).get("username") or "")[:USERNAME_MAX]


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the typed name cut to the model's 150 characters, so a longer one is
    counted against the same account (and fits axes' 255-character column) instead of failing."""
    if credentials:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", None) or request.POST
        username = data.get("username")
    return None if username is None else str(username)[:USERNAME_MAX]


def on_logged_in(sender, request, user, **kwargs):
    from filing_portal.audit.services import audit_record

    if request is None:
        return
    if hasattr(request, "session"):
        session_start(request.session)
    audit_record(actor=user, action="auth.login", obj=user, ip=_ip(request),
                 data={"second_factor_pending": second_factor_required(user), "path": request.path[:200]})


def on_login_failed(sender, credentials, request=None, **kwargs):
    from filing_portal.audit.services import audit_record

    if request is None:
        return
    # An attempt axes refused outright carries the lock flag but was not counted (no failure total).
    refused = bool(getattr(request, "axes_locked_out", False)) and getattr(
        request, "axes_failures_since_start", None) is None
    audit_record(actor=AnonymousUser(), action="auth.login_failed", ip=_ip(request),
                 data={"username": _typed_username(credentials), "refused_while_locked": refused,
                       "path": request.path[:200]})


def on_locked_out(sender, request, username, ip_address, **kwargs):
    from filing_portal.audit.services import audit_record

    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:  # a further attempt while locked: audited as a refused login failure
        return
    audit_record(actor=AnonymousUser(), action="auth.lockout", ip=_ip(request), comment=RULE_LOCKOUT,
                 data={"username": str(username or "")[:USERNAME_MAX], "failures": failures,
                       "minutes": lockout_minutes()})


def on_logged_out(sender, request, user, **kwargs):
    from filing_portal.audit.services import audit_record

    if user is None or request is None:
        return
    reason = getattr(request, "portal_logout_reason", "") or "user"
    audit_record(actor=user, action="auth.logout", obj=user, ip=_ip(request), data={"reason": reason})


def connect_signals() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="portal_audit_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="portal_audit_login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="portal_audit_logout")
    user_locked_out.connect(on_locked_out, dispatch_uid="portal_audit_lockout")
