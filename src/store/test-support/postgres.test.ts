import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findPgBinaries, PG_SERVER_BINARIES } from './postgres.js';

test("PostgreSQL server binaries: PATH first, then Debian's versioned dirs; missing ones throw naming the package", () => {
  const root = mkdtempSync(join(tmpdir(), 'customs-pgbin-'));
  try {
    const make = (dir: string, names: readonly string[]) => {
      mkdirSync(dir, { recursive: true });
      for (const n of names) {
        writeFileSync(join(dir, n), '#!/bin/sh\n');
        chmodSync(join(dir, n), 0o755);
      }
    };
    const lib = join(root, 'lib');
    assert.throws(() => findPgBinaries({ path: '', libDir: lib }), /install the Debian package postgresql/);
    make(join(lib, '13', 'bin'), PG_SERVER_BINARIES);
    make(join(lib, '15', 'bin'), PG_SERVER_BINARIES);
    make(join(lib, '16', 'bin'), ['initdb']); // incomplete: skipped
    assert.equal(findPgBinaries({ path: '', libDir: lib }).initdb, join(lib, '15', 'bin', 'initdb'));
    make(join(root, 'path'), PG_SERVER_BINARIES);
    assert.equal(findPgBinaries({ path: join(root, 'path'), libDir: lib }).pg_ctl, join(root, 'path', 'pg_ctl'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
