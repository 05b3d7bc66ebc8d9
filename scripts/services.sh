#!/usr/bin/env bash
# Real test services on loopback for the AindusDB SDK test suites: a
# PostgreSQL 15 + pgvector primary with two streaming replicas, a standalone
# Redis and a three-master Redis Cluster. Idempotent; see docs/services.md.
#
#   bash scripts/services.sh up             install what is missing, create/repair/start, print exports
#   bash scripts/services.sh env            print the exports only (changes nothing)
#   bash scripts/services.sh status         table of services; exit 1 if anything is down
#   bash scripts/services.sh down [--purge] stop everything (--purge also deletes the state dir)
#   bash scripts/services.sh stop NAME [--immediate]
#   bash scripts/services.sh start NAME
#
# NAME: pg-primary pg-replica1 pg-replica2 redis redis-cluster
#       redis-cluster-1 redis-cluster-2 redis-cluster-3 (single cluster nodes)
#
# Typical use:  eval "$(bash scripts/services.sh up)"
# Only the export lines go to stdout; all progress goes to stderr.
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source-path=SCRIPTDIR
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
. "${SCRIPT_DIR}/lib/common.sh"
# shellcheck source=lib/packages.sh
. "${SCRIPT_DIR}/lib/packages.sh"
# shellcheck source=lib/pg.sh
. "${SCRIPT_DIR}/lib/pg.sh"
# shellcheck source=lib/redis.sh
. "${SCRIPT_DIR}/lib/redis.sh"

SERVICE_NAMES="pg-primary pg-replica1 pg-replica2 redis redis-cluster redis-cluster-1 redis-cluster-2 redis-cluster-3"

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Serialises commands that change state (two clones may run 'up' at once).
# flock -o: the lock is not inherited by the servers we start.
with_lock() {
  if [[ -z ${AINDUS_SERVICES_LOCKED:-} ]]; then
    mkdir -p "$(dirname "${LOCK_FILE}")"
    AINDUS_SERVICES_LOCKED=1 exec flock -o -w 600 "${LOCK_FILE}" bash "${SCRIPT_DIR}/services.sh" "$@"
  fi
}

cmd_up() {
  local start=${SECONDS}
  require_root up
  create_state_dir
  reserve_ports
  ensure_base_packages
  fix_state_dir_permissions
  ensure_pgvector
  ensure_pg
  ensure_redis
  ensure_redis_cluster
  log "all services up in $((SECONDS - start))s (state dir ${AINDUS_SERVICES_DIR})"
}

cmd_down() {
  local purge=0 p node
  [[ ${1:-} == --purge ]] && purge=1
  if [[ -d ${AINDUS_SERVICES_DIR} ]]; then
    [[ -f ${STATE_MARKER} ]] || die "${AINDUS_SERVICES_DIR} was not created by services.sh; refusing to touch it"
    for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
      [[ -d ${REDIS_CLUSTER_ROOT}/${p} ]] && redis_stop_port "$p"
    done
    [[ -f ${REDIS_ROOT}/redis.conf ]] && redis_stop_port "${REDIS_PORT}"
    for node in replica2 replica1 primary; do
      [[ -d "$(pg_node_dir "$node")" ]] && pg_stop_node "$node" fast
    done
  fi
  if ((purge)); then
    if [[ -d ${AINDUS_SERVICES_DIR} ]]; then
      log "removing ${AINDUS_SERVICES_DIR}"
      rm -rf "${AINDUS_SERVICES_DIR:?}"
    fi
  fi
  log "all services stopped"
}

cluster_node_port() {
  local i=${1#redis-cluster-}
  [[ $i =~ ^[1-3]$ ]] || die "unknown service '$1'"
  echo "${REDIS_CLUSTER_PORT_LIST[$((i - 1))]}"
}

cmd_stop() {
  local name=${1:-} mode=fast p
  [[ ${2:-} == --immediate ]] && mode=immediate
  case $name in
    pg-primary | pg-replica1 | pg-replica2) pg_stop_node "${name#pg-}" "$mode" ;;
    redis) redis_stop_port "${REDIS_PORT}" "$mode" ;;
    redis-cluster)
      for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do redis_stop_port "$p" "$mode"; done
      ;;
    redis-cluster-[1-3]) redis_stop_port "$(cluster_node_port "$name")" "$mode" ;;
    *) die "usage: services.sh stop NAME [--immediate]; NAME is one of: ${SERVICE_NAMES}" ;;
  esac
  log "${name} stopped"
}

cmd_start() {
  local name=${1:-} p node
  case $name in
    pg-primary | pg-replica1 | pg-replica2)
      node=${name#pg-}
      pg_dir_valid "$(pg_node_dir "$node")" || die "${name} has no data dir; run: services.sh up"
      pg_start_node "$node" || die "${name} does not start (see $(pg_node_log "$node"))"
      if [[ $node != primary ]] && ! wait_for 10 pg_replica_streaming "$node"; then
        warn "${name} accepts connections but is not streaming yet (is pg-primary up?)"
      fi
      ;;
    redis)
      [[ -f ${REDIS_ROOT}/redis.conf ]] || die "redis was never created; run: services.sh up"
      redis_start_port "${REDIS_PORT}" || die "redis does not start"
      ;;
    redis-cluster) cluster_start_all ;;
    redis-cluster-[1-3])
      p="$(cluster_node_port "$name")"
      [[ -f ${REDIS_CLUSTER_ROOT}/${p}/redis.conf ]] || die "${name} was never created; run: services.sh up"
      redis_start_port "$p" || die "${name} does not start"
      wait_for 30 cluster_healthy || warn "${name} is up but cluster_state is not ok yet"
      ;;
    *) die "usage: services.sh start NAME; NAME is one of: ${SERVICE_NAMES}" ;;
  esac
  log "${name} started"
}

cmd_status() {
  local bad=0 line state details
  printf '%-15s %-9s %-18s %s\n' SERVICE STATE PORT DETAILS
  row() {
    state=${2%%|*}
    details=${2#*|}
    printf '%-15s %-9s %-18s %s\n' "$1" "$state" "$3" "$details"
    [[ $state == up ]] || bad=1
  }
  line="$(pg_status_line primary)"
  row pg-primary "$line" "${PG_PRIMARY_PORT}"
  line="$(pg_status_line replica1)"
  row pg-replica1 "$line" "${PG_REPLICA1_PORT}"
  line="$(pg_status_line replica2)"
  row pg-replica2 "$line" "${PG_REPLICA2_PORT}"
  line="$(redis_status_line "${REDIS_PORT}")"
  row redis "$line" "${REDIS_PORT}"
  line="$(cluster_status_line)"
  row redis-cluster "$line" "${REDIS_CLUSTER_PORTS}"
  printf '\nstate dir: %s   pgvector installed: %s   pg_ctl: %s/pg_ctl\n' \
    "${AINDUS_SERVICES_DIR}" "$(pgvector_installed_version 2>/dev/null || true)" "${PG_BIN}"
  return "$bad"
}

main() {
  local cmd=${1:-help}
  validate_config
  case $cmd in
    up)
      with_lock "$@"
      # Everything but the final exports goes to stderr (children included), so
      # that eval "$(services.sh up)" only ever sees export lines.
      cmd_up "${@:2}" 1>&2
      print_exports
      ;;
    env) print_exports ;;
    status) cmd_status ;;
    down)
      with_lock "$@"
      require_root down
      cmd_down "${@:2}" 1>&2
      ;;
    stop | start)
      with_lock "$@"
      [[ -n ${2:-} ]] || die "usage: services.sh ${cmd} NAME; NAME is one of: ${SERVICE_NAMES}"
      "cmd_${cmd}" "${@:2}" 1>&2
      ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
