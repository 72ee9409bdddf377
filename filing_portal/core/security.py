"""Content-Security-Policy on every response (OWASP ASVS 5.0 V3.4; issue 9 "hostile input").

Django 5.2 has no CSP of its own. The policy comes from `settings.CONTENT_SECURITY_POLICY` (directive →
sources). Our templates carry no inline script, style or event handler, so the policy needs no
'unsafe-inline'. A page that cannot avoid one inline block — the Swagger UI at /api/docs/, whose start-up
script drf-spectacular renders with the CSRF token in it — reads `request.csp_nonce` in its template; only
then is that per-request nonce added to script-src and style-src of that one response.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NONCE_DIRECTIVES = ("script-src", "style-src")


class _LazyNonce:
    """A nonce made on first use, so only the responses that used one carry it in their header."""

    def __init__(self):
        self.value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = secrets.token_urlsafe(18)
        return self.value

    __html__ = __str__  # safe to print in an attribute: url-safe base64 only


def policy_header(policy: dict[str, list[str]], nonce: str | None = None) -> str:
    parts = []
    for directive, sources in policy.items():
        sources = list(sources)
        if nonce and directive in NONCE_DIRECTIVES:
            sources.append(f"'nonce-{nonce}'")
        parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds `Content-Security-Policy` unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = _LazyNonce()
        request.csp_nonce = nonce
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy_header(policy, nonce.value)
        return response


class UploadSizeLimitMiddleware:
    """413 for a request body larger than `MAX_UPLOAD_REQUEST_BYTES`, before any view reads it (RFC 9110 §15.5.14).

    Django streams file parts to disk whatever their size (DATA_UPLOAD_MAX_MEMORY_SIZE counts only the
    non-file fields), and the forms check each file's size only after the whole body arrived. The largest
    legitimate body is a complaint with 3 × 5 MB attachments; the default ceiling is twice that.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_UPLOAD_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            message = _("The upload is %(size).1f MB; a request may carry at most %(max)d MB (HTTP 413).") % {
                "size": length / 1024 / 1024, "max": limit // 1024 // 1024}
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "request_too_large", "rule": None, "message": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class NulByteMiddleware:
    """400 for a query string that carries a NUL character (``%00``), before any view filters by it.

    PostgreSQL text cannot hold NUL: a filter value with one (`?kind=%00`, found by tests/fuzz) raised a
    DataError, a 500, wherever a view passed a query parameter to the database unvalidated. Bodies are
    covered by the form and serializer fields (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:  # what a decoded NUL comes from; GET is not parsed here
            message = _("The address contains a NUL character, which no search or filter can use.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid", "rule": None, "message": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
