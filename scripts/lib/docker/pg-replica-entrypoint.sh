#!/usr/bin/env bash
# docker-compose only: entrypoint of the pg-replica containers. On the first
# start (empty data dir) it clones the primary with `pg_basebackup -R` through a
# physical replication slot, then runs postgres as a hot standby (settings
# come from the primary's postgresql.conf, which includes
# /aindus/aindus-services.conf). Extra arguments are passed to postgres.
set -euo pipefail
: "${PRIMARY_HOST:=pg-primary}" "${PRIMARY_PORT:=5432}" "${SLOT_NAME:?SLOT_NAME is required}"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ "$(id -u)" = 0 ]; then
  mkdir -p "${PGDATA}"
  chown -R postgres:postgres "${PGDATA}"
  chmod 700 "${PGDATA}"
  exec gosu postgres bash "$0" "$@"
fi

if [ ! -s "${PGDATA}/PG_VERSION" ]; then
  until pg_isready -q -h "${PRIMARY_HOST}" -p "${PRIMARY_PORT}" -U postgres; do sleep 1; done
  psql -v ON_ERROR_STOP=1 -h "${PRIMARY_HOST}" -p "${PRIMARY_PORT}" -U postgres -d postgres -Atc \
    "SELECT pg_create_physical_replication_slot('${SLOT_NAME}', true)
     WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '${SLOT_NAME}')" >/dev/null
  pg_basebackup -h "${PRIMARY_HOST}" -p "${PRIMARY_PORT}" -U postgres -D "${PGDATA}" \
    -R -X stream -S "${SLOT_NAME}" -c fast
fi

exec postgres "$@"
