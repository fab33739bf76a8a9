#!/usr/bin/env bash
# Make a Debian bookworm base image without any registry:
#   debootstrap --variant=minbase bookworm → rootfs tarball (cached under
#   .cache/base/, keyed by date so a day's reruns reuse it) → `docker import`.
# Prints the image name. Idempotent: an image already in the daemon is reused.
#
# Usage: scripts/base-image.sh [IMAGE_NAME]   (default customs-test/bookworm:base-YYYYMMDD)
set -euo pipefail
cd "$(dirname "$0")/.."

STAMP=$(date -u +%Y%m%d)
IMAGE=${1:-customs-test/bookworm:base-$STAMP}
CACHE_DIR=${CUSTOMS_BASE_CACHE:-$PWD/.cache/base}
TARBALL="$CACHE_DIR/bookworm-minbase-$STAMP.tar"

log() { printf 'base-image: %s\n' "$*" >&2; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE"
  exit 0
fi

if [ ! -s "$TARBALL" ]; then
  # The machine's own Debian mirror (deb822 sources), as TOOLS.md says.
  MIRROR=${DEBIAN_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  mkdir -p "$CACHE_DIR"
  ROOT=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  trap 'rm -rf "$ROOT"' EXIT
  log "debootstrap --variant=minbase bookworm from $MIRROR (~25 s)"
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 || {
    tail -n 20 "$CACHE_DIR/debootstrap.log" >&2
    exit 1
  }
  # Keep apt's lists out of the image (as Docker's debian images do) and point apt
  # at the same mirror for the builds that run `apt-get install` inside it.
  rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin
  echo "deb $MIRROR bookworm main" >"$ROOT/etc/apt/sources.list"
  tar --numeric-owner -C "$ROOT" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  # Older days' tarballs are dead weight.
  find "$CACHE_DIR" -maxdepth 1 -name 'bookworm-minbase-*.tar' ! -name "$(basename "$TARBALL")" -delete
fi

log "docker import $TARBALL as $IMAGE"
docker import "$TARBALL" "$IMAGE" >/dev/null
echo "$IMAGE"
