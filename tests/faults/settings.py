"""Settings of the portal processes the fault tests start (gunicorn, celery worker, manage.py).

The test settings, plus what they leave out on purpose: the cache on Redis when REDIS_URL is set (as in
production: the fail-soft backend), one media folder shared by the processes of a test, a broker that
restores unacknowledged messages every second (production: about every 100 s), and tables made straight
from the models (`migrate --run-syncdb` without migrations: seconds instead of half a minute; the faults
are not about the schema).
"""

import os

from filing_portal.settings.test import *  # noqa: F403
from filing_portal.settings.test import CELERY_BROKER_URL, REDIS_URL


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


MIGRATION_MODULES = _NoMigrations()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "filing_portal.core.cache.FailSoftRedisCache", "LOCATION": REDIS_URL}}
if CELERY_BROKER_URL.startswith("redis://"):
    from filing_portal.settings.base import CELERY_BROKER_TRANSPORT_OPTIONS

    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "unacked_restore_interval": 1,
                                       "unacked_restore_throttle": 1}
MEDIA_ROOT = os.environ.get("FAULTS_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
