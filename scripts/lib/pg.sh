# shellcheck shell=bash
# PostgreSQL primary + streaming replicas for scripts/services.sh. Sourced.
#
# Node names: primary, replica1, replica2. Data dir: $PG_ROOT/<node>,
# server log: $PG_ROOT/<node>.log, replication slot of a replica: aindus_<node>.

PG_CONF_INCLUDE=aindus-services.conf
PRIMARY_RECREATED=0

pg_node_port() {
  case $1 in
    primary) echo "${PG_PRIMARY_PORT}" ;;
    replica1) echo "${PG_REPLICA1_PORT}" ;;
    replica2) echo "${PG_REPLICA2_PORT}" ;;
    *) die "unknown PostgreSQL node '$1'" ;;
  esac
}
pg_node_dir() { echo "${PG_ROOT}/$1"; }
pg_node_log() { echo "${PG_ROOT}/$1.log"; }
pg_slot_name() { echo "aindus_$1"; }

# psql_at PORT DB SQL... — unaligned, tuples only, stops on the first error.
psql_at() {
  local port=$1 db=$2 args=() sql
  shift 2
  for sql in "$@"; do args+=(-c "$sql"); done
  PGOPTIONS='-c client_min_messages=warning' \
    "${PG_BIN}/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "${PG_SUPERUSER}" -d "$db" "${args[@]}" </dev/null
}

pg_ready() { "${PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "$1" -U "${PG_SUPERUSER}" -d postgres -t 2 >/dev/null 2>&1; }

# A data dir that PostgreSQL 15 could start from.
pg_dir_valid() {
  [[ -f $1/PG_VERSION && "$(cat "$1/PG_VERSION" 2>/dev/null)" == "${PG_MAJOR}" && -f $1/global/pg_control ]]
}

pg_postmaster_pid() { [[ -f $1/postmaster.pid ]] && head -n 1 "$1/postmaster.pid" 2>/dev/null; }

pg_running() {
  local dir=$1 pid
  pid="$(pg_postmaster_pid "$dir")" || return 1
  pid_alive "$pid" && as_pg "${PG_BIN}/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

# True when a server answering on PORT is the one with our data dir.
pg_port_is_ours() {
  local port=$1 dir=$2 got
  got="$(psql_at "$port" postgres "SHOW data_directory" 2>/dev/null)" || return 1
  [[ $got == "$dir" ]]
}

pg_sysid() {
  as_pg "${PG_BIN}/pg_controldata" -D "$1" 2>/dev/null | sed -n 's/^Database system identifier: *//p'
}

# Writes pg_hba.conf and the managed include file. Sets PG_CONF_CHANGED=1 when
# something that needs a restart changed (callers restart a running node then).
PG_CONF_CHANGED=0
pg_configure_node() {
  local node=$1 dir port changed=1
  dir="$(pg_node_dir "$node")"
  port="$(pg_node_port "$node")"
  local conf="# Managed by AindusDB scripts/services.sh and rewritten by every 'up'.
# For test-time changes use ALTER SYSTEM (postgresql.auto.conf), e.g.
#   ALTER SYSTEM SET recovery_min_apply_delay = '2s'; SELECT pg_reload_conf();
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${PG_RUN_DIR}'
cluster_name = 'aindus-${node}'
max_connections = 200
superuser_reserved_connections = 3
shared_buffers = 64MB
maintenance_work_mem = 128MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 256MB
max_slot_wal_keep_size = 2GB
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
wal_retrieve_retry_interval = 1s
wal_receiver_timeout = 15s
wal_sender_timeout = 15s
fsync = on
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
log_line_prefix = '%m [%p] %q%a '
log_min_duration_statement = -1
"
  local hba="# Managed by AindusDB scripts/services.sh: trust on loopback only.
local   all           all                    trust
host    all           all     127.0.0.1/32   trust
local   replication   all                    trust
host    replication   all     127.0.0.1/32   trust
"
  if [[ -f $dir/${PG_CONF_INCLUDE} && "$(cat "$dir/${PG_CONF_INCLUDE}")"$'\n' == "$conf" ]]; then
    changed=0
  else
    printf '%s' "$conf" | as_pg tee "$dir/${PG_CONF_INCLUDE}" >/dev/null
  fi
  if [[ ! -f $dir/pg_hba.conf || "$(cat "$dir/pg_hba.conf")"$'\n' != "$hba" ]]; then
    printf '%s' "$hba" | as_pg tee "$dir/pg_hba.conf" >/dev/null
    changed=1
  fi
  if ! grep -q "^include_if_exists = '${PG_CONF_INCLUDE}'" "$dir/postgresql.conf"; then
    printf "\n# AindusDB test services\ninclude_if_exists = '%s'\n" "${PG_CONF_INCLUDE}" |
      as_pg tee -a "$dir/postgresql.conf" >/dev/null
    changed=1
  fi
  # A replica follows the primary's port even if AINDUS_PG_PRIMARY_PORT changed.
  if [[ -f $dir/standby.signal ]] && ! grep -q "^primary_conninfo = .* port=${PG_PRIMARY_PORT}[ ']" "$dir/postgresql.auto.conf"; then
    as_pg sed -i "/^primary_conninfo = /s/ port=[0-9]*/ port=${PG_PRIMARY_PORT}/" "$dir/postgresql.auto.conf"
    changed=1
  fi
  PG_CONF_CHANGED=$changed
}

pg_start_node() {
  local node=$1 dir port
  dir="$(pg_node_dir "$node")"
  port="$(pg_node_port "$node")"
  pg_running "$dir" && return 0
  if port_listening "$port"; then
    die "cannot start pg-${node}: 127.0.0.1:${port} is already in use by another process
$(describe_port_owner "$port")"
  fi
  # A postmaster killed with SIGKILL may linger as a zombie for a moment; postgres
  # would take its stale postmaster.pid for a live server and refuse to start.
  local stale
  stale="$(pg_postmaster_pid "$dir" || true)"
  wait_for 10 pid_reaped "$stale" || true
  log "starting pg-${node} on 127.0.0.1:${port}"
  local attempt log_file
  log_file="$(pg_node_log "$node")"
  for attempt in 1 2 3 4; do
    if without_extra_fds as_pg "${PG_BIN}/pg_ctl" -D "$dir" -l "${log_file}" -w -t 120 start </dev/null >/dev/null; then
      break
    fi
    # Backends of a SIGKILLed postmaster may still hold its shared memory for a moment.
    if ((attempt < 4)) && tail -n 5 "${log_file}" 2>/dev/null | grep -qE 'pre-existing shared memory block|lock file .* already exists'; then
      log "pg-${node}: processes of the previous postmaster are still exiting; retrying"
      sleep 2
      continue
    fi
    warn "pg-${node} did not start; last lines of ${log_file}:"
    tail -n 15 "${log_file}" >&2 || true
    return 1
  done
  wait_for 30 pg_ready "$port" || {
    warn "pg-${node} started but does not accept connections on ${port}"
    return 1
  }
}

pg_stop_node() {
  local node=$1 mode=${2:-fast} dir
  dir="$(pg_node_dir "$node")"
  pg_running "$dir" || return 0
  log "stopping pg-${node} (mode ${mode})"
  as_pg "${PG_BIN}/pg_ctl" -D "$dir" -m "$mode" -w -t 120 stop </dev/null >/dev/null
}

pg_restart_node() {
  local node=$1
  log "restarting pg-${node} to apply its configuration"
  pg_stop_node "$node" fast
  pg_start_node "$node"
}

# Starts NODE when it is not running; restarts it when its config changed or
# the server stopped answering. Returns non-zero if it cannot be brought up.
pg_bring_up() {
  local node=$1 config_changed=$2 dir port
  dir="$(pg_node_dir "$node")"
  port="$(pg_node_port "$node")"
  if pg_running "$dir"; then
    if ((config_changed)); then
      pg_restart_node "$node" || return 1
    elif ! wait_for 10 pg_ready "$port" || ! pg_port_is_ours "$port" "$dir"; then
      warn "pg-${node} is running but not answering as itself on ${port}; restarting it"
      pg_stop_node "$node" immediate || true
      pg_start_node "$node" || return 1
    fi
  else
    pg_start_node "$node" || return 1
  fi
  pg_port_is_ours "$port" "$dir" || {
    warn "the server on ${port} is not pg-${node} (${dir})"
    return 1
  }
}

pg_init_primary() {
  local dir
  dir="$(pg_node_dir primary)"
  log "initdb pg-primary (${dir})"
  as_pg "${PG_BIN}/initdb" -D "$dir" -U "${PG_SUPERUSER}" --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-sync >"${PG_ROOT}/initdb.log" 2>&1 || {
    tail -n 20 "${PG_ROOT}/initdb.log" >&2
    die "initdb failed (see ${PG_ROOT}/initdb.log)"
  }
  PRIMARY_RECREATED=1
}

ensure_pg_primary() {
  local dir
  dir="$(pg_node_dir primary)"
  if ! pg_dir_valid "$dir"; then
    if [[ -e $dir ]]; then
      warn "pg-primary data dir ${dir} is incomplete; recreating it"
      pg_stop_node primary immediate 2>/dev/null || true
      rm -rf "$dir"
    fi
    pg_init_primary
  fi
  pg_configure_node primary
  if ! pg_bring_up primary "${PG_CONF_CHANGED}"; then
    # A broken primary is recreated (its replicas follow), unless the port is
    # taken by something else: that is reported by pg_start_node already.
    warn "pg-primary cannot be started; recreating its data dir"
    pg_stop_node primary immediate 2>/dev/null || true
    rm -rf "$dir"
    pg_init_primary
    pg_configure_node primary
    pg_bring_up primary 0 || die "pg-primary does not start even from a fresh initdb (see $(pg_node_log primary))"
  fi
  pg_ensure_database
}

pg_ensure_database() {
  local port=${PG_PRIMARY_PORT} have avail
  if [[ "$(psql_at "$port" postgres "SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'")" != 1 ]]; then
    log "creating database ${PG_DB}"
    psql_at "$port" postgres "CREATE DATABASE ${PG_DB}" >/dev/null
  fi
  psql_at "$port" "${PG_DB}" "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  have="$(psql_at "$port" "${PG_DB}" "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
  avail="$(psql_at "$port" "${PG_DB}" "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")"
  if [[ $have != "$avail" ]]; then
    log "ALTER EXTENSION vector UPDATE (${have} -> ${avail})"
    psql_at "$port" "${PG_DB}" "ALTER EXTENSION vector UPDATE" >/dev/null
  fi
  # Iterative index scans (pgvector >= 0.8) must be known to the loaded library.
  [[ "$(psql_at "$port" "${PG_DB}" "LOAD 'vector'" \
    "SELECT count(*) FROM pg_settings WHERE name = 'hnsw.iterative_scan'")" == 1 ]] ||
    die "pgvector in ${PG_DB} has no hnsw.iterative_scan setting (need pgvector >= ${PGVECTOR_MIN_VERSION})"
}

pg_ensure_slot() {
  local slot=$1 reserve=${2:-false} state
  state="$(psql_at "${PG_PRIMARY_PORT}" postgres \
    "SELECT coalesce(wal_status, 'none') FROM pg_replication_slots WHERE slot_name = '${slot}'")"
  if [[ $state == lost ]]; then
    log "replication slot ${slot} lost its WAL; dropping it"
    psql_at "${PG_PRIMARY_PORT}" postgres "SELECT pg_drop_replication_slot('${slot}')" >/dev/null
    state=""
  fi
  if [[ -z $state ]]; then
    psql_at "${PG_PRIMARY_PORT}" postgres \
      "SELECT pg_create_physical_replication_slot('${slot}', ${reserve})" >/dev/null
  fi
}

pg_recreate_replica() {
  local node=$1 dir slot
  dir="$(pg_node_dir "$node")"
  slot="$(pg_slot_name "$node")"
  pg_stop_node "$node" immediate 2>/dev/null || true
  rm -rf "$dir"
  # A fresh slot that reserves WAL from now on, so the base backup can follow it.
  wait_for 10 pg_slot_inactive "$slot" || true
  psql_at "${PG_PRIMARY_PORT}" postgres \
    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slot}' AND NOT active" >/dev/null
  pg_ensure_slot "$slot" true
  log "pg_basebackup -R pg-${node} from 127.0.0.1:${PG_PRIMARY_PORT} (slot ${slot})"
  as_pg "${PG_BIN}/pg_basebackup" -h 127.0.0.1 -p "${PG_PRIMARY_PORT}" -U "${PG_SUPERUSER}" \
    -D "$dir" -R -X stream -S "$slot" -c fast --no-sync </dev/null >"${PG_ROOT}/basebackup-${node}.log" 2>&1 || {
    tail -n 20 "${PG_ROOT}/basebackup-${node}.log" >&2
    die "pg_basebackup for pg-${node} failed"
  }
}

pg_slot_inactive() {
  [[ "$(psql_at "${PG_PRIMARY_PORT}" postgres \
    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$1' AND active")" == 0 ]]
}

# Why a replica must be rebuilt from the primary, or nothing if it need not be.
pg_replica_problem() {
  local node=$1 dir
  dir="$(pg_node_dir "$node")"
  if [[ ! -e $dir ]]; then echo "it does not exist"; return; fi
  if ! pg_dir_valid "$dir"; then echo "its data dir is incomplete"; return; fi
  if [[ ! -f $dir/standby.signal ]]; then echo "it is not a standby (no standby.signal)"; return; fi
  if ((PRIMARY_RECREATED)); then echo "the primary was recreated"; return; fi
  local a b
  a="$(pg_sysid "$(pg_node_dir primary)")"
  b="$(pg_sysid "$dir")"
  if [[ -z $a || -z $b || $a != "$b" ]]; then echo "its system identifier differs from the primary's"; return; fi
}

ensure_pg_replica() {
  local node=$1 problem
  problem="$(pg_replica_problem "$node")"
  if [[ -n $problem ]]; then
    [[ $problem == "it does not exist" ]] || warn "rebuilding pg-${node}: ${problem}"
    pg_recreate_replica "$node"
  else
    pg_ensure_slot "$(pg_slot_name "$node")"
  fi
  pg_configure_node "$node"
  if ! pg_bring_up "$node" "${PG_CONF_CHANGED}"; then
    warn "pg-${node} cannot be started; rebuilding it from the primary"
    pg_recreate_replica "$node"
    pg_configure_node "$node"
    pg_bring_up "$node" 0 || die "pg-${node} does not start even after a fresh base backup (see $(pg_node_log "$node"))"
  fi
}

pg_replica_streaming() {
  [[ "$(psql_at "$(pg_node_port "$1")" postgres \
    "SELECT pg_is_in_recovery() AND coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false)" 2>/dev/null)" == t ]]
}

pg_verify_replication() {
  local node
  for node in replica1 replica2; do
    if ! wait_for 30 pg_replica_streaming "$node"; then
      warn "pg-${node} is not streaming from the primary; rebuilding it"
      pg_recreate_replica "$node"
      pg_configure_node "$node"
      pg_bring_up "$node" 0 || die "pg-${node} does not start after a fresh base backup"
      wait_for 30 pg_replica_streaming "$node" ||
        die "pg-${node} does not stream from the primary (see $(pg_node_log "$node"))"
    fi
    local delay
    delay="$(psql_at "$(pg_node_port "$node")" postgres "SHOW recovery_min_apply_delay")"
    [[ $delay == 0 ]] ||
      warn "pg-${node} has recovery_min_apply_delay = ${delay} (left by a lag test?); reset with: ALTER SYSTEM RESET recovery_min_apply_delay; SELECT pg_reload_conf();"
  done
}

ensure_pg() {
  ensure_pg_primary
  ensure_pg_replica replica1
  ensure_pg_replica replica2
  pg_verify_replication
  log "PostgreSQL: primary 127.0.0.1:${PG_PRIMARY_PORT}, replicas ${PG_REPLICA1_PORT} ${PG_REPLICA2_PORT} streaming; pgvector $(psql_at "${PG_PRIMARY_PORT}" "${PG_DB}" "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
}

# ------------------------------------------------------------------ status ---

# Prints "STATE|DETAILS" for a node.
pg_status_line() {
  local node=$1 dir port out
  dir="$(pg_node_dir "$node")"
  port="$(pg_node_port "$node")"
  if [[ ! -d $dir ]]; then
    echo "absent|not created (run: services.sh up)"
    return
  fi
  if ! pg_ready "$port"; then
    echo "down|data dir ${dir}"
    return
  fi
  if [[ $node == primary ]]; then
    out="$(psql_at "$port" postgres "SELECT
        (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming')
        || ' replica(s) streaming, ' || (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') || ' client connections'" 2>/dev/null)" || out="?"
    local ext
    ext="$(psql_at "$port" "${PG_DB}" "SELECT extversion FROM pg_extension WHERE extname = 'vector'" 2>/dev/null)" || ext="?"
    echo "up|pgvector ${ext:-none}, ${out}"
    return
  fi
  local lag=""
  if pg_ready "${PG_PRIMARY_PORT}"; then
    lag="$(psql_at "${PG_PRIMARY_PORT}" postgres "SELECT 'replay lag ' ||
        coalesce(pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), '?') || ' / ' ||
        coalesce(to_char(extract(epoch FROM replay_lag), 'FM990.000') || 's', '0s')
      FROM pg_stat_replication WHERE application_name = 'aindus-${node}'" 2>/dev/null)" || lag=""
  fi
  out="$(psql_at "$port" "${PG_DB}" "SELECT
      CASE WHEN pg_is_in_recovery() THEN coalesce((SELECT status FROM pg_stat_wal_receiver), 'not streaming') ELSE 'PROMOTED (not in recovery)' END
      || ', pgvector ' || coalesce((SELECT extversion FROM pg_extension WHERE extname = 'vector'), 'none')
      || CASE WHEN current_setting('recovery_min_apply_delay') <> '0' THEN ', apply delay ' || current_setting('recovery_min_apply_delay') ELSE '' END" 2>/dev/null)" || out="?"
  if [[ $out == streaming* ]]; then
    echo "up|${out}, ${lag:-replay lag unknown}"
  else
    echo "degraded|${out}${lag:+, $lag}"
  fi
}
