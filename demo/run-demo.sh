#!/usr/bin/env bash
# `make demo`: build the demo image from demo/rootfs-layers (offline, no Docker),
# print its SBOM, write CycloneDX to .cache/demo/sbom.cdx.json, build the
# vulnerability DB (public feeds when reachable, else the demo feeds in
# test/feeds, and it says which) and scan the image with every scanner.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist-test/demo/build-demo-image.js demo/rootfs-layers .cache/demo/image
export CUSTOMS_CACHE_DIR=${CUSTOMS_CACHE_DIR:-$PWD/.cache/demo/cache}
export CUSTOMS_DB_DIR=${CUSTOMS_DB_DIR:-$PWD/.cache/demo/db}
customs() { node bin/customs.js "$@"; }

echo "\$ customs sbom .cache/demo/image --format table"
customs sbom .cache/demo/image --format table
customs sbom .cache/demo/image --format cyclonedx -o .cache/demo/sbom.cdx.json -q
echo "CycloneDX SBOM written to .cache/demo/sbom.cdx.json"
echo

echo "\$ customs db update"
if ! customs db update -q 2>.cache/demo/db-update.log; then
  echo "The public feeds cannot be reached from here ($(head -n1 .cache/demo/db-update.log | cut -c1-160))."
  echo "Using the demo feeds in test/feeds instead: small files in the real formats about real CVEs."
  echo "\$ customs db import test/feeds"
  customs db import test/feeds
fi
echo

echo "\$ customs scan .cache/demo/image"
customs scan .cache/demo/image
