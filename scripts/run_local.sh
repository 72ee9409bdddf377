#!/usr/bin/env bash
# Serve the portal with its Celery worker and beat (embedded defaults: SQLite, filesystem broker).
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p data/celery
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$BIN/celery -A filing_portal worker --loglevel=info --concurrency=2 >data/celery/worker.log 2>&1 &
pids+=($!)
$BIN/celery -A filing_portal beat --loglevel=info --schedule data/celery/beat-schedule >data/celery/beat.log 2>&1 &
pids+=($!)
echo "Celery worker and beat started (logs in data/celery/). Portal: http://127.0.0.1:8000"
$BIN/python manage.py runserver 127.0.0.1:8000
