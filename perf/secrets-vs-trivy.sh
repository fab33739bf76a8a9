#!/usr/bin/env bash
# `make bench`: customs' secret scanning vs Trivy's (issue 5, "Secrets": target ≥ 20× faster
# on the big image, with at least Trivy's recall on the project's corpus). Same archives,
# same run:
#   1. the corpus image: test/corpus/secrets/files copied in, the manifest's "deleted" files
#      removed by a later layer, its "env" as ENV and its "buildArgs" as --build-arg used by a
#      RUN (classic builder: history records them as "|N K=V … /bin/sh -c …");
#   2. the big bench image (perf/build-big-image.sh: ≥ 500 MB and ≥ 500 packages, checked).
# Trivy: pinned by version and checksum (perf/trivy.sh), `trivy image --input X --scanners
# secret -f json` with a fresh TRIVY_CACHE_DIR. customs: perf/secrets-bench.ts (engine
# scanImage with --scanners secret, as the CLI runs it). Prints the peer's version, times,
# the ratio, precision/recall of both on the corpus, each target MET or MISSED, and the
# commit and date of the run. Needs dockerd (scripts/start-dockerd.sh) and `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$PWD/perf/.work
HELPER=dist-test/perf/secrets-bench.js
CORPUS=test/corpus/secrets
mkdir -p "$WORK"
# shellcheck source=perf/trivy.sh
. perf/trivy.sh
ensure_trivy
[ -f "$HELPER" ] || bench_fail "run 'make build' first ($HELPER missing)"

# --- the corpus image -------------------------------------------------------------------
CTX="$WORK/secrets-image"
rm -rf "$CTX" && mkdir -p "$CTX"
cp -a "$CORPUS/files" "$CTX/files"
json() { node -e 'const m=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); for (const v of m[process.argv[2]]) console.log(v)' "$CORPUS/manifest.json" "$1"; }
mapfile -t DELETED < <(json deleted)
mapfile -t ENVS < <(json env)
mapfile -t ARGS < <(json buildArgs)
{
  echo 'ARG BASE'
  echo 'FROM ${BASE}'
  for a in "${ARGS[@]}"; do echo "ARG ${a%%=*}"; done
  echo 'COPY files/ /'
  for e in "${ENVS[@]}"; do printf 'ENV %s="%s"\n' "${e%%=*}" "${e#*=}"; done
  # A RUN while the build args are in scope: the classic builder records them in history.
  echo 'RUN test -n "$NPM_TOKEN" && echo built > /etc/app/build-info'
  printf 'RUN rm -f'; for d in "${DELETED[@]}"; do printf ' /%s' "$d"; done; echo
} >"$CTX/Dockerfile"
BASE=$(bash scripts/base-image.sh)
BUILD_ARGS=(); for a in "${ARGS[@]}"; do BUILD_ARGS+=(--build-arg "$a"); done
DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE=$BASE" "${BUILD_ARGS[@]}" -t customs-perf/secrets:latest "$CTX" >&2
CORPUS_TAR="$WORK/secrets-corpus.tar"
docker save -o "$CORPUS_TAR" customs-perf/secrets:latest

if [ -n "${BENCH_IMAGE:-}" ]; then
  BIG_TAR=$BENCH_IMAGE
  BIG_PACKAGES=${BENCH_PACKAGES:?BENCH_IMAGE needs BENCH_PACKAGES (the package count of the image)}
else
  BIG_TAR=$(bash perf/build-big-image.sh)
  BIG_PACKAGES=$(cat "$BIG_TAR.packages")
fi
require_big_image "$BIG_TAR" "$BIG_PACKAGES"

# Wall time of a command in seconds (GNU time), into SECONDS_TAKEN.
measure() {
  local log="$WORK/secrets-time.log"
  /usr/bin/time -f '%e' -o "$log" "$@"
  SECONDS_TAKEN=$(tail -n 1 "$log")
}
trivy() { # ARCHIVE OUT
  local cache; cache=$(mktemp -d "$WORK/trivy-secrets-cache.XXXXXX")
  measure env TRIVY_CACHE_DIR="$cache" "$TRIVY" image --input "$1" --scanners secret -f json --quiet -o "$2"
  rm -rf "$cache"
}
customs() { measure node "$HELPER" scan "$1" "$2"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.1f", (b > 0 ? a / b : 0) }'; }
count_trivy() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log((r.Results||[]).reduce((n,x)=>n+(x.Secrets||[]).length,0))' "$1"; }
count_customs() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(r.files.length+r.config.length)' "$1"; }

report() { # NAME ARCHIVE
  local name=$1 archive=$2 mb
  mb=$(( $(stat -c %s "$archive") / 1000 / 1000 ))
  customs "$archive" "$WORK/secrets-$name-customs.json"; local c=$SECONDS_TAKEN
  trivy "$archive" "$WORK/secrets-$name-trivy.json"; local t=$SECONDS_TAKEN
  printf '  %-8s %5d MB   customs %7.2f s (%4s findings)   trivy %7.2f s (%4s findings)   customs is %sx faster\n' \
    "$name" "$mb" "$c" "$(count_customs "$WORK/secrets-$name-customs.json")" "$t" "$(count_trivy "$WORK/secrets-$name-trivy.json")" "$(ratio "$t" "$c")"
  RATIO=$(ratio "$t" "$c")
}

echo "secrets: customs vs Trivy (--scanners secret), same archives"
report corpus "$CORPUS_TAR"
report big "$BIG_TAR"
BIG_RATIO=$RATIO
SCORES=$(node "$HELPER" score "$CORPUS/manifest.json" "$WORK/secrets-corpus-customs.json" "$WORK/secrets-corpus-trivy.json")
echo "$SCORES" | grep -v '^recall '
recall() { echo "$SCORES" | awk -v who="$1" '$1 == "recall" && $2 == who { print $3 }'; }
target "secrets big image, Trivy time / customs" "$BIG_RATIO" ">=" 20 "×"
target "secrets corpus recall, customs − Trivy" "$(awk -v c="$(recall customs)" -v t="$(recall trivy)" 'BEGIN { printf "%.3f", c - t }')" ">=" 0
bench_provenance
