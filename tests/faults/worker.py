"""The fault tests' Celery worker: the portal's own worker (prefork, one child), each certificate page of a
batch PDF slowed by FAULTS_PAGE_DELAY seconds so that a test can kill it half-way through a batch.

Run as `python -m tests.faults.worker NAME` with the environment of `Stack` (tests/faults/conftest.py).
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.settings")
django.setup()

from certificates import documents  # noqa: E402
from filing_portal.celery import app  # noqa: E402

_delay = float(os.environ.get("FAULTS_PAGE_DELAY") or 0)
_page_data = documents.certificate_pdf_data


def _slow_page_data(cert):
    time.sleep(_delay)
    return _page_data(cert)


documents.certificate_pdf_data = _slow_page_data  # inherited by the pool's child (fork)

if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "faults"
    app.worker_main(["worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "info",
                     "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"])
