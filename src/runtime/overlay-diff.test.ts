import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Package } from '../core/index.js';
import { mergePackages, packageDrift } from './drift.js';
import { overlayDiff } from './overlay-diff.js';

const root = process.getuid?.() === 0;

test('overlayDiff: added, changed, metadata-only, whiteout, opaque and executables', {
  skip: !root && 'needs root (mknod, trusted xattrs)',
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'customs-overlay-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lower = join(dir, 'lower');
  const upper = join(dir, 'upper');
  for (const d of ['etc', 'usr/share/doc/x', 'bin']) await mkdir(join(lower, d), { recursive: true });
  await writeFile(join(lower, 'etc/passwd'), 'root:x:0:0\n');
  await writeFile(join(lower, 'etc/motd'), 'hi\n');
  await writeFile(join(lower, 'etc/same'), 'same\n');
  await writeFile(join(lower, 'usr/share/doc/x/a'), 'a');
  await writeFile(join(lower, 'bin/tool'), 'old');
  for (const d of ['etc', 'usr/share/doc/x', 'bin', 'tmp']) await mkdir(join(upper, d), { recursive: true });
  await writeFile(join(upper, 'etc/passwd'), 'root:x:0:0\nevil:x:0:0\n');
  await writeFile(join(upper, 'etc/same'), 'same\n');
  await chmod(join(upper, 'etc/same'), 0o600);
  execFileSync('mknod', [join(upper, 'etc/motd'), 'c', '0', '0']);
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'usr/share/doc/x')]);
  await writeFile(join(upper, 'usr/share/doc/x/a'), 'replaced');
  await writeFile(join(upper, 'bin/tool'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]));
  await chmod(join(upper, 'bin/tool'), 0o755);
  await writeFile(join(upper, 'tmp/run.sh'), '#!/bin/sh\n');
  await chmod(join(upper, 'tmp/run.sh'), 0o700);
  await writeFile(join(upper, 'tmp/data.sh'), '#!/bin/sh\n');
  await symlink('/etc/passwd', join(upper, 'tmp/link'));

  const { entries } = await overlayDiff(upper, [lower]);
  const by = new Map(entries.map((e) => [e.path, e]));
  assert.equal(by.get('etc/passwd')?.kind, 'changed');
  assert.equal(by.get('etc/passwd')?.contentChanged, true);
  assert.equal(by.get('etc/same')?.contentChanged, false);
  assert.equal(by.get('etc/same')?.mode, '0600');
  assert.equal(by.get('etc/motd')?.kind, 'deleted');
  assert.equal(by.get('etc/motd')?.type, 'file');
  assert.equal(by.get('usr/share/doc/x')?.kind, 'opaque');
  // Below an opaque directory the image's file does not show through: the new one is added.
  assert.equal(by.get('usr/share/doc/x/a')?.kind, 'added');
  assert.equal(by.get('bin/tool')?.executable, 'elf');
  assert.equal(by.get('tmp/run.sh')?.executable, 'script');
  assert.equal(by.get('tmp/data.sh')?.executable, undefined, 'a script without an exec bit is not an executable');
  assert.equal(by.get('tmp/link')?.linkTarget, '/etc/passwd');
  assert.equal(by.get('tmp')?.kind, 'added');
  assert.equal(by.get('etc'), undefined, 'a parent directory copied up is not drift');
});

const pkg = (name: string, version: string, path: string, ecosystem: Package['ecosystem'] = 'deb'): Package => ({
  id: name,
  ecosystem,
  name,
  version,
  purl: `pkg:${ecosystem}/${name}@${version}`,
  paths: [path],
  layer: 'l',
});

test('mergePackages replaces what a changed or deleted evidence file held, keeps the rest', () => {
  const image = [
    pkg('bash', '5.2', 'var/lib/dpkg/status'),
    pkg('curl', '7.88', 'var/lib/dpkg/status'),
    pkg('lodash', '4.17.20', 'app/node_modules/lodash/package.json', 'npm'),
    pkg('flask', '2.0', 'usr/lib/py/flask-2.0.dist-info/METADATA', 'pypi'),
  ];
  const upper = [
    pkg('bash', '5.2', 'var/lib/dpkg/status'),
    pkg('curl', '8.0', 'var/lib/dpkg/status'),
    pkg('nc', '1.1', 'var/lib/dpkg/status'),
  ];
  const files = [
    { path: 'var/lib/dpkg/status', kind: 'changed', type: 'file' },
    { path: 'app/node_modules/lodash/package.json', kind: 'deleted', type: 'file' },
    { path: 'usr/lib/py', kind: 'opaque', type: 'dir' },
  ] as const;
  const merged = mergePackages(image, upper, files);
  const d = packageDrift(image, merged);
  assert.deepEqual(
    d.added.map((p) => p.name),
    ['nc'],
  );
  assert.deepEqual(
    d.removed.map((p) => p.name),
    ['lodash', 'flask'], // ecosystem order: npm before pypi
  );
  assert.deepEqual(
    d.changed.map((c) => `${c.from.name} ${c.from.version}->${c.to.version}`),
    ['curl 7.88->8.0'],
  );
});
