# syntax=docker/dockerfile:1
# The one image behind web (gunicorn), worker (celery) and beat (celery beat);
# docker-compose.yml picks the role with the command. See docs/DEPLOY.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=filing_portal.settings.production \
    FILING_PORTAL_DATA_DIR=/data \
    PYTHONPATH=/app

# fonts-arphic-ukai: the CJK Kai font (AR PL UKai, /usr/share/fonts/truetype/arphic/ukai.ttc)
# that the certificate and receipt PDFs embed. gettext: msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-arphic-ukai gettext \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer, so a source change does not reinstall them.
# We install the project itself (its [project] dependencies; `packages = []` makes it
# metadata only) constrained by requirements.lock: every runtime package comes at the
# version the lock pins, and the dev tools the lock also lists (pytest, ruff, hypothesis,
# factory_boy, ...) stay out of the image. The build happens in /tmp/build so the
# egg-info it leaves behind is thrown away with it.
COPY pyproject.toml requirements.lock /tmp/build/
RUN pip install --no-cache-dir -c /tmp/build/requirements.lock /tmp/build \
    && rm -rf /tmp/build

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app
# The source stays owned by root: the app user can read it, not change it.
COPY . /app

# Build-time only: production settings refuse to load without secrets, so this RUN line
# gets throwaway values that exist only in its own environment (nothing is written to the
# image's ENV). compilemessages refreshes the committed .mo files from the .po files.
RUN chmod 0755 /app/deploy/entrypoint.sh \
    && mkdir -p /app/locale \
    && SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
       PERSONAL_DATA_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
       CERTIFICATE_QR_KEY=build-only-not-a-qr-key \
       ALLOWED_HOSTS=localhost \
       sh -c 'python manage.py compilemessages --ignore=.venv --ignore=data \
              && python manage.py collectstatic --noinput' \
    && mkdir -p /data/media /data/beat \
    && chown app:app /data /data/media /data/beat
# /data/staticfiles (STATIC_ROOT, served by whitenoise) stays root-owned and read-only.
# /data/media and /data/beat are where the compose volumes mount; a fresh named volume
# copies this ownership, so the app user can write there.

USER app
EXPOSE 8000

# No HEALTHCHECK here: this image runs three roles and each gets its own check in
# docker-compose.yml (web: GET /healthz/ with python's urllib; the slim image has no curl).
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "filing_portal.wsgi:application"]
