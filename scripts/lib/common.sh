# shellcheck shell=bash disable=SC2034
# Shared settings and helpers for scripts/services.sh. Sourced, never run.
#
# Every setting can be overridden from the environment; the defaults are the
# ports and paths documented in docs/services.md.

AINDUS_SERVICES_DIR="${AINDUS_SERVICES_DIR:-/var/tmp/aindusdb-services}"
AINDUS_SERVICES_DIR="${AINDUS_SERVICES_DIR%/}"

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PG_DB=aindus
PG_SUPERUSER=postgres
PG_OS_USER=postgres

PG_PRIMARY_PORT="${AINDUS_PG_PRIMARY_PORT:-55432}"
PG_REPLICA1_PORT="${AINDUS_PG_REPLICA1_PORT:-55433}"
PG_REPLICA2_PORT="${AINDUS_PG_REPLICA2_PORT:-55434}"
REDIS_PORT="${AINDUS_REDIS_PORT:-56379}"
REDIS_CLUSTER_PORTS="${AINDUS_REDIS_CLUSTER_PORTS:-57001,57002,57003}"
# Redis' default cluster bus port is port+10000, which is > 65535 for 57001+;
# we set `cluster-port` explicitly to port+REDIS_CLUSTER_BUS_OFFSET instead.
REDIS_CLUSTER_BUS_OFFSET=1000

# pgvector: minimum version (iterative index scans, hnsw.iterative_scan) and
# the Debian suite whose *source* package we build when the local one is older.
PGVECTOR_MIN_VERSION=0.8.0
PGVECTOR_SOURCE_SUITE="${AINDUS_PGVECTOR_SOURCE_SUITE:-trixie}"
TRIXIE_SRC_LIST="/etc/apt/sources.list.d/aindusdb-${PGVECTOR_SOURCE_SUITE}-src.sources"

PG_ROOT="${AINDUS_SERVICES_DIR}/pg"
PG_RUN_DIR="${PG_ROOT}/run"
REDIS_ROOT="${AINDUS_SERVICES_DIR}/redis"
REDIS_CLUSTER_ROOT="${AINDUS_SERVICES_DIR}/redis-cluster"
STATE_MARKER="${AINDUS_SERVICES_DIR}/.aindusdb-services"
LOCK_FILE="${AINDUS_SERVICES_DIR}.lock"

IFS=',' read -r -a REDIS_CLUSTER_PORT_LIST <<<"${REDIS_CLUSTER_PORTS}"

export DEBIAN_FRONTEND=noninteractive
export PGCONNECT_TIMEOUT=5

# ---------------------------------------------------------------- logging ---

# Progress lines carry the seconds elapsed since the command started.
log() { printf '[services +%ss] %s\n' "${SECONDS}" "$*" >&2; }
warn() { printf '[services +%ss] WARNING: %s\n' "${SECONDS}" "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

# ------------------------------------------------------------- validation ---

validate_config() {
  local p all=("${PG_PRIMARY_PORT}" "${PG_REPLICA1_PORT}" "${PG_REPLICA2_PORT}" "${REDIS_PORT}")
  [[ ${#REDIS_CLUSTER_PORT_LIST[@]} -eq 3 ]] ||
    die "AINDUS_REDIS_CLUSTER_PORTS must list exactly 3 ports (got '${REDIS_CLUSTER_PORTS}')"
  all+=("${REDIS_CLUSTER_PORT_LIST[@]}")
  for p in "${all[@]}"; do
    if ! [[ $p =~ ^[0-9]{4,5}$ ]] || ((10#$p <= 1024 || 10#$p > 65535)); then
      die "invalid port '$p' (ports must be numbers between 1025 and 65535)"
    fi
  done
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    ((p + REDIS_CLUSTER_BUS_OFFSET <= 65535)) ||
      die "redis-cluster port $p is too high: its cluster bus port would be $((p + REDIS_CLUSTER_BUS_OFFSET))"
    all+=("$((p + REDIS_CLUSTER_BUS_OFFSET))")
  done
  local dups
  dups="$(printf '%s\n' "${all[@]}" | sort | uniq -d)"
  [[ -z $dups ]] || die "port(s) used twice in the configuration: ${dups//$'\n'/ }"
  [[ ${AINDUS_SERVICES_DIR} == /* ]] || die "AINDUS_SERVICES_DIR must be an absolute path (got '${AINDUS_SERVICES_DIR}')"
  [[ ${AINDUS_SERVICES_DIR} != "/" ]] || die "AINDUS_SERVICES_DIR must not be /"
}

all_ports() {
  local p
  printf '%s\n' "${PG_PRIMARY_PORT}" "${PG_REPLICA1_PORT}" "${PG_REPLICA2_PORT}" "${REDIS_PORT}"
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    printf '%s\n' "$p" "$((p + REDIS_CLUSTER_BUS_OFFSET))"
  done
}

is_root() { [[ ${EUID} -eq 0 ]]; }

require_root() {
  is_root || die "'$1' must run as root (it installs packages and runs PostgreSQL as the '${PG_OS_USER}' user)"
}

# Runs a command as the postgres OS user, from a directory it can read.
as_pg() {
  if is_root; then
    (cd / && runuser -u "${PG_OS_USER}" -- "$@")
  elif [[ "$(id -un)" == "${PG_OS_USER}" ]]; then
    (cd / && "$@")
  else
    die "need root (or the '${PG_OS_USER}' user) to manage the PostgreSQL nodes"
  fi
}

# ----------------------------------------------------------------- network ---

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_listening() {
  (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

describe_port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | head -n 3
  fi
}

# Keeps the kernel from handing our listening ports out as ephemeral client
# ports (they are all inside 32768-60999), which would make a restart of a
# server fail with EADDRINUSE during connection-heavy tests. Best effort: it is
# per network namespace, harmless, and forgotten at reboot.
reserve_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports current missing=() p
  [[ -w $f ]] || return 0
  current="$(cat "$f" 2>/dev/null || true)"
  while read -r p; do
    port_in_ranges "$p" "$current" || missing+=("$p")
  done < <(all_ports)
  ((${#missing[@]})) || return 0
  local joined
  joined="$(IFS=','; echo "${missing[*]}")"
  if echo "${current:+${current},}${joined}" >"$f" 2>/dev/null; then
    log "reserved ports ${joined} in net.ipv4.ip_local_reserved_ports"
  else
    warn "could not reserve ports in net.ipv4.ip_local_reserved_ports (continuing)"
  fi
}

port_in_ranges() {
  local port=$1 ranges=$2 r lo hi
  IFS=',' read -r -a r <<<"$ranges"
  for r in "${r[@]}"; do
    [[ -n $r ]] || continue
    lo=${r%-*}
    hi=${r#*-}
    ((port >= lo && port <= hi)) && return 0
  done
  return 1
}

# True when PID is a live process. A zombie counts as dead: in some containers
# PID 1 reaps orphans only after a second or two, and `kill -0` (which pg_ctl
# and postgres' lock file check use) still succeeds on a zombie.
pid_alive() {
  local st
  [[ -n ${1:-} ]] || return 1
  st="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n $st && $st != Z* ]]
}

# Runs CMD (a command or function) with only stdin/stdout/stderr open, so a
# server it leaves running holds no pipe, lock or file of whoever called us.
without_extra_fds() {
  (
    fd=""
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2 && fd != 255)); then
        eval "exec ${fd}>&-" 2>/dev/null || true
      fi
    done
    "$@"
  )
}

# True once PID no longer exists at all (not even as a zombie).
pid_reaped() { [[ -z ${1:-} ]] || ! kill -0 "$1" 2>/dev/null; }

# Polls CMD... until it succeeds or SECONDS_ elapse. Usage: wait_for 30 cmd args
wait_for() {
  local timeout=$1 start=${SECONDS}
  shift
  until "$@"; do
    ((SECONDS - start < timeout)) || return 1
    sleep 0.3
  done
}

# ----------------------------------------------------------------- state ---

# Creates the state dir (refusing a non-empty dir that is not ours).
create_state_dir() {
  if [[ -d ${AINDUS_SERVICES_DIR} && ! -f ${STATE_MARKER} ]]; then
    if [[ -n "$(ls -A "${AINDUS_SERVICES_DIR}" 2>/dev/null)" ]]; then
      die "${AINDUS_SERVICES_DIR} exists, is not empty and was not created by scripts/services.sh; choose another AINDUS_SERVICES_DIR"
    fi
  fi
  mkdir -p "${AINDUS_SERVICES_DIR}" "${PG_ROOT}" "${PG_RUN_DIR}" "${REDIS_ROOT}" "${REDIS_CLUSTER_ROOT}"
  [[ -f ${STATE_MARKER} ]] || echo "State of scripts/services.sh (AindusDB SDK test services). Safe to delete with 'services.sh down --purge'." >"${STATE_MARKER}"
}

# Hands the state dir to the postgres user (which exists once postgresql-15 is installed).
fix_state_dir_permissions() {
  id -u "${PG_OS_USER}" >/dev/null 2>&1 || die "there is no '${PG_OS_USER}' user (is postgresql-${PG_MAJOR} installed?)"
  # The postgres user owns the state dir and its pg/ tree; Redis (run as root) owns redis*/.
  chown "${PG_OS_USER}:${PG_OS_USER}" "${AINDUS_SERVICES_DIR}" "${PG_ROOT}" "${PG_RUN_DIR}"
  chmod 0755 "${AINDUS_SERVICES_DIR}" "${PG_ROOT}"
  chmod 0775 "${PG_RUN_DIR}"
  as_pg test -w "${PG_ROOT}" ||
    die "the '${PG_OS_USER}' user cannot write ${PG_ROOT}: every parent directory of AINDUS_SERVICES_DIR must be searchable by it"
}

# --------------------------------------------------------------- exports ---

pg_url() { printf 'postgres://%s@127.0.0.1:%s/%s' "${PG_SUPERUSER}" "$1" "${PG_DB}"; }

print_exports() {
  local nodes
  nodes="$(printf '127.0.0.1:%s,' "${REDIS_CLUSTER_PORT_LIST[@]}")"
  printf 'export AINDUS_PG_URL=%s\n' "$(pg_url "${PG_PRIMARY_PORT}")"
  printf 'export AINDUS_PG_REPLICA_URLS=%s,%s\n' "$(pg_url "${PG_REPLICA1_PORT}")" "$(pg_url "${PG_REPLICA2_PORT}")"
  printf 'export AINDUS_REDIS_URL=redis://127.0.0.1:%s\n' "${REDIS_PORT}"
  printf 'export AINDUS_REDIS_CLUSTER_NODES=%s\n' "${nodes%,}"
  printf 'export AINDUS_SERVICES_DIR=%s\n' "${AINDUS_SERVICES_DIR}"
  printf 'export AINDUS_PG_BIN=%s\n' "${PG_BIN}"
}
