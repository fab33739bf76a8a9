#!/usr/bin/env bash
# Build (or reuse) the benchmark image and `docker save` it once per image ID.
# Prints the archive path; writes the image's installed Debian package count (dpkg-query
# inside it) beside it as ARCHIVE.packages. Fails when the image is under the 500 MB or
# 500 packages the benchmark targets are stated for. Needs dockerd (scripts/start-dockerd.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=perf/.work
TAG=customs-perf/big:latest
mkdir -p "$WORK"
BASE=$(bash scripts/base-image.sh)
DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE=$BASE" -t "$TAG" perf/fixtures/big-image >&2
ID=$(docker image inspect -f '{{.Id}}' "$TAG")
SHORT=${ID#sha256:}
ARCHIVE="$PWD/$WORK/big-${SHORT:0:16}.tar"
N=$(docker run --rm --network none "$TAG" dpkg-query -W -f '${db:Status-Status}\n' | grep -cx installed)
echo "bench image: $N Debian packages installed" >&2
if [ ! -s "$ARCHIVE" ]; then
  rm -f "$WORK"/big-*.tar "$WORK"/big-*.tar.packages
  docker save -o "$ARCHIVE.tmp" "$TAG"
  mv "$ARCHIVE.tmp" "$ARCHIVE"
fi
echo "$N" >"$ARCHIVE.packages"
BYTES=$(stat -c %s "$ARCHIVE")
if [ "$BYTES" -lt $((500 * 1000 * 1000)) ] || [ "$N" -lt 500 ]; then
  echo "bench image: FAILED: $((BYTES / 1000 / 1000)) MB and $N packages; the benchmark needs ≥ 500 MB and ≥ 500 packages (perf/fixtures/big-image/Dockerfile)" >&2
  exit 1
fi
echo "$ARCHIVE"
