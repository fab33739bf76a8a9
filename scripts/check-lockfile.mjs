#!/usr/bin/env node
// Fails when package-lock.json and package.json disagree: runs `npm ci --dry-run`
// (which validates the lock file against package.json and installs nothing) in
// a scratch directory holding copies of the two files.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'customs-lockfile-'));
try {
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(root, f), join(dir, f));
  const r = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.stderr.write(
      'check-lockfile: package-lock.json does not match package.json; run `npm install` and commit package-lock.json\n',
    );
    process.exit(1);
  }
  process.stdout.write('check-lockfile: package-lock.json matches package.json\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
