#!/usr/bin/env bash
# Start the Docker Engine in the background when `docker info` cannot reach one.
# Idempotent: does nothing when a daemon already answers. Prints the log path.
#
# --iptables=false --ip6tables=false --bridge=none: these machines have no
# netfilter for containers; builds and runs use --network host instead.
set -euo pipefail

DOCKER_DATA_ROOT=${DOCKER_DATA_ROOT:-/var/lib/docker}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/customs-dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}

log() { printf 'start-dockerd: %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  log "Docker Engine already running"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "no Docker Engine answers and this is not root: start dockerd yourself (or run as root)"
  exit 1
fi
command -v dockerd >/dev/null || { log "dockerd not found: run scripts/install-deps.sh"; exit 1; }

# A stale pid file from a killed daemon makes dockerd refuse to start.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi

mkdir -p "$DOCKER_DATA_ROOT" "$(dirname "$DOCKERD_LOG")"
log "starting dockerd (data root $DOCKER_DATA_ROOT, log $DOCKERD_LOG)"
# setsid: the daemon outlives this script and the make/CI process group.
setsid dockerd --iptables=false --ip6tables=false --bridge=none \
  --data-root "$DOCKER_DATA_ROOT" >>"$DOCKERD_LOG" 2>&1 </dev/null &

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    log "Docker Engine ready (log: $DOCKERD_LOG)"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within ${WAIT_SECONDS}s; see $DOCKERD_LOG"
tail -n 20 "$DOCKERD_LOG" >&2 || true
exit 1
