#!/usr/bin/env bash
# Build (or reuse) the benchmark image and `docker save` it once per image ID.
# Prints the archive path. Needs dockerd (scripts/start-dockerd.sh).
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
  rm -f "$WORK"/big-*.tar
  docker save -o "$ARCHIVE.tmp" "$TAG"
  mv "$ARCHIVE.tmp" "$ARCHIVE"
fi
echo "$ARCHIVE"
