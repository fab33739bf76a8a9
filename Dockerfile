# syntax=docker/dockerfile:1
# customs — the container images (docs/deploy.md "The image", "The sensor image").
#
#   docker build --target customs -t customs:dev .
#   docker build --build-arg BASE_IMAGE=registry.example/node:20-bookworm-slim --target customs -t customs:dev .
#   docker build --target sensor -t customs-sensor:dev .
#
# Targets: `customs` (the default: every command, no shell) and `sensor` (the runtime
# sensor, which needs bpftrace and its LLVM libraries beside node: a Debian root with a
# package manager, built from SENSOR_BASE_IMAGE). The classic builder (DOCKER_BUILDKIT=0)
# builds every stage before the one it targets, so name the target: the last stage only
# repeats `customs` so that a build without --target (BuildKit skips the stages it does
# not need) still gives the customs image.
#
# BASE_IMAGE is any Debian-based Node.js 20 runtime with `node` on PATH and /bin/sh
# (both stages use it). DEPS=npm (the default) runs `npm ci`, the build and
# `npm prune --omit=dev` in the builder; DEPS=context takes bin/, dist/, schema/ and a
# production node_modules/ already in the build context (machines without a registry
# or native toolchain: the tests do this, docs/deploy.md says how).
#
# Reproducible: every file the image adds gets mode 0644/0755, owner 0:0 and the
# mtime SOURCE_DATE_EPOCH, so two builds of one commit give the same layer digests
# (https://reproducible-builds.org/docs/source-date-epoch/).
# Pinned by digest (CUS-DF-003): the release script bumps it deliberately (docs/deploy.md).
ARG BASE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
# The sensor's base: any Debian bookworm root with apt (or with bpftrace already installed).
# The digest is debian:bookworm-slim's as public build logs show it; it was not pulled or
# verified here (no Docker Hub from the machine that wrote this): check it before a release.
ARG SENSOR_BASE_IMAGE=debian:bookworm-slim@sha256:3783cc01769c7b2b1b83a5c5ad96c815348e28ed7da68e2e3687004faa906251

FROM ${BASE_IMAGE} AS builder
ARG DEPS=npm
ARG SOURCE_DATE_EPOCH=0
WORKDIR /src
COPY . .
RUN set -eu; \
    if [ "$DEPS" = npm ]; then \
      npm ci --no-audit --no-fund; \
      npm run build; \
      npm prune --omit=dev --no-audit --no-fund; \
    fi; \
    for p in bin dist schema node_modules package.json; do \
      [ -e "$p" ] || { echo "missing $p in the build (DEPS=$DEPS)" >&2; exit 1; }; \
    done; \
    mkdir -p /out/app; \
    cp -a bin dist schema node_modules package.json /out/app/; \
    # What package.json "files" leaves out of the npm package stays out of the image too.
    find /out/app/dist \( -name test-support -o -name '*.test.js' -o -name '*.test.js.map' \) -prune -exec rm -rf {} +; \
    rm -rf /out/app/node_modules/.cache /out/app/node_modules/.package-lock.json; \
    # Packages' own tests, docs and benchmarks, and better-sqlite3's sources and build
    # intermediates, are not run: they only add size and findings (example credentials).
    find /out/app/node_modules -name package.json -type f | while read -r pj; do \
      d=${pj%/package.json}; rm -rf "$d/test" "$d/tests" "$d/__tests__" "$d/benchmarks" "$d/benchmark" "$d/docs" "$d/example" "$d/examples"; \
    done; \
    b=/out/app/node_modules/better-sqlite3; \
    if [ -d "$b" ]; then \
      find "$b/build" -mindepth 1 ! -path "$b/build/Release" ! -path "$b/build/Release/better_sqlite3.node" -prune -exec rm -rf {} +; \
      rm -rf "$b/deps" "$b/src"; \
    fi; \
    # The runtime root: the base's own files without a shell, package managers or
    # setuid/setgid bits (customs needs only node). The dpkg records stay, so scanners
    # still see what the base was built from. Copied whole into one layer (rather than
    # deleted in a layer above the base, whose whiteouts would carry the build time).
    mkdir -p /out/rootfs; \
    tar -C / -cf - --numeric-owner --one-file-system \
      --exclude=./out --exclude=./src --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./tmp --exclude=./run \
      --exclude=./etc/hostname --exclude=./etc/hosts --exclude=./etc/resolv.conf --exclude=./root/.npm \
      --exclude=./var/cache/apt --exclude=./var/lib/apt/lists --exclude=./var/log \
      . | tar -C /out/rootfs -xpf - --numeric-owner; \
    cd /out/rootfs; \
    rm -rf usr/local/lib/node_modules/npm usr/local/lib/node_modules/corepack opt/yarn-*; \
    for f in sh bash rbash dash su passwd chsh chfn newgrp gpasswd mount umount \
             apt apt-get apt-cache apt-config apt-mark apt-key dpkg dpkg-deb dpkg-query dpkg-divert dpkg-split dpkg-trigger; do \
      rm -f "usr/bin/$f" "bin/$f"; done; \
    rm -f usr/local/bin/npm usr/local/bin/npx usr/local/bin/corepack usr/local/bin/yarn usr/local/bin/yarnpkg; \
    mkdir -p proc sys dev tmp run var/log; chmod 1777 tmp; \
    : >etc/hostname; : >etc/hosts; : >etc/resolv.conf; \
    find . -type f -perm /6000 -exec chmod ug-s {} +; \
    mv /out/app /out/rootfs/app; mkdir -p /out/rootfs/var/lib/customs; \
    find /out/rootfs/app /out/rootfs/var/lib/customs -exec chown -h 0:0 {} +; \
    find /out/rootfs/app -type d -exec chmod 0755 {} +; \
    find /out/rootfs/app -type f -perm /111 -exec chmod 0755 {} +; \
    find /out/rootfs/app -type f ! -perm /111 -exec chmod 0644 {} +; \
    # The one writable place: the state volume, owned by the runtime user.
    chown 10001:10001 /out/rootfs/var/lib/customs; chmod 0700 /out/rootfs/var/lib/customs; \
    # The classic builder's cache key for the COPY --from below is the files' content, not
    # their mtimes: the epoch is written into the tree so a new epoch is a new layer, never
    # the cached layer of an older one with older mtimes.
    echo "$SOURCE_DATE_EPOCH" > /out/rootfs/app/SOURCE_DATE_EPOCH; chmod 0644 /out/rootfs/app/SOURCE_DATE_EPOCH; \
    find /out/rootfs -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# The customs image: that root, and nothing to run but node.
FROM scratch AS customs
# RFC 3339 of SOURCE_DATE_EPOCH (scripts/release.sh computes it), so the label is reproducible too.
ARG CREATED=1970-01-01T00:00:00Z
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG BASE_IMAGE
COPY --from=builder /out/rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Everything customs writes lives under /var/lib/customs (one volume): the server's
# data dir (SQLite store, secret key, admin token), the vulnerability DB and the layer
# cache (XDG Base Directory variables; docs/deploy.md), so the root can be read-only.
ENV HOME=/var/lib/customs \
    XDG_DATA_HOME=/var/lib/customs/data \
    XDG_CACHE_HOME=/var/lib/customs/cache \
    XDG_CONFIG_HOME=/var/lib/customs/config \
    CUSTOMS_DATA_DIR=/var/lib/customs/server \
    NODE_ENV=production
VOLUME ["/var/lib/customs"]
WORKDIR /var/lib/customs
USER 10001:10001
EXPOSE 8080
LABEL org.opencontainers.image.title="customs" \
      org.opencontainers.image.description="Container security platform: scan images, gate CI, guard registries and clusters" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}" \
      org.opencontainers.image.source="https://github.com/customs-security/customs" \
      org.opencontainers.image.documentation="https://github.com/customs-security/customs/blob/main/docs/deploy.md"
# For `serve`: GET /healthz on the port of CUSTOMS_LISTEN (plain HTTP; with TLS or for
# `worker`/`admit` the orchestrator's own probe replaces it, as deploy/ does). No curl:
# node itself asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.CUSTOMS_LISTEN||'8080').split(':').pop();fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/customs.js"]
CMD ["--help"]

# The sensor image: `customs sensor` needs bpftrace (>= 0.17, with its LLVM and BCC
# libraries: 331 MB installed on bookworm; docs/runtime.md "Requirements"), which
# cannot be carried into the scratch root above without a package manager's help. A
# Debian root with bpftrace from the distribution, the same node and /app as `customs`.
FROM ${SENSOR_BASE_IMAGE} AS sensor
ARG CREATED=1970-01-01T00:00:00Z
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SENSOR_BASE_IMAGE
# Debian bookworm's bpftrace (the release the default base is); bump with the base.
ARG BPFTRACE_VERSION=0.17.0-1
# A base that already carries bpftrace (a mirror-less build) is used as it is.
RUN set -eu; \
    if ! command -v bpftrace >/dev/null 2>&1; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "bpftrace=$BPFTRACE_VERSION"; \
      rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin; \
    fi; \
    bpftrace --version; \
    # The state volume: the sensor's own (it runs as root), closed to every other user.
    install -d -o 0 -g 0 -m 0700 /var/lib/customs
COPY --from=builder /out/rootfs/usr/local/bin/node /usr/local/bin/node
COPY --from=builder /out/rootfs/app /app
ENV HOME=/var/lib/customs \
    XDG_DATA_HOME=/var/lib/customs/data \
    XDG_CACHE_HOME=/var/lib/customs/cache \
    XDG_CONFIG_HOME=/var/lib/customs/config \
    NODE_ENV=production
VOLUME ["/var/lib/customs"]
WORKDIR /var/lib/customs
# root, on purpose: bpftrace loads eBPF programs (CAP_BPF + CAP_PERFMON, CAP_SYS_ADMIN
# before Linux 5.8) and the sensor reads the root-owned Docker socket and other users'
# /proc/PID — none of which a non-root user can be granted through the image. The
# DaemonSet (deploy/kubernetes/base/sensor.yaml) runs it as uid 0 with all capabilities
# dropped but those, a read-only root and no privilege escalation.
USER 0:0
LABEL org.opencontainers.image.title="customs-sensor" \
      org.opencontainers.image.description="customs runtime sensor: container behaviour from the kernel (bpftrace), drift, inventory" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${SENSOR_BASE_IMAGE}" \
      org.opencontainers.image.source="https://github.com/customs-security/customs" \
      org.opencontainers.image.documentation="https://github.com/customs-security/customs/blob/main/docs/deploy.md"
# The sensor's own /healthz (on --listen) is probed by the orchestrator, as the
# DaemonSet does; there is no fixed port for an image-level check to ask.
HEALTHCHECK NONE
ENTRYPOINT ["node", "/app/bin/customs.js"]
CMD ["sensor", "--help"]

# The default target (a build without --target): the customs image, unchanged.
FROM customs
