#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump custom format) and the media files.
# Usage: scripts/backup.sh OUTDIR        (docs/BACKUP.md)
# Reads DATABASE_URL (postgres://user:password@host:port/name) and MEDIA_DIR (default
# $FILING_PORTAL_DATA_DIR/media, i.e. data/media). Writes OUTDIR/filing-STAMP.dump,
# OUTDIR/media-STAMP.tar.gz and OUTDIR/SHA256SUMS-STAMP. The keys in .env are NOT included:
# keep PERSONAL_DATA_KEY apart from these files, or the ID numbers in the dump are unreadable.
set -eu

out=${1:?usage: scripts/backup.sh OUTDIR}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL; SQLite is for development only" >&2; exit 2 ;;
esac
media=${MEDIA_DIR:-${FILING_PORTAL_DATA_DIR:-data}/media}
stamp=${BACKUP_STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
umask 077  # the dump holds personal data (encrypted ID numbers, names): owner-only files

# -Fc: compressed, restorable table by table with pg_restore; --no-owner: restorable as another role.
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$out/filing-$stamp.dump"
if [ -d "$media" ]; then
  tar -czf "$out/media-$stamp.tar.gz" -C "$media" .
else
  echo "backup.sh: no media directory at $media; only the database was dumped" >&2
fi
(cd "$out" && sha256sum "filing-$stamp.dump" $( [ -f "media-$stamp.tar.gz" ] && echo "media-$stamp.tar.gz") \
  > "SHA256SUMS-$stamp")
echo "$out/filing-$stamp.dump"
