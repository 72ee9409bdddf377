"""Client IP for audit events and rate limits.

X-Forwarded-For is trusted only for the number of proxies we run
(TRUSTED_PROXY_COUNT): a client cannot reset a limit or fake its audit IP by
sending the header itself.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    # The last `hops` entries were appended by our own proxies; the one before them is the client.
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return remote


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        return self.get_response(request)
