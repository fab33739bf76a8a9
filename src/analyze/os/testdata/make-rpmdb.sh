#!/usr/bin/env bash
# Generates the RPM database fixtures of src/analyze/os/testdata/rpm/.
#
# Real databases, made by the real tools (Debian packages rpm, db-util, sqlite3, gpg):
#   rpmdb.sqlite   rpm 4.18 `--justdb` install of the tiny packages built below (sqlite backend)
#   Packages       Berkeley DB hash, little-endian, 4096-byte pages: the same header blobs loaded
#                  with db5.3_load -t hash (Debian's rpm cannot write bdb, only read it: bdb_ro)
#   Packages.be    the same, big-endian (db_lorder=4321) with 512-byte pages, so every header
#                  spills into overflow pages
#   expected.txt   `rpm -qa` over rpmdb.sqlite; the script checks that rpm's bdb_ro backend
#                  reads both Berkeley DB files to the same list (the oracle for our reader)
#   files.txt      `rpm -qa --filesbypkg` over rpmdb.sqlite (ownership oracle)
# Real databases from real distributions, copied from github.com/knqyf263/go-rpmdb (MIT),
# commit 7e39c901d1c42d070a7c681b5d36c92ac6c129d6, pkg/testdata/ (set GO_RPMDB to its checkout):
#   sle15-bci-Packages.db.gz   SUSE BCI 15 NDB database (gzip to keep the repo small)
#   libuuid-Packages           RHEL 8 Berkeley DB hash with one package (libuuid)
#   sle15-bci.expected         the package list go-rpmdb's test table records for that image
#                              (pkg/rpmdb_testcase_test.go, SLE15WithNDB), re-read by `rpm -qa`
#   libuuid.expected           `rpm -qa` (bdb_ro) over libuuid-Packages
# Usage: GO_RPMDB=/path/to/go-rpmdb src/analyze/os/testdata/make-rpmdb.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/rpm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
QF='%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n'

spec() { # name version release epoch license subpackage? nfiles
  local name=$1 version=$2 release=$3 epoch=$4 license=$5 sub=$6 nfiles=$7
  {
    echo "Name: $name"; echo "Version: $version"; echo "Release: $release"
    [ "$epoch" != - ] && echo "Epoch: $epoch"
    echo "Summary: customs test package $name"; echo "License: $license"; echo "BuildArch: noarch"
    echo '%description'; echo "fixture for customs"
    if [ "$sub" != - ]; then
      echo "%package -n $sub"; echo "Summary: subpackage $sub"; echo "License: LGPL-2.1-or-later"
      echo "%description -n $sub"; echo "sub"
    fi
    echo '%install'
    echo "mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/$name %{buildroot}/etc"
    echo "echo x > %{buildroot}/usr/bin/$name"
    echo "echo c > %{buildroot}/etc/$name.conf"
    echo "for i in \$(seq 1 $nfiles); do echo \$i > %{buildroot}/usr/share/$name/file-\$i.txt; done"
    [ "$sub" != - ] && echo "mkdir -p %{buildroot}/usr/lib/$sub && echo l > %{buildroot}/usr/lib/$sub/lib.so"
    echo '%files'; echo "/usr/bin/$name"; echo "%config /etc/$name.conf"; echo "/usr/share/$name"
    if [ "$sub" != - ]; then echo "%files -n $sub"; echo "/usr/lib/$sub"; fi
  } >"$work/$name.spec"
  rpmbuild --quiet --define "_topdir $work/top" -bb "$work/$name.spec" >/dev/null 2>&1
}
spec hello 1.2 3.el9 2 'MIT AND (Apache-2.0 OR BSD-3-Clause)' hello-libs 3
spec world 0.9.1 1.fc40 - 'GPL-2.0-or-later' - 1
spec bigfiles 5.0 7 1 'BSD-3-Clause' - 300

# A gpg-pubkey pseudo-package, as `rpm --import` makes (our analyzer must skip it).
export GNUPGHOME=$work/gnupg; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'customs test <test@example.invalid>' rsa2048 sign never 2>/dev/null
gpg --batch --armor --export >"$work/key.asc"

db=$work/db; mkdir -p "$db"
rpm --dbpath "$db" --define '_db_backend sqlite' --initdb
rpm --dbpath "$db" --define '_db_backend sqlite' --import "$work/key.asc"
rpm --dbpath "$db" --define '_db_backend sqlite' -i --nodeps --justdb --ignorearch "$work"/top/RPMS/noarch/*.rpm
rm -f "$out/rpmdb.sqlite"
# VACUUM INTO writes one self-contained file (no -wal/-shm beside it), as images ship it.
sqlite3 "$db/rpmdb.sqlite" "VACUUM INTO '$out/rpmdb.sqlite'"
rpm --dbpath "$db" --define '_db_backend sqlite' -qa --qf "$QF" | LC_ALL=C sort >"$out/expected.txt"
rpm --dbpath "$db" --define '_db_backend sqlite' -qa --qf '[%{=NAME}\t%{FILENAMES}\n]' | LC_ALL=C sort >"$out/files.txt"

# Berkeley DB hash from the same header blobs. rpm's bdb backend keys Packages by the header
# number as a 4-byte integer in the database's byte order.
dump() { # order(le|be)
  echo 'VERSION=3'; echo 'format=bytevalue'; echo 'type=hash'; echo 'HEADER=END'
  sqlite3 -separator ' ' "$out/rpmdb.sqlite" 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum' |
    while read -r hnum hex; do
      if [ "$1" = le ]; then printf ' %02x%02x%02x%02x\n' $((hnum & 255)) $((hnum >> 8 & 255)) $((hnum >> 16 & 255)) $((hnum >> 24 & 255))
      else printf ' %02x%02x%02x%02x\n' $((hnum >> 24 & 255)) $((hnum >> 16 & 255)) $((hnum >> 8 & 255)) $((hnum & 255)); fi
      echo " ${hex,,}"
    done
  echo 'DATA=END'
}
check_bdb() { # file
  local d=$work/check; rm -rf "$d"; mkdir -p "$d"; cp "$1" "$d/Packages"
  rpm --dbpath "$d" --define '_db_backend bdb_ro' -qa --qf "$QF" 2>/dev/null | LC_ALL=C sort
}
rm -f "$out/Packages" "$out/Packages.be"
dump le | db5.3_load -t hash -c db_lorder=1234 -c db_pagesize=4096 "$out/Packages"
dump be | db5.3_load -t hash -c db_lorder=4321 -c db_pagesize=512 "$out/Packages.be"
diff <(check_bdb "$out/Packages") "$out/expected.txt"
diff <(check_bdb "$out/Packages.be") "$out/expected.txt"

if [ -n "${GO_RPMDB:-}" ]; then
  gzip -9n <"$GO_RPMDB/pkg/testdata/sle15-bci/Packages.db" >"$out/sle15-bci-Packages.db.gz"
  cp "$GO_RPMDB/pkg/testdata/libuuid/Packages" "$out/libuuid-Packages"
  check_bdb "$out/libuuid-Packages" >"$out/libuuid.expected"
  # Rows look like: {intRef(), "name", "ver", "rel", "arch", "src.rpm", size, "license", …}
  awk '/SLE15WithNDB = func/{on=1} on && /^\t\t\t\{intRef/{print} on && /^\t\t}/{exit}' \
    "$GO_RPMDB/pkg/rpmdb_testcase_test.go" |
    sed -E 's/^\s*\{intRef\(([0-9]*)\), "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)", [0-9]+, "([^"]*)".*/\2\t\1\t\3\t\4\t\5\t\6\t\7/' |
    awk -F'\t' -v OFS='\t' '{ if ($2 == "") $2 = 0; print }' | LC_ALL=C sort >"$out/sle15-bci.expected"
fi
ls -la "$out"
