#!/usr/bin/env bash
# Installs pgSphere from Debian's packages for the local PostgreSQL server and creates the test database
# with the extension.  Idempotent.
#
# Debian bookworm ships pgSphere 1.2.0, whose install script declares two obsolete compatibility operators
# (@ between bigint/spoint and smoc) that PostgreSQL 15.20 and later refuse ("commutator operator @> is
# already the commutator of operator <@").  Upstream removed exactly these two operators (postgrespro/pgsphere
# pull request 92); when CREATE EXTENSION fails that way, this script removes them from the packaged script.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
DB="${MMVO_TEST_DB:-mmvo_test}"
export PGHOST PGPORT PGUSER

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

major=$(psql -d postgres -Atc "show server_version_num" | cut -c1-2)
pkg="postgresql-${major}-pgsphere"
if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    echo "pgsphere.sh: installing $pkg" >&2
    apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq)
    "${apt[@]}" install -y --no-install-recommends "$pkg" >/dev/null 2>&1 \
        || { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y --no-install-recommends "$pkg" >/dev/null; }
fi

psql -d postgres -Atc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
    || psql -d postgres -qc "create database $DB"

if ! psql -d "$DB" -Atc "select 1 from pg_extension where extname='pg_sphere'" | grep -q 1; then
    if ! err=$(psql -d "$DB" -v ON_ERROR_STOP=1 -qc "create extension pg_sphere" 2>&1); then
        case "$err" in
        *"is already the commutator"*)
            script=$(pg_config --sharedir 2>/dev/null || echo "/usr/share/postgresql/$major")/extension/pg_sphere--1.2.0.sql
            [ -f "$script" ] || script="/usr/share/postgresql/$major/extension/pg_sphere--1.2.0.sql"
            echo "pgsphere.sh: removing the obsolete smoc compatibility operators from $script" >&2
            tmp=$(mktemp)
            awk '/^CREATE OPERATOR @ \($/ { buf = $0; inblk = 1; next }
                 inblk { buf = buf "\n" $0; if ($0 ~ /^\);/) { inblk = 0; if (buf !~ /RIGHTARG *= smoc/) print buf }; next }
                 { print }' "$script" > "$tmp"
            $sudo cp "$tmp" "$script" && rm -f "$tmp"
            psql -d "$DB" -v ON_ERROR_STOP=1 -qc "create extension pg_sphere"
            ;;
        *) echo "$err" >&2; exit 1 ;;
        esac
    fi
fi
echo "pgsphere.sh: database $DB on $PGHOST:$PGPORT has pg_sphere $(psql -d "$DB" -Atc "select extversion from pg_extension where extname='pg_sphere'")" >&2
