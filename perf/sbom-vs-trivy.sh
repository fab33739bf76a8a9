#!/usr/bin/env bash
# `make bench`: customs vs Trivy on the same docker-archive, same run (issue 2, "Speed").
#   - image: perf/build-big-image.sh (≥ 500 MB, ≥ 500 packages: checked, the run fails
#     otherwise; BENCH_IMAGE=ARCHIVE with BENCH_PACKAGES=N measures another image)
#   - customs cold (fresh cache dir), then warm (same cache dir, second run)
#   - Trivy pinned by version and checksum (perf/trivy.sh), fresh cache dir:
#     `trivy image --input X --format cyclonedx --scanners license`
# Prints the peer's version, wall times, ratios, package counts and peak RSS (GNU time's
# "Maximum resident set size"), then each target MET or MISSED: cold ≤ 0.5× Trivy,
# warm ≤ 0.1×, peak RSS < 300 MB. Absolute times on shared machines are noise; the
# ratios are the result. The last line names the commit and date of the run.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$PWD/perf/.work
CUSTOMS_BIN=${CUSTOMS_BIN:-bin/customs.js}
mkdir -p "$WORK"
# shellcheck source=perf/trivy.sh
. perf/trivy.sh
ensure_trivy

if [ -n "${BENCH_IMAGE:-}" ]; then
  ARCHIVE=$BENCH_IMAGE
  PACKAGES=${BENCH_PACKAGES:?BENCH_IMAGE needs BENCH_PACKAGES (the package count of the image)}
else
  ARCHIVE=$(bash perf/build-big-image.sh)
  PACKAGES=$(cat "$ARCHIVE.packages")
fi
require_big_image "$ARCHIVE" "$PACKAGES"
SIZE_MB=$(( $(stat -c %s "$ARCHIVE") / 1000 / 1000 ))

# Run a command under GNU time; sets SECONDS_TAKEN and RSS_MB.
measure() {
  local log="$WORK/time.log"
  /usr/bin/time -v -o "$log" "$@"
  SECONDS_TAKEN=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/{printf "%d", $2/1024}' "$log")
}

components() { node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const walk=(cs)=>(cs||[]).reduce((n,c)=>n+1+walk(c.components),0); console.log(walk(b.components))' "$1"; }

CUSTOMS_CACHE=$(mktemp -d "$WORK/customs-cache.XXXXXX")
TRIVY_CACHE=$(mktemp -d "$WORK/trivy-cache.XXXXXX")
trap 'rm -rf "$CUSTOMS_CACHE" "$TRIVY_CACHE"' EXIT

echo "bench: image $ARCHIVE ($SIZE_MB MB)" >&2
# Same conditions for both tools: the archive in the page cache before the first run
# (otherwise whichever tool runs first also pays for the disk; "cold" means cold tool caches).
cat "$ARCHIVE" >/dev/null
measure "$CUSTOMS_BIN" sbom "docker-archive:$ARCHIVE" --format cyclonedx -o "$WORK/customs.cdx.json" -q --cache-dir "$CUSTOMS_CACHE"
COLD=$SECONDS_TAKEN COLD_RSS=$RSS_MB
measure "$CUSTOMS_BIN" sbom "docker-archive:$ARCHIVE" --format cyclonedx -o "$WORK/customs-warm.cdx.json" -q --cache-dir "$CUSTOMS_CACHE"
WARM=$SECONDS_TAKEN WARM_RSS=$RSS_MB
trivy_empty_java_db "$TRIVY_CACHE"
measure "$TRIVY" image --input "$ARCHIVE" --format cyclonedx --scanners license --cache-dir "$TRIVY_CACHE" \
  --skip-java-db-update --quiet -o "$WORK/trivy.cdx.json"
TRIVY_TIME=$SECONDS_TAKEN TRIVY_RSS=$RSS_MB

CUSTOMS_N=$(components "$WORK/customs.cdx.json")
TRIVY_N=$(components "$WORK/trivy.cdx.json")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.3f", (b > 0 ? a / b : 0) }'; }
COLD_RATIO=$(ratio "$COLD" "$TRIVY_TIME")
WARM_RATIO=$(ratio "$WARM" "$TRIVY_TIME")

cat <<REPORT
customs vs Trivy — $(basename "$ARCHIVE"), $SIZE_MB MB docker-archive, $PACKAGES packages
                      time (s)   ratio to Trivy   peak RSS (MB)   components
  customs (cold)      $(printf '%8.2f' "$COLD")   $(printf '%14s' "$COLD_RATIO")   $(printf '%13s' "$COLD_RSS")   $(printf '%10s' "$CUSTOMS_N")
  customs (warm)      $(printf '%8.2f' "$WARM")   $(printf '%14s' "$WARM_RATIO")   $(printf '%13s' "$WARM_RSS")
  trivy (cold)        $(printf '%8.2f' "$TRIVY_TIME")   $(printf '%14s' "1.000")   $(printf '%13s' "$TRIVY_RSS")   $(printf '%10s' "$TRIVY_N")
REPORT
target "SBOM cold, ratio to Trivy" "$COLD_RATIO" "<=" 0.5 "×"
target "SBOM warm, ratio to Trivy" "$WARM_RATIO" "<=" 0.1 "×"
target "SBOM peak RSS (cold)" "$COLD_RSS" "<" 300 " MB"
bench_provenance
