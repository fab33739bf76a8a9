#!/usr/bin/env bash
# `make bench`: customs vs Trivy on every image source, on the same image, in the same run.
#   - image: perf/build-big-image.sh (≥ 500 MB, ≥ 500 packages; the run fails otherwise)
#   - the four sources of that one image:
#       docker-archive  the `docker save` tarball (uncompressed layers)
#       oci             an OCI layout written by `skopeo copy` (gzip layers, skopeo's default)
#       registry        Debian's docker-registry on a free 127.0.0.1 port, plain HTTP
#                       (customs --insecure, trivy --insecure), pushed once by skopeo
#       docker-daemon   the local Docker Engine (customs docker-daemon:, trivy --image-src docker)
#   - per source, BENCH_RUNS (default 3) paired rounds: customs cold (fresh cache dir),
#     customs warm (same cache dir again), Trivy cold (fresh cache dir); the order of the
#     two tools alternates between rounds so neither always runs on the hotter page cache.
#     Medians are printed, with the load average before and after each source: the machine
#     is shared, so absolute times are noise and the same-run ratios are the result.
#   - customs runs as users run it: bin/customs.js executed (its first line starts node with
#     the flags the CLI wants), not `node bin/customs.js`.
#   - Trivy pinned by version and checksum (perf/trivy.sh):
#     `trivy image ... --format cyclonedx --scanners license`, as perf/sbom-vs-trivy.sh.
# Targets (each printed MET or MISSED): cold ≤ 0.5× Trivy cold for every source, ≤ 0.25×
# for docker-archive, warm ≤ 0.05× Trivy cold, peak RSS (GNU time) ≤ 300 MB.
# BENCH_SOURCES="oci registry" limits the sources measured.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$PWD/perf/.work
CUSTOMS_BIN=${CUSTOMS_BIN:-bin/customs.js}
RUNS=${BENCH_RUNS:-3}
SOURCES=${BENCH_SOURCES:-docker-archive oci registry docker-daemon}
TAG=customs-perf/big:latest
mkdir -p "$WORK"
# shellcheck source=perf/trivy.sh
. perf/trivy.sh
ensure_trivy

ARCHIVE=$(bash perf/build-big-image.sh)
PACKAGES=$(cat "$ARCHIVE.packages")
require_big_image "$ARCHIVE" "$PACKAGES"
SIZE_MB=$(($(stat -c %s "$ARCHIVE") / 1000 / 1000))
KEY=$(basename "$ARCHIVE" .tar)

# The OCI layout of the same image, written once per image ID.
LAYOUT=$WORK/$KEY-oci
if [ ! -f "$LAYOUT/index.json" ]; then
  rm -rf "$WORK"/big-*-oci "$LAYOUT.tmp"
  echo "bench: writing the OCI layout (skopeo, gzip layers)" >&2
  skopeo copy -q "docker-archive:$ARCHIVE" "oci:$LAYOUT.tmp:latest" >&2
  mv "$LAYOUT.tmp" "$LAYOUT"
fi

REG_PID=
cleanup() {
  [ -z "$REG_PID" ] || kill "$REG_PID" 2>/dev/null || true
  rm -rf "$WORK"/bench-cache.*
}
trap cleanup EXIT

# A loopback registry whose storage survives between runs (pushed once per image ID).
start_registry() {
  local data=$WORK/$KEY-registry port
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  mkdir -p "$data"
  cat >"$WORK/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $data
http:
  addr: 127.0.0.1:$port
  secret: customs-bench
YML
  /usr/bin/docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  REG_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  REGISTRY=127.0.0.1:$port
  if [ ! -f "$data/.pushed" ]; then
    echo "bench: pushing the OCI layout to $REGISTRY" >&2
    skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:latest" "docker://$REGISTRY/customs-perf/big:latest" >&2
    touch "$data/.pushed"
  fi
}

# Run a command under GNU time; sets SECONDS_TAKEN, CPU_TAKEN (user + system, all threads) and RSS_MB. Output goes to $WORK/last.log.
measure() {
  local log="$WORK/time.log"
  if ! /usr/bin/time -v -o "$log" "$@" >"$WORK/last.log" 2>&1; then
    cat "$WORK/last.log" >&2
    bench_fail "$* failed"
  fi
  SECONDS_TAKEN=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/{printf "%d", $2/1024}' "$log")
  CPU_TAKEN=$(awk -F': ' '/(User|System) time \(seconds\)/{s+=$2} END{printf "%.2f", s}' "$log")
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
max() { printf '%s\n' "$@" | sort -g | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.3f", (b > 0 ? a / b : 0) }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# A fresh Trivy cache with an empty Java index DB (perf/trivy.sh): the images have jars.
trivy_cache() {
  local dir
  dir=$(mktemp -d "$WORK/bench-cache.trivy.XXXXXX")
  trivy_empty_java_db "$dir"
  echo "$dir"
}

# SOURCE: sets CUSTOMS_TARGET, CUSTOMS_FLAGS and TRIVY_ARGS.
describe() {
  case $1 in
  docker-archive)
    CUSTOMS_TARGET=docker-archive:$ARCHIVE CUSTOMS_FLAGS=() TRIVY_ARGS=(--input "$ARCHIVE") ;;
  oci)
    CUSTOMS_TARGET=oci:$LAYOUT:latest CUSTOMS_FLAGS=() TRIVY_ARGS=(--input "$LAYOUT") ;;
  registry)
    [ -n "$REG_PID" ] || start_registry
    CUSTOMS_TARGET=registry:$REGISTRY/customs-perf/big:latest CUSTOMS_FLAGS=(--insecure)
    TRIVY_ARGS=(--insecure --image-src remote "$REGISTRY/customs-perf/big:latest") ;;
  docker-daemon)
    CUSTOMS_TARGET=docker-daemon:$TAG CUSTOMS_FLAGS=() TRIVY_ARGS=(--image-src docker "$TAG") ;;
  *) bench_fail "unknown source $1 (BENCH_SOURCES takes docker-archive oci registry docker-daemon)" ;;
  esac
}

customs_run() { # CACHE OUT
  measure "$CUSTOMS_BIN" sbom "$CUSTOMS_TARGET" "${CUSTOMS_FLAGS[@]}" --format cyclonedx -o "$2" -q --cache-dir "$1"
}
trivy_run() {
  local cache
  cache=$(trivy_cache)
  measure "$TRIVY" image "${TRIVY_ARGS[@]}" --format cyclonedx --scanners license --cache-dir "$cache" \
    --skip-java-db-update --quiet -o "$WORK/trivy.cdx.json"
  rm -rf "$cache"
}

echo "bench: image $ARCHIVE ($SIZE_MB MB, $PACKAGES packages), $RUNS paired rounds per source" >&2
cat "$ARCHIVE" >/dev/null
ROWS=()
for source in $SOURCES; do
  describe "$source"
  LOAD_BEFORE=$(load)
  cold=() warm=() trivy=() rss=() trss=() ccpu=() tcpu=()
  for round in $(seq 1 "$RUNS"); do
    cache=$(mktemp -d "$WORK/bench-cache.customs.XXXXXX")
    if [ $((round % 2)) -eq 0 ]; then
      trivy_run
      trivy+=("$SECONDS_TAKEN") trss+=("$RSS_MB") tcpu+=("$CPU_TAKEN")
    fi
    customs_run "$cache" "$WORK/customs.cdx.json"
    cold+=("$SECONDS_TAKEN") rss+=("$RSS_MB") ccpu+=("$CPU_TAKEN")
    customs_run "$cache" "$WORK/customs-warm.cdx.json"
    warm+=("$SECONDS_TAKEN") rss+=("$RSS_MB")
    if [ $((round % 2)) -eq 1 ]; then
      trivy_run
      trivy+=("$SECONDS_TAKEN") trss+=("$RSS_MB") tcpu+=("$CPU_TAKEN")
    fi
    rm -rf "$cache"
    echo "bench: $source round $round: customs cold ${cold[-1]} s (cpu ${ccpu[-1]} s), warm ${warm[-1]} s, trivy ${trivy[-1]} s (cpu ${tcpu[-1]} s), load $(load)" >&2
  done
  C=$(median "${cold[@]}") W=$(median "${warm[@]}") T=$(median "${trivy[@]}")
  CC=$(median "${ccpu[@]}") TC=$(median "${tcpu[@]}")
  ROWS+=("$source|$C|$W|$T|$(ratio "$C" "$T")|$(ratio "$W" "$T")|$(max "${rss[@]}")|$(max "${trss[@]}")|$CC|$TC|$(ratio "$CC" "$TC")|$LOAD_BEFORE → $(load)")
done

echo "customs vs Trivy per image source — $(basename "$ARCHIVE"), $SIZE_MB MB, $PACKAGES packages; medians of $RUNS paired rounds, seconds"
# Wall time on a shared, overcommitted machine measures each tool's share of the CPU as much
# as its work, so the CPU time (user + system, every thread) of each cold run is printed too.
printf '  %-15s %8s %8s %8s %8s %8s %10s %10s %8s %8s %8s  %s\n' source cold warm trivy cold/T warm/T 'RSS MB' 'trivy RSS' 'cpu' 'trivycpu' 'cpu/T' 'load (1/5/15 min) before → after'
for row in "${ROWS[@]}"; do
  IFS='|' read -r s c w t cr wr r tr cc tc ccr l <<<"$row"
  printf '  %-15s %8.2f %8.2f %8.2f %8s %8s %10s %10s %8.2f %8.2f %8s  %s\n' "$s" "$c" "$w" "$t" "$cr" "$wr" "$r" "$tr" "$cc" "$tc" "$ccr" "$l"
done
for row in "${ROWS[@]}"; do
  IFS='|' read -r s c w t cr wr r tr cc tc ccr l <<<"$row"
  limit=0.5
  [ "$s" != docker-archive ] || limit=0.25
  target "$s cold, ratio to Trivy" "$cr" "<=" "$limit" "×"
  target "$s warm, ratio to Trivy cold" "$wr" "<=" 0.05 "×"
  target "$s peak RSS" "$r" "<=" 300 " MB"
done
bench_provenance
