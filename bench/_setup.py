"""Shared set-up for benchmarks: a PostgreSQL database of their own, migrated, Django configured.

Run a benchmark as `.venv/bin/python bench/bench_<name>.py`. BENCH_DATABASE_URL picks the server
(default postgres://postgres@127.0.0.1:5432/filing_bench); the database is created if missing.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(*, fresh: bool = False, name: str = "filing_bench") -> None:
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filing_portal.settings.local")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("PERSONAL_DATA_KEY", "YmVuY2htYXJrLW9ubHktcGVyc29uYWwtZGF0YS1rZXk=")
    import psycopg

    dbname = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values, p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]
