#!/usr/bin/env bash
# Build, check, describe and publish customs' own image (docs/deploy.md "Releases").
#
#   scripts/release.sh REGISTRY/REPOSITORY VERSION
#
# 1. docker build of the repository's Dockerfile, SOURCE_DATE_EPOCH = the commit time
#    (two builds of one commit give the same layers: test/deploy/image.test.ts);
# 2. `customs scan dockerfile` and the release gate on the image (deploy/policy.yaml,
#    deploy/secrets.yaml) — the same checks `make test` runs (test/deploy/dogfood.test.ts);
# 3. the CycloneDX SBOM of the image into dist/release/;
# 4. push, then pin overlays/production to the pushed digest;
# 5. sign the digest with `customs sign` (a cosign-format key in CUSTOMS_SIGN_KEY, from
#    `customs sign generate-key-pair`), with a sigstore bundle as an OCI referrer.
#
# Environment: BASE_IMAGE (default: the Dockerfile's pinned node:20-bookworm-slim),
# CUSTOMS_DB (vulnerability DB for the gate; default the CLI's), CUSTOMS_SIGN_KEY.
set -euo pipefail
cd "$(dirname "$0")/.."

REPO=${1:?usage: scripts/release.sh REGISTRY/REPOSITORY VERSION}
VERSION=${2:?usage: scripts/release.sh REGISTRY/REPOSITORY VERSION}
TAG="$REPO:$VERSION"
OUT=dist/release
log() { printf 'release: %s\n' "$*" >&2; }

if [ -n "$(git status --porcelain)" ]; then
  log "the checkout has uncommitted changes: a release is built from a commit"
  exit 2
fi
EPOCH=$(git log -1 --format=%ct)
REVISION=$(git rev-parse HEAD)
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$OUT"

log "build $TAG (SOURCE_DATE_EPOCH=$EPOCH)"
docker build \
  ${BASE_IMAGE:+--build-arg BASE_IMAGE="$BASE_IMAGE"} \
  --build-arg SOURCE_DATE_EPOCH="$EPOCH" \
  --build-arg CREATED="$CREATED" \
  --build-arg VERSION="$VERSION" \
  --build-arg REVISION="$REVISION" \
  -t "$TAG" .

customs() { node bin/customs.js "$@"; }
DB_ARGS=()
[ -n "${CUSTOMS_DB:-}" ] && DB_ARGS=(--db "$CUSTOMS_DB")

log "check the Dockerfile and gate the image by deploy/policy.yaml"
customs gate dockerfile Dockerfile --policy deploy/policy.yaml
customs scan "docker-daemon:$TAG" "${DB_ARGS[@]}" --secret-config deploy/secrets.yaml -f json -o "$OUT/scan.json" -q
customs gate "$OUT/scan.json" --policy deploy/policy.yaml --summary
customs sbom "docker-daemon:$TAG" -f cyclonedx -o "$OUT/customs-$VERSION.cdx.json" -q

log "push $TAG"
docker push "$TAG"
DIGEST=$(docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$TAG" | grep "^$REPO@" | head -n1 | cut -d@ -f2)
[ -n "$DIGEST" ] || { log "no digest for $REPO after the push"; exit 1; }
(cd deploy/kubernetes/overlays/production && kubectl kustomize . >/dev/null &&
  printf 'images:\n  - name: ghcr.io/customs-dev/customs\n    newName: %s\n    digest: %s\n' "$REPO" "$DIGEST" >>kustomization.yaml)

if [ -n "${CUSTOMS_SIGN_KEY:-}" ]; then
  # cosign's format (customs sign generate-key-pair); the key's password from COSIGN_PASSWORD.
  log "sign $REPO@$DIGEST with customs sign"
  customs sign "$REPO@$DIGEST" --key "$CUSTOMS_SIGN_KEY" --bundle
else
  log "CUSTOMS_SIGN_KEY is not set: the image is NOT signed"
fi
log "released $REPO@$DIGEST (SBOM: $OUT/customs-$VERSION.cdx.json)"
