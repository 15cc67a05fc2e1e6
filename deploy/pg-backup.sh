#!/bin/sh
# Back up a Simpul node's PostgreSQL database with pg_dump's custom format (compressed; one
# snapshot, consistent while the servers write).
#
#   SIMPUL_DATABASE_URL=postgresql://simpul@db/simpul deploy/pg-backup.sh /var/backups/simpul/x.dump
#
# The database URL is SIMPUL_DATABASE_URL (or the second argument). A password is best kept in
# ~/.pgpass (or PGPASSWORD) rather than in the URL. pg_dump must be at least as new as the server.
# The search index is not backed up: deploy/pg-restore.sh rebuilds it from the database.
set -eu

usage() { echo "usage: $0 FILE [DATABASE_URL]" >&2; exit 64; }
[ $# -ge 1 ] || usage
file=$1
url=${2:-${SIMPUL_DATABASE_URL:-}}
[ -n "$url" ] || { echo "$0: set SIMPUL_DATABASE_URL (postgresql://...)" >&2; exit 64; }
# SQLAlchemy's driver suffix (postgresql+psycopg://) means nothing to libpq
url=$(printf '%s' "$url" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')
case $url in
  postgresql://*|postgres://*) ;;
  *) echo "$0: not a PostgreSQL URL; SQLite nodes use 'simpul backup FILE'" >&2; exit 64 ;;
esac

partial="$file.partial"
rm -f "$partial"
pg_dump --format=custom --no-owner --no-acl --dbname="$url" --file="$partial"
mv "$partial" "$file"   # a half-written dump never takes the name
echo "wrote $file ($(wc -c < "$file") bytes)" >&2
