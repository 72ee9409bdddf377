#!/bin/sh
# Entry point of the filing-portal image (web, worker and beat).
#  1. waits for PostgreSQL when DATABASE_URL points at it (bounded: DB_WAIT_TRIES × 2 s);
#  2. with RUN_MIGRATIONS=1 (the web service), runs `migrate --noinput` and
#     `load_reference_data` under a PostgreSQL advisory lock, so `--scale web=3`
#     migrates once while the other replicas wait for it;
#  3. execs the command given (gunicorn, celery worker, celery beat, manage.py ...).
set -eu

cd "$(dirname "$0")/.."  # the project root (/app in the image)

if [ "${WAIT_FOR_DB:-1}" = "1" ]; then
    python - <<'PY'
import os
import re
import sys
import time

import psycopg

url = os.environ.get("DATABASE_URL", "")
if not re.match(r"^(postgres|postgresql|pgsql|psql)://", url):
    sys.exit(0)  # SQLite or unset: nothing to wait for
url = re.sub(r"^[a-z]+://", "postgresql://", url)
tries = int(os.environ.get("DB_WAIT_TRIES", "30"))
for attempt in range(1, tries + 1):
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        # The message names host and database, never the password.
        print(f"entrypoint: database not ready ({attempt}/{tries}): {str(exc).strip().splitlines()[0]}",
              file=sys.stderr, flush=True)
        time.sleep(2)
    else:
        sys.exit(0)
sys.exit("entrypoint: gave up waiting for the database")
PY
fi

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    python - <<'PY'
import sys

import django

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402

LOCK_ID = 4_211_000_001  # any constant; shared by every web replica
on_postgres = connection.vendor == "postgresql"
if on_postgres:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
try:
    call_command("migrate", interactive=False)
    if "load_reference_data" in get_commands():
        call_command("load_reference_data")  # idempotent: regions, occupations, profiles
    else:
        print("entrypoint: load_reference_data not available yet; skipped", file=sys.stderr)
finally:
    if on_postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
PY
fi

exec "$@"
