"""Settings shared by every environment, read from the environment with django-environ."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env.str("FILING_PORTAL_DATA_DIR", default=str(BASE_DIR / "data")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, no CDN
    "axes",  # login lockout (AXES_* below)
    "django_otp",  # the second factor for staff (OTP_* below)
    "django_otp.plugins.otp_totp",
    # the kernel
    "filing_portal.accounts",
    "filing_portal.regions",
    "filing_portal.workdays",
    "filing_portal.audit",
    "filing_portal.core",
    "filing_portal.notifications",
    # the apps, lowest layer first
    "certificates",
    "institutions",
    "assessments",
    "supervision",
    "renewals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "filing_portal.core.security.ContentSecurityPolicyMiddleware",  # before whitenoise: static files too
    "filing_portal.core.security.UploadSizeLimitMiddleware",  # 413 before a large body is read
    "filing_portal.core.security.NulByteMiddleware",  # 400 for %00 in the query string (PostgreSQL text)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "filing_portal.core.middleware.ClientIPMiddleware",
    "filing_portal.accounts.middleware.SessionSecurityMiddleware",  # session lifetimes, the second factor
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 page
]

ROOT_URLCONF = "filing_portal.urls"
WSGI_APPLICATION = "filing_portal.wsgi.application"
ASGI_APPLICATION = "filing_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "filing_portal.core.context_processors.portal",
                "filing_portal.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (DATABASE_URL ?conn_max_age=60) are checked before a request reuses them, so a
# restarted PostgreSQL costs no 500s once it is back (docs/FAULTS.md); harmless with the default of 0.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip for a connection in steady use
    # (filing_portal/core/postgresql/base.py; docs/FAULTS.md).
    DATABASES["default"]["ENGINE"] = "filing_portal.core.postgresql"
    # A server that does not answer fails the request in 5 s (503, core.views.server_error), never hangs it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Planner settings for a database on SSD or in RAM, per connection so they hold whatever the server's
    # postgresql.conf says (docs/PERFORMANCE.md): no JIT (short OLTP queries; JIT compiled the directory's
    # COUNT for longer than it ran) and random_page_cost 1.1 instead of the spinning-disk default 4 (with 4,
    # a directory search by occupation scanned all 50,000 filings instead of probing the 800 it needs:
    # 25 ms -> 5 ms).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off -c random_page_cost=1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: wait for the writer instead of failing at once while
    # the worker, beat and the web process share one file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Passwords (GB/T 22239-2019 8.1.4.1 a, ASVS 5.0 V6.2): at least 8 characters of at least 3 of the 4
# classes, not one of Django's 20,000 common passwords, not close to the username, name or e-mail.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "filing_portal.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend first: a locked account or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "filing_portal.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (GB/T 22239-2019 8.1.4.1 b, ASVS 5.0 V6.3.1): 5 failed logins for one account, or from one
# address, lock that account, or that address, for 30 minutes from the fifth failure; attempts while
# locked are refused (429) without extending the lock. The address is the one ClientIPMiddleware trusts.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # a success from the address does not wipe the failures counted against it
AXES_CLIENT_IP_CALLABLE = "filing_portal.core.middleware.client_ip"
AXES_USERNAME_CALLABLE = "filing_portal.accounts.security.axes_username"  # cut to 150 characters
AXES_LOCKOUT_CALLABLE = "filing_portal.accounts.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp"]
# Sessions (ASVS 5.0 V7.3): staff and administrators 30 minutes idle and 12 hours in all; everyone else
# (institutions, experts, inspectors) 8 hours idle — a working day — within the cookie's 2 weeks.
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_USER_IDLE_TIMEOUT = timedelta(hours=8)
SESSION_USER_ABSOLUTE_TIMEOUT = None
# The second factor (GB/T 22239-2019 8.1.4.1 d): staff and administrators confirm every login with a
# TOTP code (filing_portal/accounts/otp.py); the test settings turn it off for the suite's many
# force_login() staff sessions, and tests/accounts/test_security_otp.py turns it on again.
OTP_REQUIRED_FOR_STAFF = True
OTP_TOTP_ISSUER = "职业技能等级认定机构备案门户"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FORMAT_MODULE_PATH = ["filing_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Personal data (DESIGN.md "Personal data"): 32 random bytes, urlsafe base64.
# Production requires it; elsewhere a key derived from SECRET_KEY is used.
PERSONAL_DATA_KEY = env.str("PERSONAL_DATA_KEY", default="")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "filing_portal.core.api.PortalAutoSchema",  # documents the common 400/403/404/415
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "filing_portal.core.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "filing_portal.core.api.exception_handler",
    "DATE_FORMAT": "%Y-%m-%d",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Filing portal API",
    "DESCRIPTION": "职业技能等级认定机构备案门户 API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "InstitutionKindEnum": "institutions.models.Institution.Kind",
        "ApplicationKindEnum": "institutions.application_models.FilingApplication.Kind",
        "VenueKindEnum": "institutions.application_models.Venue.Kind",
        "AnnouncementKindEnum": "institutions.filing_models.Announcement.Kind",
        "CancellationGroundEnum": "institutions.filing_models.Filing.CancellationGround",
        "EscalationGroundEnum": "supervision.cases.ESCALATION_GROUNDS",
        "TierEnum": "supervision.models.Tier",
        "ComplaintOutcomeEnum": "supervision.models.Complaint.Outcome",
        "InspectionOutcomeEnum": "supervision.models.Inspection.Outcome",
        "InspectionRecordOutcomeEnum": [("pass", "Pass"), ("fail", "Fail")],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: they put a link inside each operation's toggle button (axe nested-interactive, WCAG 4.1.2).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
}

# Celery. With REDIS_URL (or CELERY_BROKER_URL) the broker is Redis; without it,
# kombu's filesystem transport under DATA_DIR, so `make run` needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = DATA_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(DATA_DIR / "celery" / "processed"),
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"file://{DATA_DIR / 'celery' / 'results'}")
else:
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or CELERY_BROKER_URL)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Faults (docs/FAULTS.md). A message taken by a worker that then dies without acknowledging it (SIGKILL,
    # OOM, power) goes back to the queue `visibility_timeout` seconds after delivery; a new worker restores
    # such messages when it starts and every ~100 s after. Kombu's default is an hour. Ten minutes is longer
    # than any task takes except a very large batch PDF, whose second delivery finds the first still building
    # (a lock per job, certificates.services.pdf_job_build) and leaves it. We schedule no ETA/countdown
    # tasks, which a short visibility timeout would deliver twice.
    # The socket timeouts bound how long a web request waits on a Redis that hangs instead of refusing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
    CELERY_REDIS_SOCKET_TIMEOUT = 10
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A task whose worker process is killed mid-way (SIGKILL, OOM) is requeued, not acknowledged as failed:
# with acks_late alone Celery would drop it. Every task is idempotent, so the rerun finishes the work once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Sending a task while the broker is down fails after three quick tries (~0.4 s) instead of holding the
# request; the callers catch it after commit and a sweep sends the work again (pdf_jobs_requeue and
# notifications_email_pending).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Workers wait for the broker for as long as it is down (at start too) instead of exiting after 100 tries.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celery" / "beat-schedule")
# The sweep is idempotent: running it hourly means a restarted machine catches up
# within the hour, and a sweep that runs twice changes nothing the second time.
_SWEEP_SECONDS = env.int("DEADLINE_SWEEP_SECONDS", default=0)  # e.g. 30 for a demo; 0 = hourly at :05
# The batched sweeps (expiry, lapse, reminders) work in chunks of this many rows, each its own transaction.
DEADLINE_SWEEP_CHUNK_SIZE = env.int("DEADLINE_SWEEP_CHUNK_SIZE", default=2000)
# One beat process only (docker-compose.yml, README): the daily sweep runs at :05 every hour.
CELERY_BEAT_SCHEDULE = {
    "run-deadlines": {
        "task": "filing_portal.core.tasks.run_deadlines_task",
        "schedule": _SWEEP_SECONDS or crontab(minute=5),
    },
    # Batch PDFs requested while the broker was down, or whose worker died, are sent again (docs/FAULTS.md).
    "requeue-pdf-jobs": {
        "task": "certificates.tasks.pdf_jobs_requeue_task",
        "schedule": 300,
        "options": {"ignore_result": True},
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    # Redis down reads as a cache miss, never a 500 (filing_portal/core/cache.py, docs/FAULTS.md).
    CACHES = {"default": {"BACKEND": "filing_portal.core.cache.FailSoftRedisCache", "LOCATION": REDIS_URL}}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@filing-portal.local")

# The public address printed on certificates (QR codes, the verification website line).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# The key signing the certificates' QR links (CERT-05). Its own setting, not SECRET_KEY: printed
# certificates live for years, so rotating SECRET_KEY must not make them read as forged. Production
# requires it; elsewhere (empty) a key derived from SECRET_KEY is used. To rotate it, put the old value
# in CERTIFICATE_QR_KEY_FALLBACKS (comma separated): signatures made with any of them still verify.
CERTIFICATE_QR_KEY = env.str("CERTIFICATE_QR_KEY", default="")
CERTIFICATE_QR_KEY_FALLBACKS = env.list("CERTIFICATE_QR_KEY_FALLBACKS", default=[])

# Client IP for audit events: only trust X-Forwarded-For when a proxy we run sets it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Response headers against injected script and content sniffing (issue 9 "hostile input", OWASP ASVS 5.0 V3.4).
# No 'unsafe-inline': templates hold no inline script, style or event handler; /api/docs/ uses a nonce
# (filing_portal/core/security.py). json_script blocks are data, not run, so script-src does not apply to them.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Uploads: request bodies beyond this are refused with 413 before a view reads them (UploadSizeLimitMiddleware).
MAX_UPLOAD_REQUEST_BYTES = env.int("MAX_UPLOAD_REQUEST_BYTES", default=30 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # DESIGN.md "Personal data": logs never contain ID numbers.
    "filters": {"redact_ids": {"()": "filing_portal.personal_data.IdNumberRedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_ids"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
