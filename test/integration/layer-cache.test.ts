/**
 * The layer cache through the CLI: a damaged cache (generated here as a
 * restored CI cache or a full disk leaves it) does not fail scans and
 * `customs cache clean` empties it; a `dir:` tree that looks like another in
 * every listed attribute is not served the other's cached packages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Inventory } from '../../src/sbom/index.js';
import { freshDir, runCustoms } from '../support/images.js';

/** A tiny Debian root filesystem with one package at `version` (keep versions the same length). */
function rootfs(dir: string, version: string): string {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  mkdirSync(join(dir, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(join(dir, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  writeFileSync(
    join(dir, 'var/lib/dpkg/status'),
    `Package: customs-probe\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nDescription: probe\n\n`,
  );
  return dir;
}

async function sbom(target: string, cache: string, out: string): Promise<{ inv: Inventory; stderr: string }> {
  const res = await runCustoms(['sbom', target, '--format', 'json', '-o', out, '-q', '-v'], {
    CUSTOMS_CACHE_DIR: cache,
  });
  assert.equal(res.code, 0, `customs sbom ${target} exited ${res.code}:\n${res.stderr}`);
  return { inv: JSON.parse(await readFile(out, 'utf8')) as Inventory, stderr: res.stderr };
}

const versions = (inv: Inventory): string[] => inv.packages.map((p) => `${p.name}@${p.version}`);

test('a layers.db that is not a database: scans warn once and go on; cache clean deletes it', async () => {
  const dir = await freshDir('layer-cache-foreign');
  const root = rootfs(join(dir, 'root'), '1.0-1');
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  // What a restored CI cache of another tool, or a half-written file, looks like.
  writeFileSync(join(cache, 'layers.db'), Buffer.alloc(70_000, 0x5a));
  const first = await sbom(`dir:${root}`, cache, join(dir, 'a.json'));
  assert.deepEqual(versions(first.inv), ['customs-probe@1.0-1']);
  const warnings = first.stderr.split('\n').filter((l) => l.startsWith('warning:'));
  assert.equal(warnings.length, 1, first.stderr);
  assert.match(warnings[0] ?? '', /layers\.db.*not a database.*layers\.db\.corrupt-/);
  // The rebuilt cache serves the next scan.
  const second = await sbom(`dir:${root}`, cache, join(dir, 'b.json'));
  assert.match(second.stderr, /: cached$/m);
  assert.doesNotMatch(second.stderr, /warning:/);

  writeFileSync(join(cache, 'layers.db'), 'garbage again');
  const clean = await runCustoms(['cache', 'clean', '--cache-dir', cache]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.deepEqual(
    readdirSync(cache).filter((f) => f.startsWith('layers.db')),
    [],
  );
});

test('cache clean on a valid cache empties it and shrinks the file; on a truncated one it deletes it', async () => {
  const dir = await freshDir('layer-cache-clean');
  const cache = join(dir, 'cache');
  for (let i = 0; i < 12; i++) {
    const root = rootfs(join(dir, `root-${i}`), `${i % 10}.0-1`);
    // Bulk the cached result up: many package paths.
    mkdirSync(join(root, 'usr/share/doc'), { recursive: true });
    for (let j = 0; j < 40; j++) writeFileSync(join(root, 'usr/share/doc', `f${j}-${'x'.repeat(60)}`), 'x');
    await sbom(`dir:${root}`, cache, join(dir, `${i}.json`));
  }
  const before = statSync(join(cache, 'layers.db')).size;
  const clean = await runCustoms(['cache', 'clean', '--cache-dir', cache]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stderr, /removed 12 cached layer result\(s\)/);
  const after = statSync(join(cache, 'layers.db')).size;
  assert.ok(after < before, `${before} bytes before, ${after} after: VACUUM did not shrink it`);

  const root = rootfs(join(dir, 'root-t'), '1.0-1');
  await sbom(`dir:${root}`, cache, join(dir, 't.json'));
  truncateSync(join(cache, 'layers.db'), 1000);
  const again = await runCustoms(['cache', 'clean', '--cache-dir', cache]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(existsSync(join(cache, 'layers.db')), false);
});

test('dir: a copy with the same listing but another package version gets its own packages from a shared cache', async () => {
  const dir = await freshDir('layer-cache-dir-twins');
  const cache = join(dir, 'cache');
  const a = rootfs(join(dir, 'a'), '1.0-1');
  const b = join(dir, 'b');
  execFileSync('cp', ['-a', a, b]);
  const status = join(b, 'var/lib/dpkg/status');
  const st = statSync(status);
  writeFileSync(status, (await readFile(status, 'utf8')).replace('Version: 1.0-1', 'Version: 2.0-1'));
  utimesSync(status, st.atime, st.mtime);
  assert.equal(statSync(status).size, st.size);
  const first = await sbom(`dir:${a}`, cache, join(dir, 'a.json'));
  const second = await sbom(`dir:${b}`, cache, join(dir, 'b.json'));
  assert.deepEqual(versions(first.inv), ['customs-probe@1.0-1']);
  assert.deepEqual(versions(second.inv), ['customs-probe@2.0-1']);
  assert.doesNotMatch(second.stderr, /: cached$/m);
});
