"""Production: every secret from the environment, HTTPS everywhere, static files by whitenoise."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False


def _required(name: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in production (see .env.example). 生产环境必须设置 {name}。"
        )
    return value


SECRET_KEY = _required("SECRET_KEY")
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])  # rotate without logging everyone out
PERSONAL_DATA_KEY = _required("PERSONAL_DATA_KEY")
CERTIFICATE_QR_KEY = _required("CERTIFICATE_QR_KEY")  # signs printed QR codes: never derived from SECRET_KEY
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))  # e.g. smtp+tls://user:password@mail.example.gov.cn:587
# Unset or empty would answer every request with 400: refuse to start instead, naming the variable.
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])

# Persistent database connections (docs/PERFORMANCE.md): a new PostgreSQL connection per request cost more
# than the verification query itself. Health checks (base.py) keep a restarted server harmless.
# `?conn_max_age=` in DATABASE_URL or CONN_MAX_AGE wins; 0 turns it off.
if "CONN_MAX_AGE" not in DATABASES["default"]:  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
