#!/usr/bin/env bash
# docker-compose only: mounted into the primary's /docker-entrypoint-initdb.d/,
# so the official postgres entrypoint runs it once, on an empty data dir.
set -euo pipefail
# POSTGRES_HOST_AUTH_METHOD=trust covers "all" databases but not replication
# connections; the replicas' pg_basebackup and walreceiver need those.
echo "host replication all all trust" >>"${PGDATA}/pg_hba.conf"
# Shared settings (mounted at /aindus in every pg container).
echo "include_if_exists = '/aindus/aindus-services.conf'" >>"${PGDATA}/postgresql.conf"
psql -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d "${POSTGRES_DB:-aindus}" \
  -c 'CREATE EXTENSION IF NOT EXISTS vector'
