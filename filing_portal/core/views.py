import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("filing_portal.faults")


def healthz(request):
    """Liveness and database reachability for load balancers and compose health checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        response = HttpResponse("database unavailable", status=503, content_type="text/plain")
        response["Retry-After"] = "30"
        return response
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """The 500 handler (urls.handler500). A database that cannot be reached (restarting, failing over)
    answers 503 with Retry-After instead: a clear "try again shortly", never a bare 500 (docs/FAULTS.md).
    The page uses no template context, which would query the database again."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return defaults.server_error(request)
    logger.warning("database unavailable, answered 503: %s: %s", type(exc).__name__, exc)
    message = _("The service is briefly unavailable. Please try again in a minute.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "unavailable", "rule": None, "message": message}, status=503)
    else:
        title = escape(_("Service unavailable"))
        response = HttpResponse(
            f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><main><h1>{title}</h1><p>{escape(message)}</p></main></body></html>",
            status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "30"
    return response


def not_found(request, exception):
    """The 404 handler (urls.handler404): under /api/ the API's error body (`code`, `rule`, `message`), as
    DRF's own 404s are, so a client that sends a malformed id (`/api/v1/batches/1.5/`) still gets JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "rule": None, "message": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
