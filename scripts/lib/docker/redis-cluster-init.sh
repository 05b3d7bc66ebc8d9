#!/bin/sh
# docker-compose only: creates the three-master Redis Cluster once its nodes
# answer, unless it already exists, then stays up (healthy while
# cluster_state is ok) so that `docker compose up --wait` waits for it: a
# one-shot container that exits makes --wait fail (docker/compose#10596).
set -eu
PORTS="${CLUSTER_PORTS:-57001 57002 57003}"
for p in $PORTS; do
  until [ "$(redis-cli -h 127.0.0.1 -p "$p" ping 2>/dev/null)" = PONG ]; do sleep 0.5; done
done
first=$(echo "$PORTS" | cut -d' ' -f1)
state() { redis-cli -h 127.0.0.1 -p "$first" cluster info | tr -d '\r' | sed -n 's/^cluster_state://p'; }
if [ "$(state)" != ok ]; then
  addrs=""
  for p in $PORTS; do addrs="$addrs 127.0.0.1:$p"; done
  # shellcheck disable=SC2086
  redis-cli --cluster create $addrs --cluster-replicas 0 --cluster-yes
fi
i=0
until [ "$(state)" = ok ]; do
  i=$((i + 1))
  [ "$i" -le 120 ] || { echo "cluster_state is not ok after 60s" >&2; exit 1; }
  sleep 0.5
done
echo "redis-cluster: cluster_state:ok"
exec sleep infinity
