#!/usr/bin/env bash
# Entrypoint of the local PostgreSQL stand-in: on the first start (empty PGDATA) makes a cluster
# whose superuser is POSTGRES_USER (default postgres) with POSTGRES_PASSWORD (required), and the
# database POSTGRES_DB (default: POSTGRES_USER), listening on every address; then runs the server
# as the postgres user. `docker run IMAGE <other command>` runs that command instead.
set -euo pipefail

if [[ "${1:-}" != "postgres" ]]; then
    exec "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=${POSTGRES_USER}}"
as_postgres=()
if [[ "$(id -u)" == "0" ]]; then
    mkdir -p "${PGDATA}" /var/run/postgresql
    chown postgres:postgres "${PGDATA}" /var/run/postgresql
    chmod 0700 "${PGDATA}"
    as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi

if [[ ! -s "${PGDATA}/PG_VERSION" ]]; then
    if [[ -z "${POSTGRES_PASSWORD:-}" ]]; then
        echo "ERROR! POSTGRES_PASSWORD is not set." >&2
        exit 1
    fi
    pwfile="$(mktemp)"
    printf '%s\n' "${POSTGRES_PASSWORD}" >"${pwfile}"
    chmod 0644 "${pwfile}"
    "${as_postgres[@]}" initdb --username="${POSTGRES_USER}" --pwfile="${pwfile}" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 -D "${PGDATA}" >/dev/null
    rm -f "${pwfile}"
    echo "host all all all scram-sha-256" >>"${PGDATA}/pg_hba.conf"
    echo "listen_addresses = '*'" >>"${PGDATA}/postgresql.conf"
    if [[ "${POSTGRES_DB}" != "postgres" ]]; then
        "${as_postgres[@]}" pg_ctl -D "${PGDATA}" -o "-c listen_addresses=''" -w start >/dev/null
        "${as_postgres[@]}" psql -v ON_ERROR_STOP=1 -U "${POSTGRES_USER}" -d postgres -q \
            -c "CREATE DATABASE \"${POSTGRES_DB//\"/\"\"}\""
        "${as_postgres[@]}" pg_ctl -D "${PGDATA}" -m fast -w stop >/dev/null
    fi
    echo "PostgreSQL init done: superuser ${POSTGRES_USER}, database ${POSTGRES_DB}"
fi

exec "${as_postgres[@]}" "$@"
