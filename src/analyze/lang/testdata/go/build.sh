#!/bin/sh
# Builds the Go fixtures of go-binary.test.ts with Debian's Go (apt-get install -y golang-go),
# offline: the dependencies come from a file:// GOPROXY written here, the rest is the stdlib.
#   hello-app            module example.com/hello: dep example.com/lib v1.2.3, example.com/orig
#                        replaced by example.org/fork v1.5.0, example.com/greet replaced by ./greet
#   hello-app-stripped   same, -ldflags='-s -w' -trimpath
#   hello-app-386        GOARCH=386 (ELF32), stripped
#   hello-app.exe        GOOS=windows (PE), stripped
# Run from anywhere: sh src/analyze/lang/testdata/go/build.sh
set -eu
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- a module proxy on disk (GOPROXY protocol: $module/@v/list, .info, .mod, .zip) ---
mkmod() { # mkmod PATH VERSION DECLARED_PATH GO_SOURCE
  dir="$WORK/src/$1@$2"; mkdir -p "$dir"
  printf 'module %s\n\ngo 1.18\n' "$3" >"$dir/go.mod"
  printf '%s\n' "$4" >"$dir/lib.go"
  p="$WORK/proxy/$1/@v"; mkdir -p "$p"
  printf '%s\n' "$2" >>"$p/list"
  printf '{"Version":"%s","Time":"2023-01-01T00:00:00Z"}\n' "$2" >"$p/$2.info"
  cp "$dir/go.mod" "$p/$2.mod"
  (cd "$WORK/src" && zip -qrX "$p/$2.zip" "$1@$2")
}
mkmod example.com/lib v1.2.3 example.com/lib 'package lib
func Name() string { return "lib" }'
mkmod example.org/fork v1.5.0 example.com/orig 'package orig
func Name() string { return "fork" }'

# --- the app ---
APP="$WORK/app"; mkdir -p "$APP/greet"
printf 'module example.com/greet\n\ngo 1.18\n' >"$APP/greet/go.mod"
printf 'package greet\nfunc Hello() string { return "hello" }\n' >"$APP/greet/greet.go"
cat >"$APP/go.mod" <<'MOD'
module example.com/hello

go 1.18

require (
	example.com/greet v0.0.0
	example.com/lib v1.2.3
	example.com/orig v1.0.0
)

replace example.com/greet => ./greet

replace example.com/orig v1.0.0 => example.org/fork v1.5.0
MOD
cat >"$APP/main.go" <<'GO'
package main

import (
	"os"

	"example.com/greet"
	"example.com/lib"
	"example.com/orig"
)

func main() { os.Stdout.WriteString(greet.Hello() + lib.Name() + orig.Name() + "\n") }
GO

export GOPROXY="file://$WORK/proxy" GOFLAGS=-mod=mod GOSUMDB=off GONOSUMDB='*' \
  GOPATH="$WORK/gopath" GOCACHE="$WORK/gocache" CGO_ENABLED=0 GOTOOLCHAIN=local
cd "$APP"
go build -buildvcs=false -o "$OUT/hello-app" .
go build -buildvcs=false -trimpath -ldflags='-s -w' -o "$OUT/hello-app-stripped" .
GOARCH=386 go build -buildvcs=false -trimpath -ldflags='-s -w' -o "$OUT/hello-app-386" .
GOOS=windows go build -buildvcs=false -trimpath -ldflags='-s -w' -o "$OUT/hello-app.exe" .
go version >"$OUT/go-version.txt"
ls -l "$OUT"
