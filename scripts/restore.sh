#!/bin/sh
# Restore a backup made by scripts/backup.sh into an EMPTY database, then verify the audit chain.
# Usage: scripts/restore.sh DUMP [MEDIA_TARBALL]        (docs/BACKUP.md)
# Reads DATABASE_URL (the new, empty database: createdb it first) and MEDIA_DIR (default
# $FILING_PORTAL_DATA_DIR/media). Needs the same PERSONAL_DATA_KEY as the backed-up portal to
# read ID numbers afterwards; verify_audit itself needs no key. Exits non-zero when the restore
# fails or the audit chain of the restored database is broken (REC-01/02).
set -eu

dump=${1:?usage: scripts/restore.sh DUMP [MEDIA_TARBALL]}
media_tar=${2:-}
: "${DATABASE_URL:?DATABASE_URL must name the empty PostgreSQL database to restore into}"
media=${MEDIA_DIR:-${FILING_PORTAL_DATA_DIR:-data}/media}
python=${PYTHON:-python}

sums="$(dirname "$dump")/SHA256SUMS-$(basename "$dump" .dump | sed 's/^filing-//')"
if [ -f "$sums" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$sums")")
fi
# --exit-on-error: a half-restored database must not look like a good one.
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$dump"
if [ -n "$media_tar" ]; then
  mkdir -p "$media"
  tar -xzf "$media_tar" -C "$media"
fi
cd "$(dirname "$0")/.."
"$python" manage.py verify_audit
