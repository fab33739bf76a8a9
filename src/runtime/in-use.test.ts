import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packagesInUse } from './in-use.js';

test('packages in use: dpkg file lists (merged /usr) and language package directories', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'customs-inuse-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'var/lib/dpkg/info'), { recursive: true });
  await writeFile(join(root, 'var/lib/dpkg/info/coreutils.list'), '/.\n/bin\n/bin/ls\n/usr/share/doc/coreutils\n');
  await writeFile(join(root, 'var/lib/dpkg/info/curl.list'), '/.\n/usr/bin/curl\n');
  const pkgs = [
    { ecosystem: 'deb', name: 'coreutils', paths: ['var/lib/dpkg/status'] },
    { ecosystem: 'deb', name: 'curl', paths: ['var/lib/dpkg/status'] },
    { ecosystem: 'npm', name: 'express', paths: ['app/node_modules/express/package.json'] },
    { ecosystem: 'npm', name: 'lodash', paths: ['app/node_modules/lodash/package.json'] },
    { ecosystem: 'pypi', name: 'Flask', paths: ['usr/lib/python3/dist-packages/Flask-2.0.dist-info/METADATA'] },
  ];
  const used = await packagesInUse(
    pkgs,
    [
      '/usr/bin/ls',
      '/app/node_modules/express/lib/router.js',
      '/usr/lib/python3/dist-packages/flask/app.py',
      '/etc/hosts',
    ],
    root,
  );
  assert.deepEqual([...used].sort(), ['Flask', 'coreutils', 'express']);
  // Without the container's root, dpkg ownership is unknown: only the directory rule applies.
  assert.deepEqual([...(await packagesInUse(pkgs, ['/usr/bin/ls']))], []);
});
