#!/usr/bin/env bash
# Serve the portal with its Celery worker and beat (embedded defaults: SQLite, filesystem broker).
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DATA="${FILING_PORTAL_DATA_DIR:-data}"
mkdir -p "$DATA/celery"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$BIN/celery -A filing_portal worker --loglevel=info --concurrency=2 >"$DATA/celery/worker.log" 2>&1 &
pids+=($!)
$BIN/celery -A filing_portal beat --loglevel=info --schedule "$DATA/celery/beat-schedule" >"$DATA/celery/beat.log" 2>&1 &
pids+=($!)
echo "Celery worker and beat started (logs in $DATA/celery/). Portal: http://127.0.0.1:8000"
$BIN/python manage.py runserver 127.0.0.1:8000
