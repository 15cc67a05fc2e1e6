#!/bin/sh
# Restore a dump made by deploy/pg-backup.sh into a node's PostgreSQL database, bring the
# schema up to date and rebuild the search index from the database.
#
#   SIMPUL_DATABASE_URL=postgresql://simpul@db/simpul deploy/pg-restore.sh FILE [--force]
#
# The database must exist (createdb) and be empty, or hold only an empty schema made by
# 'simpul db upgrade'; one that holds organizations or services is refused unless --force,
# which replaces everything in it. Stop the servers and workers of the node first. The whole
# restore is one transaction: it is applied entirely or not at all. SIMPUL names the simpul
# command (default: simpul); the other SIMPUL_* settings (search URL...) come from the
# environment as for any simpul command.
set -eu

usage() { echo "usage: $0 FILE [--force]" >&2; exit 64; }
[ $# -ge 1 ] || usage
file=$1
force=${2:-}
[ -z "$force" ] || [ "$force" = "--force" ] || usage
[ -f "$file" ] || { echo "$0: no file $file" >&2; exit 66; }
url=${SIMPUL_DATABASE_URL:-}
[ -n "$url" ] || { echo "$0: set SIMPUL_DATABASE_URL (postgresql://...)" >&2; exit 64; }
url=$(printf '%s' "$url" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')
simpul=${SIMPUL:-simpul}

pg_restore --list "$file" > /dev/null   # a dump pg_restore can read, before touching anything

records=$(psql "$url" --no-psqlrc --quiet --tuples-only --no-align --command "
  SELECT coalesce(sum(n), 0) FROM (
    SELECT count(*) AS n FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name IN ('services', 'organizations')
  ) AS t" )
clean=""
if [ "$records" -gt 0 ]; then
  held=$(psql "$url" --no-psqlrc --quiet --tuples-only --no-align --command \
    "SELECT (SELECT count(*) FROM services) + (SELECT count(*) FROM organizations)")
  if [ "$held" -gt 0 ] && [ "$force" != "--force" ]; then
    echo "$0: the database holds $held organizations and services; restore into a fresh node," \
         "or --force to replace everything it holds" >&2
    exit 1
  fi
  clean="--clean --if-exists"   # the tables exist (empty schema, or --force): replace them
fi
# shellcheck disable=SC2086
pg_restore --no-owner --no-acl --single-transaction --exit-on-error $clean \
  --dbname="$url" "$file"
echo "restored $file" >&2
SIMPUL_DATABASE_URL=$url $simpul db upgrade
SIMPUL_DATABASE_URL=$url $simpul reindex
