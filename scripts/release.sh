#!/usr/bin/env bash
# Build, check, describe, publish and sign customs' two images (docs/deploy.md "Releases").
#
#   scripts/release.sh REGISTRY/REPOSITORY VERSION
#
# publishes REGISTRY/REPOSITORY:VERSION (the Dockerfile's `customs` target) and
# REGISTRY/REPOSITORY-sensor:VERSION (its `sensor` target):
# 1. docker build of both targets, SOURCE_DATE_EPOCH = the commit time (two builds of one
#    commit give the same layers: test/deploy/image.test.ts);
# 2. `customs gate dockerfile`, then the customs image scanned and gated by the release
#    policy (deploy/policy.yaml, deploy/secrets.yaml) — the sensor image runs as root with
#    a package manager by design, so it is described (SBOM), not gated by that policy;
# 3. the CycloneDX SBOM of each image into $RELEASE_OUT;
# 4. push both, then pin overlays/production to the pushed digests;
# 5. sign each digest with `customs sign --bundle` (a cosign-format key from `customs sign
#    generate-key-pair`) and check the signature with `customs verify` and the public key.
# test/deploy/release.test.ts runs all of it against a registry on loopback.
#
# Environment:
#   CUSTOMS_SIGN_KEY    private key (required; COSIGN_PASSWORD its password). The public key
#                       is CUSTOMS_SIGN_PUB, default the key's path with .key → .pub
#   BASE_IMAGE          the customs image's Node.js base (default: the Dockerfile's pin)
#   SENSOR_BASE_IMAGE   the sensor image's Debian base (default: the Dockerfile's pin)
#   DEPS, CONTEXT       DEPS=context builds from CONTEXT, a directory holding bin/ dist/
#                       schema/ package.json and production node_modules/ (docs/deploy.md
#                       "The image"); default DEPS=npm with the checkout as the context
#   CUSTOMS_DB          vulnerability DB for the gate (default: the CLI's)
#   CUSTOMS_BIN         the CLI that checks and signs (default: bin/customs.js; `make build`)
#   RELEASE_OUT         scan, SBOMs and digests (default: dist/release)
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: scripts/release.sh REGISTRY/REPOSITORY VERSION"
REPO=${1:?$usage}
VERSION=${2:?$usage}
SENSOR_REPO="$REPO-sensor"
TAG="$REPO:$VERSION"
SENSOR_TAG="$SENSOR_REPO:$VERSION"
OUT=${RELEASE_OUT:-dist/release}
CONTEXT=${CONTEXT:-.}
OVERLAY=deploy/kubernetes/overlays/production/kustomization.yaml
log() { printf 'release: %s %s\n' "$(date -u +%T)" "$*" >&2; }
die() {
  log "$1"
  exit "${2:-1}"
}

# Everything that can be checked before anything is built or pushed.
[ -z "$(git status --porcelain)" ] || die "the checkout has uncommitted changes: a release is built from a commit" 2
[ -n "${CUSTOMS_SIGN_KEY:-}" ] || die "CUSTOMS_SIGN_KEY is not set: a release is signed (customs sign generate-key-pair)" 2
SIGN_PUB=${CUSTOMS_SIGN_PUB:-${CUSTOMS_SIGN_KEY%.key}.pub}
[ -r "$CUSTOMS_SIGN_KEY" ] || die "CUSTOMS_SIGN_KEY=$CUSTOMS_SIGN_KEY is not a readable file" 2
[ -r "$SIGN_PUB" ] || die "no public key $SIGN_PUB to verify the signatures with (set CUSTOMS_SIGN_PUB)" 2
CUSTOMS_BIN=${CUSTOMS_BIN:-bin/customs.js}
customs() { node "$CUSTOMS_BIN" "$@"; }
customs --version >/dev/null || die "the CLI ($CUSTOMS_BIN) does not run: make build" 2
command -v kubectl >/dev/null || die "kubectl is missing (it renders the production overlay)" 2

EPOCH=$(git log -1 --format=%ct)
REVISION=$(git rev-parse HEAD)
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$OUT"

# --target always: the classic builder builds every stage before the one it targets.
build() {
  local target=$1 tag=$2
  log "build $tag (target $target, SOURCE_DATE_EPOCH=$EPOCH)"
  docker build -q -f Dockerfile --target "$target" \
    ${BASE_IMAGE:+--build-arg BASE_IMAGE="$BASE_IMAGE"} \
    ${SENSOR_BASE_IMAGE:+--build-arg SENSOR_BASE_IMAGE="$SENSOR_BASE_IMAGE"} \
    ${DEPS:+--build-arg DEPS="$DEPS"} \
    --build-arg SOURCE_DATE_EPOCH="$EPOCH" \
    --build-arg CREATED="$CREATED" \
    --build-arg VERSION="$VERSION" \
    --build-arg REVISION="$REVISION" \
    -t "$tag" "$CONTEXT" >/dev/null
}
build customs "$TAG"
build sensor "$SENSOR_TAG"

DB_ARGS=()
[ -n "${CUSTOMS_DB:-}" ] && DB_ARGS=(--db "$CUSTOMS_DB")
log "check the Dockerfile and gate $TAG by deploy/policy.yaml"
customs gate dockerfile Dockerfile --policy deploy/policy.yaml -q
customs scan "docker-daemon:$TAG" "${DB_ARGS[@]}" --secret-config deploy/secrets.yaml -f json -o "$OUT/scan.json" -q
customs gate "$OUT/scan.json" --policy deploy/policy.yaml --summary
# After the scan: its layer cache serves the SBOM's analysis.
customs sbom "docker-daemon:$TAG" -f cyclonedx -o "$OUT/customs-$VERSION.cdx.json" -q
customs sbom "docker-daemon:$SENSOR_TAG" -f cyclonedx -o "$OUT/customs-sensor-$VERSION.cdx.json" -q

# The registry's digest of a pushed tag (RepoDigests are recorded by the push).
push() {
  local repo=$1 tag=$2 digest
  log "push $tag"
  docker push -q "$tag" >/dev/null
  digest=$(docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$tag" | grep "^$repo@" | head -n1 | cut -d@ -f2)
  [ -n "$digest" ] || die "no digest for $repo after the push"
  printf '%s\n' "$digest"
}
DIGEST=$(push "$REPO" "$TAG")
SENSOR_DIGEST=$(push "$SENSOR_REPO" "$SENSOR_TAG")
printf '%s@%s\n%s@%s\n' "$REPO" "$DIGEST" "$SENSOR_REPO" "$SENSOR_DIGEST" >"$OUT/digests.txt"

# The pins live between two marker lines, replaced by each release; kustomize renders them.
log "pin $OVERLAY to the pushed digests"
sed -i '/^# release pins (scripts\/release.sh): begin$/,/^# release pins (scripts\/release.sh): end$/d' "$OVERLAY"
cat >>"$OVERLAY" <<EOF
# release pins (scripts/release.sh): begin
images:
  - name: ghcr.io/customs-dev/customs
    newName: $REPO
    digest: $DIGEST
  - name: ghcr.io/customs-dev/customs-sensor
    newName: $SENSOR_REPO
    digest: $SENSOR_DIGEST
# release pins (scripts/release.sh): end
EOF
RENDERED=$(kubectl kustomize "$(dirname "$OVERLAY")")
grep -q "image: $REPO@$DIGEST" <<<"$RENDERED" || die "the production overlay does not render $REPO@$DIGEST"
grep -q "image: $SENSOR_REPO@$SENSOR_DIGEST" <<<"$RENDERED" || die "the production overlay does not render $SENSOR_REPO@$SENSOR_DIGEST"

for ref in "$REPO@$DIGEST" "$SENSOR_REPO@$SENSOR_DIGEST"; do
  log "sign $ref"
  customs sign "$ref" --key "$CUSTOMS_SIGN_KEY" --bundle -q
  customs verify "$ref" --key "$SIGN_PUB" -q >/dev/null || die "customs verify does not accept the signature of $ref"
done
log "released $REPO@$DIGEST and $SENSOR_REPO@$SENSOR_DIGEST (SBOMs and scan in $OUT; commit $OVERLAY)"
