"""Gunicorn settings for the `web` container (docs/DEPLOY.md).

Every knob comes from the environment so the same image fits a small VM and a big host.
"""

import gc
import os


def _cpu_count() -> int:
    # sched_getaffinity honours a container's cpuset; os.cpu_count() would report the host.
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _workers() -> int:
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return max(1, int(configured))
    # The usual 2 × cores + 1, capped: each worker holds its own database connections
    # and scaling out means more containers (`--scale web=N`), not bigger ones.
    return min(2 * _cpu_count() + 1, 8)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _workers()
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
graceful_timeout = 60
keepalive = 5
# Recycle workers now and then so a slow leak (PDF rendering, spreadsheets) cannot grow forever. Not too
# often: at 2,000 requests each of 5 workers restarted every half minute under the benchmark's load (about
# 360 verifications a second), each restart importing Django again (docs/PERFORMANCE.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Load the application once in the master and fork it: a recycled worker starts in milliseconds instead
# of re-importing Django and the portal, and the workers share the loaded code's memory. Nothing in the
# portal opens a database, cache or broker connection at import time. GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def pre_fork(server, worker):
    """With the app preloaded: move the master's objects (Django, the portal, some 200,000) out of the cyclic
    collector's reach before each fork (gc.freeze). A worker's full collections then scan only what it made
    itself — at the view they were most of the directory search's p95 (docs/PERFORMANCE.md) — and never
    write to the pages it shares with the master, so they stay shared (copy-on-write)."""
    if preload_app:
        gc.freeze()

# Logs go to stdout/stderr; Docker collects them. The access log is the reverse proxy's (docs/DEPLOY.md): it
# sees the client's address, gunicorn only the proxy's. Gunicorn's own line per request (every header
# copied into a dict, formatted, written) was about 7% of a worker's time under the verification load
# (docs/PERFORMANCE.md); GUNICORN_ACCESS_LOG=- writes it to stdout as well, or to a file path.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "").strip() or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Which peers may set X-Forwarded-Proto/-For for gunicorn: our reverse proxy only.
# Comma-separated IPs or CIDR networks; "*" only when nothing but the proxy can reach
# the container (docs/DEPLOY.md). The audit trail's client IP is decided separately by
# Django's TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn ≥ 25 opens a control socket under $HOME by default; the image's home (/app) is
# read-only for the app user, so keep it in /tmp (ignored by older gunicorn).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "/tmp/gunicorn.ctl")
