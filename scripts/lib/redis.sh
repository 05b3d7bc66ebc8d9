# shellcheck shell=bash
# Standalone Redis and a three-master Redis Cluster for scripts/services.sh. Sourced.
#
# Standalone: $REDIS_ROOT/{redis.conf,redis.pid,redis.log}.
# Cluster node PORT: $REDIS_CLUSTER_ROOT/PORT/{redis.conf,redis.pid,redis.log,nodes.conf}.
# No persistence anywhere (save "", appendonly no); nodes.conf keeps the
# cluster topology across restarts.

rcli() {
  local port=$1
  shift
  timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@" </dev/null 2>/dev/null
}

redis_ping() { [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$1" ping </dev/null 2>/dev/null)" == PONG ]]; }

redis_dir_for() {
  if [[ $1 == "${REDIS_PORT}" ]]; then echo "${REDIS_ROOT}"; else echo "${REDIS_CLUSTER_ROOT}/$1"; fi
}

redis_label() {
  if [[ $1 == "${REDIS_PORT}" ]]; then echo "redis"; else echo "redis-cluster node ${1}"; fi
}

# True when the server on PORT is ours (its working dir is our dir).
redis_port_is_ours() {
  local port=$1 dir
  dir="$(redis_dir_for "$port")"
  [[ "$(rcli "$port" config get dir | sed -n 2p)" == "$(cd "$dir" 2>/dev/null && pwd -P)" ]]
}

redis_pid() {
  local f
  f="$(redis_dir_for "$1")/redis.pid"
  [[ -f $f ]] && cat "$f" 2>/dev/null
}

# Writes PORT's redis.conf; sets REDIS_CONF_CHANGED=1 when it changed.
REDIS_CONF_CHANGED=0
redis_write_conf() {
  local port=$1 dir conf
  dir="$(redis_dir_for "$port")"
  mkdir -p "$dir"
  conf="# Managed by AindusDB scripts/services.sh and rewritten by every 'up'.
bind 127.0.0.1
port ${port}
protected-mode no
daemonize yes
dir ${dir}
pidfile ${dir}/redis.pid
logfile ${dir}/redis.log
loglevel notice
save \"\"
appendonly no
maxmemory 256mb
maxmemory-policy allkeys-lru
"
  if [[ $port != "${REDIS_PORT}" ]]; then
    conf+="cluster-enabled yes
cluster-config-file nodes.conf
cluster-port $((port + REDIS_CLUSTER_BUS_OFFSET))
cluster-node-timeout 5000
cluster-require-full-coverage yes
"
  fi
  REDIS_CONF_CHANGED=0
  if [[ ! -f $dir/redis.conf || "$(cat "$dir/redis.conf")"$'\n' != "$conf" ]]; then
    printf '%s' "$conf" >"$dir/redis.conf"
    REDIS_CONF_CHANGED=1
  fi
}

redis_start_port() {
  local port=$1 dir label
  dir="$(redis_dir_for "$port")"
  label="$(redis_label "$port")"
  redis_ping "$port" && return 0
  local busy=0
  port_listening "$port" && busy=1
  if [[ $port != "${REDIS_PORT}" ]] && port_listening "$((port + REDIS_CLUSTER_BUS_OFFSET))"; then busy=1; fi
  if ((busy)); then
    die "cannot start ${label}: port ${port} (or its cluster bus port) is in use by another process
$(describe_port_owner "$port")"
  fi
  [[ -f $dir/redis.conf ]] || redis_write_conf "$port"
  log "starting ${label} on 127.0.0.1:${port}"
  if ! without_extra_fds redis-server "$dir/redis.conf" </dev/null >"$dir/start.out" 2>&1; then
    warn "${label} did not start: $(cat "$dir/start.out")"
    tail -n 10 "$dir/redis.log" >&2 2>/dev/null || true
    return 1
  fi
  wait_for 20 redis_ping "$port" || {
    warn "${label} does not answer PING; last lines of $dir/redis.log:"
    tail -n 10 "$dir/redis.log" >&2 2>/dev/null || true
    return 1
  }
}

redis_stop_port() {
  local port=$1 mode=${2:-fast} pid label
  label="$(redis_label "$port")"
  pid="$(redis_pid "$port" || true)"
  if ! redis_ping "$port" && ! pid_alive "$pid"; then
    return 0
  fi
  if [[ -n $pid ]] && redis_ping "$port" && ! redis_port_is_ours "$port"; then
    die "the Redis on port ${port} is not ours; not stopping it"
  fi
  log "stopping ${label} (mode ${mode})"
  if [[ $mode == immediate && -n $pid ]]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    rcli "$port" shutdown nosave >/dev/null || true
  fi
  if ! wait_for 15 redis_gone "$port" "$pid"; then
    if [[ -n $pid ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait_for 5 redis_gone "$port" "$pid" || die "could not stop ${label}"
  fi
  rm -f "$(redis_dir_for "$port")/redis.pid"
}

redis_gone() { ! port_listening "$1" && ! pid_alive "${2:-}"; }

# Starts PORT's server if needed, restarting it when its config changed.
redis_bring_up() {
  local port=$1
  redis_write_conf "$port"
  if redis_ping "$port"; then
    if ! redis_port_is_ours "$port"; then
      die "$(redis_label "$port"): port ${port} answers PING but is not our server (dir $(rcli "$port" config get dir | sed -n 2p))"
    fi
    if ((REDIS_CONF_CHANGED)); then
      log "$(redis_label "$port"): configuration changed; restarting"
      redis_stop_port "$port"
    else
      return 0
    fi
  fi
  redis_start_port "$port"
}

ensure_redis() {
  mkdir -p "${REDIS_ROOT}"
  redis_bring_up "${REDIS_PORT}" || die "redis does not start (see ${REDIS_ROOT}/redis.log)"
  log "Redis: 127.0.0.1:${REDIS_PORT} up (redis $(rcli "${REDIS_PORT}" info server | tr -d '\r' | sed -n 's/^redis_version://p'))"
}

# --------------------------------------------------------------- cluster ---

cluster_field() { rcli "$1" cluster info | tr -d '\r' | sed -n "s/^$2://p"; }

# All nodes answer and agree the 3-master cluster covers every slot.
cluster_healthy() {
  local p info
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    info="$(rcli "$p" cluster info | tr -d '\r')" || return 1
    [[ $'\n'"$info"$'\n' == *$'\n'cluster_state:ok$'\n'* &&
      $'\n'"$info"$'\n' == *$'\n'cluster_known_nodes:${#REDIS_CLUSTER_PORT_LIST[@]}$'\n'* &&
      $'\n'"$info"$'\n' == *$'\n'cluster_slots_assigned:16384$'\n'* &&
      $'\n'"$info"$'\n' == *$'\n'cluster_slots_fail:0$'\n'* ]] || return 1
  done
}

# Stops waiting as soon as the cluster is healthy or cannot heal by itself.
cluster_healthy_or_broken() {
  cluster_healthy && return 0
  local p
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    [[ "$(cluster_field "$p" cluster_known_nodes)" == 1 ]] && return 0
  done
  return 1
}

# True when no node knows any other node or slot (a fresh, empty cluster).
cluster_blank() {
  local p
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    [[ "$(cluster_field "$p" cluster_known_nodes)" == 1 &&
      "$(cluster_field "$p" cluster_slots_assigned)" == 0 ]] || return 1
  done
}

cluster_create() {
  local p addrs=()
  if ! cluster_blank; then
    warn "redis-cluster is not healthy; resetting its nodes and creating it again"
    for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
      rcli "$p" flushall >/dev/null || true
      rcli "$p" cluster reset hard >/dev/null || true
    done
  fi
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do addrs+=("127.0.0.1:$p"); done
  log "redis-cli --cluster create ${addrs[*]} --cluster-replicas 0"
  if ! timeout 60 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes \
    </dev/null >"${REDIS_CLUSTER_ROOT}/create.log" 2>&1; then
    tail -n 20 "${REDIS_CLUSTER_ROOT}/create.log" >&2
    return 1
  fi
  wait_for 30 cluster_healthy
}

ensure_redis_cluster() {
  local p
  mkdir -p "${REDIS_CLUSTER_ROOT}"
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    if ! redis_bring_up "$p"; then
      warn "redis-cluster node ${p} does not start; wiping its dir"
      redis_stop_port "$p" immediate || true
      rm -rf "${REDIS_CLUSTER_ROOT:?}/${p}"
      redis_bring_up "$p" || die "redis-cluster node ${p} does not start (see ${REDIS_CLUSTER_ROOT}/${p}/redis.log)"
    fi
  done
  # Nodes that just restarted from nodes.conf need a moment to agree again; a
  # node that lost its nodes.conf (knows only itself) never rejoins by itself.
  if ! wait_for 30 cluster_healthy_or_broken || ! cluster_healthy; then
    cluster_create || {
      # Last resort: wipe every node's state and start from scratch.
      warn "recreating redis-cluster from empty nodes"
      for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
        redis_stop_port "$p" immediate || true
        rm -rf "${REDIS_CLUSTER_ROOT:?}/${p}"
        redis_bring_up "$p" || die "redis-cluster node ${p} does not start"
      done
      cluster_create || die "could not create redis-cluster (see ${REDIS_CLUSTER_ROOT}/create.log)"
    }
  fi
  log "Redis Cluster: ${REDIS_CLUSTER_PORTS} cluster_state:ok"
}

cluster_start_all() {
  local p
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    [[ -f "${REDIS_CLUSTER_ROOT}/${p}/redis.conf" ]] || die "redis-cluster node ${p} was never created; run: services.sh up"
    redis_start_port "$p" || die "redis-cluster node ${p} does not start"
  done
  wait_for 30 cluster_healthy || die "redis-cluster nodes are up but cluster_state is not ok (try: services.sh up)"
}

# ------------------------------------------------------------------ status ---

redis_status_line() {
  local port=$1
  if redis_ping "$port"; then
    echo "up|redis $(rcli "$port" info server | tr -d '\r' | sed -n 's/^redis_version://p'), $(rcli "$port" dbsize) keys"
  else
    echo "down|dir $(redis_dir_for "$port")"
  fi
}

cluster_status_line() {
  local p up=0 state
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    redis_ping "$p" && up=$((up + 1))
  done
  if ((up == 0)); then
    echo "down|0/${#REDIS_CLUSTER_PORT_LIST[@]} nodes up"
    return
  fi
  for p in "${REDIS_CLUSTER_PORT_LIST[@]}"; do
    redis_ping "$p" && break
  done
  state="$(cluster_field "$p" cluster_state)"
  local details
  details="${up}/${#REDIS_CLUSTER_PORT_LIST[@]} nodes up, cluster_state:${state:-?}, slots $(cluster_field "$p" cluster_slots_assigned)/16384, known nodes $(cluster_field "$p" cluster_known_nodes)"
  if ((up == ${#REDIS_CLUSTER_PORT_LIST[@]})) && cluster_healthy; then
    echo "up|${details}"
  else
    echo "degraded|${details}"
  fi
}
