#!/usr/bin/env bash
# `make demo`: build the demo image from demo/rootfs-layers (offline, no Docker),
# print its SBOM as a table and write CycloneDX to .cache/demo/sbom.cdx.json.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist-test/demo/build-demo-image.js demo/rootfs-layers .cache/demo/image
export CUSTOMS_CACHE_DIR=${CUSTOMS_CACHE_DIR:-$PWD/.cache/demo/cache}
echo "\$ customs sbom .cache/demo/image --format table"
node bin/customs.js sbom .cache/demo/image --format table
node bin/customs.js sbom .cache/demo/image --format cyclonedx -o .cache/demo/sbom.cdx.json -q
echo "CycloneDX SBOM written to .cache/demo/sbom.cdx.json"
