"""Session lifetimes and the second-factor gate, after authentication and the client IP."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .security import (
    RULE_SECOND_FACTOR,
    RULE_SESSION,
    is_api_request,
    second_factor_required,
    session_expired,
    session_limits,
)

# Reachable before the second factor: logging in and out, the two-factor pages themselves, language and health.
_OPEN_BEFORE_SECOND_FACTOR = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/", "/i18n/", "/healthz/")


class SessionSecurityMiddleware:
    """Ends sessions past their idle or absolute lifetime (staff: 30 minutes idle, 12 hours in all) and
    keeps staff who have not entered their one-time code away from every staff page and session API call."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, so no signed-in user whose session could expire: the public's lookups (most of
            # the traffic) pass without loading the lazy user and its session (docs/PERFORMANCE.md).
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            reason = session_expired(request)
            if reason:
                return self._expire(request, reason)
            if second_factor_required(user) and not _verified(user) and not self._open(request):
                return self._second_factor(request, user)
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        static = settings.STATIC_URL or "/static/"
        return request.path.startswith(_OPEN_BEFORE_SECOND_FACTOR) or request.path.startswith(static)

    @staticmethod
    def _expire(request, reason: str):
        idle, absolute = session_limits(request.user)
        request.portal_logout_reason = f"session_{reason}"
        logout(request)
        if reason == "idle":
            message = _("Your session ended after %(minutes)d minutes without activity. Please log in again.") % {
                "minutes": idle.total_seconds() // 60}
        else:
            message = _("Your session reached its maximum length of %(hours)d hours. Please log in again.") % {
                "hours": absolute.total_seconds() // 3600}
        if is_api_request(request):
            return JsonResponse({"code": "session_expired", "rule": RULE_SESSION, "message": message}, status=401)
        messages.warning(request, message)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    @staticmethod
    def _second_factor(request, user):
        if is_api_request(request):
            return JsonResponse(
                {"code": "second_factor_required", "rule": RULE_SECOND_FACTOR,
                 "message": _("Enter your one-time code on the login page before using the API.")},
                status=403,
            )
        from django_otp import user_has_device

        target = "otp_verify" if user_has_device(user) else "otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
