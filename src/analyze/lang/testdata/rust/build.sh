#!/bin/sh
# Builds the Rust fixture of rust-binary.test.ts: a tiny crate compiled offline with the
# machine's cargo (no dependencies), then a cargo-auditable style `.dep-v0` section added with
# binutils' objcopy. The JSON follows the auditable-serde format; it is written here (not by
# cargo-auditable, which is not installed) and names one registry dependency and a build dep.
#   hello-auditable   stripped release binary with .dep-v0
#   hello-plain       the same binary without the section
set -eu
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cargo new --quiet --offline --vcs none hello-auditable
cd hello-auditable
printf '[profile.release]\nstrip = true\nopt-level = "z"\n' >>Cargo.toml
cargo build --quiet --offline --release
cp target/release/hello-auditable "$OUT/hello-plain"
cat >"$WORK/deps.json" <<'JSON'
{"packages":[{"name":"hello-auditable","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"itoa","version":"1.0.9","source":"crates.io"},{"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"}]}
JSON
python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1],"rb").read(), 9))' "$WORK/deps.json" >"$WORK/dep-v0"
objcopy --add-section .dep-v0="$WORK/dep-v0" --set-section-flags .dep-v0=noload,readonly "$OUT/hello-plain" "$OUT/hello-auditable"
ls -l "$OUT"
