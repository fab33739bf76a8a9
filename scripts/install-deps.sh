#!/usr/bin/env bash
# Install what `make test`, `make demo` and `make bench` need, idempotently:
#   1. Debian packages (only the missing ones; apt-get update at most once),
#   2. npm dependencies (`npm ci` when node_modules is missing or package-lock.json changed),
#   3. the build (`npm run build`).
# SKIP_DEBIAN=1 skips step 1 (offline `make demo`), SKIP_BUILD=1 skips step 3.
# Other helpers append Debian packages to DEBIAN_PACKAGES (one word each).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES="docker.io docker-registry skopeo debootstrap rpm apache2-utils zstd db-util sqlite3 openssl golang-go binutils python3-packaging clamav-daemon python3-apt maven default-jdk-headless kubectl chromium libxml2-utils postgresql bpftrace attr docker-compose libisal-dev"

log() { printf 'install-deps: %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=() pkg
  for pkg in $DEBIAN_PACKAGES; do
    # dpkg -s exits 0 for removed-but-configured packages too; check the status line.
    if ! dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages: all present"
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]} — run this script as root (or: sudo apt-get install -y ${missing[*]})"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Try without an update first (the lists may be fresh); update once if that fails.
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

install_npm_dependencies() {
  local stamp=node_modules/.customs-lock-hash want have=""
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  [ -f "$stamp" ] && have=$(cat "$stamp")
  if [ -d node_modules ] && [ "$want" = "$have" ]; then
    log "npm dependencies: up to date"
    return
  fi
  log "npm ci (package-lock.json changed or node_modules missing; better-sqlite3 builds from source, ~70 s)"
  # npm ci installs exactly what the lock file says and refuses a lock file that
  # disagrees with package.json, as a user's machine or a standard CI would.
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
}

# The runtime sensor's bpftrace attaches to tracepoints through tracefs (docs/runtime.md
# "Requirements"); most distributions mount it at boot, some machines do not.
mount_tracefs() {
  local dir=/sys/kernel/tracing
  [ -d "$dir" ] && [ "$(id -u)" -eq 0 ] || return 0
  mountpoint -q "$dir" && return 0
  if mount -t tracefs tracefs "$dir" 2>/dev/null; then
    log "mounted tracefs at $dir"
  else
    log "could not mount tracefs at $dir: the sensor's behaviour tests will fail"
  fi
}

[ "${SKIP_DEBIAN:-}" = 1 ] || install_debian_packages
[ "${SKIP_DEBIAN:-}" = 1 ] || mount_tracefs
install_npm_dependencies
if [ "${SKIP_BUILD:-}" != 1 ]; then
  log "npm run build"
  npm run build --silent
fi
