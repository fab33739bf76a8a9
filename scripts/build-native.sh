#!/usr/bin/env bash
# Build the ISA-L inflate addon (native/isal-inflate.c) into dist/native/isal-inflate.node.
# It needs a C compiler, Node's headers (node_api.h) and ISA-L's (Debian libisal-dev, which
# scripts/install-deps.sh installs). Without them the build says so and succeeds: gzip
# layers are then inflated by node:zlib, with the same results and more CPU
# (docs/adr/0010-native-inflate.md). CUSTOMS_REQUIRE_NATIVE=1 makes a missing piece an error.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist/native/isal-inflate.node
log() { printf 'build-native: %s\n' "$*" >&2; }
skip() {
  if [ "${CUSTOMS_REQUIRE_NATIVE:-}" = 1 ]; then
    log "cannot build $out: $* (CUSTOMS_REQUIRE_NATIVE=1)"
    exit 1
  fi
  log "not building $out: $*; gzip layers will use node:zlib"
  exit 0
}

cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler ($cc)"
# Node's headers: beside the running node (official tarballs, nvm), or Debian's nodejs-dev.
node_prefix=$(node -p 'require("node:path").resolve(process.execPath, "../..")')
node_include=""
for d in "$node_prefix/include/node" /usr/include/node /usr/local/include/node; do
  if [ -f "$d/node_api.h" ]; then
    node_include=$d
    break
  fi
done
[ -n "$node_include" ] || skip "Node's headers (node_api.h) not found"
printf '#include <isa-l/igzip_lib.h>\n' | "$cc" -E -x c - >/dev/null 2>&1 || skip "ISA-L's headers not found (Debian: apt-get install libisal-dev)"

# ISA-L's shared library travels beside the addon (found through the rpath $ORIGIN), so the
# build runs where libisal2 is not installed: the npm package, the container image. Its
# licence (BSD-3-Clause) goes with it.
lib=$("$cc" -print-file-name=libisal.so.2)
[ -f "$lib" ] || skip "libisal.so.2 not found"
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
"$cc" -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
  -DNODE_GYP_MODULE_NAME=isal_inflate -I"$node_include" \
  -Wl,-rpath,'$ORIGIN' -o "$tmp" native/isal-inflate.c -lisal
cp -fL "$lib" dist/native/libisal.so.2
copyright=/usr/share/doc/libisal2/copyright
if [ -f "$copyright" ]; then cp -f "$copyright" dist/native/libisal.COPYRIGHT; fi
mv -f "$tmp" "$out"
log "built $out (with ISA-L $(basename "$(readlink -f "$lib")"))"
# The tests' own build of src/ (dist-test/src/, test/tsconfig.json) loads it from beside itself too.
if [ -d dist-test/src/image ]; then
  mkdir -p dist-test/src/native
  cp -f "$out" dist/native/libisal.so.2 dist-test/src/native/
fi
