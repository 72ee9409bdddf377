"""pytest settings: fast hashing, in-memory mail, eager-free Celery (tests of tasks use a real worker)."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-7d2f1c9a0b8e4f6d3c5a7e9b1d0f2a4c"
PERSONAL_DATA_KEY = "dGVzdC1vbmx5LXBlcnNvbmFsLWRhdGEta2V5LTMyYnk="
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflow_app", "tests.pd_app"]  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "zh-hans"
# The suite logs staff in with force_login(); the second factor is tested with it on in
# tests/accounts/test_security_otp.py (override_settings).
OTP_REQUIRED_FOR_STAFF = False

# Tests that exercise the broker build their own Celery app (tests/tasks); everything else must not
# write queue files into the project's data folder.
if not REDIS_URL:  # noqa: F405
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"

import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="filing-portal-test-media-")  # uploads and PDFs of tests stay out of data/
