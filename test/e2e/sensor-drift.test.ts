/**
 * `customs sensor drift` on a real container: a .deb built here and installed
 * with dpkg inside the running container, an npm package written into it, an
 * /etc file deleted, a directory replaced (opaque) and a file chmod'ed.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ContainerDrift } from '../../src/runtime/index.js';
import { testContainers } from '../support/containers.js';
import { freshDir, run, runCustoms } from '../support/images.js';

/** A minimal binary package (deb(5)): control file and one shebang script with its exec bit. */
async function buildDeb(dir: string, name: string, version: string): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr', 'bin'), { recursive: true });
  await writeFile(
    join(root, 'DEBIAN', 'control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: test <t@example.org>\nDescription: drift test package\n`,
  );
  const tool = join(root, 'usr', 'bin', name);
  await writeFile(tool, '#!/bin/sh\necho dropped\n');
  await chmod(tool, 0o755);
  const deb = join(dir, `${name}_${version}_all.deb`);
  await run('dpkg-deb', ['--root-owner-group', '--build', root, deb]);
  return deb;
}

test('a package installed and files changed inside a running container show as drift', {
  timeout: 120_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const dir = await freshDir('sensor-drift');
  const pkg = `customs-drift-${tc.name('p').slice(-8)}`;
  const deb = await buildDeb(dir, pkg, '1.2.3');
  const id = await tc.start(['--name', tc.name('drift')]);

  // Nothing changed yet: no drift, exit 0.
  const clean = await runCustoms(['sensor', 'drift', id, '-f', 'json']);
  assert.equal(clean.code, 0, clean.stderr);
  const none = JSON.parse(clean.stdout) as ContainerDrift;
  assert.deepEqual(none.packages, { added: [], removed: [], changed: [] });

  await run('docker', ['cp', deb, `${id}:/tmp/pkg.deb`]);
  await tc.exec(id, 'dpkg -i /tmp/pkg.deb >/dev/null && rm /tmp/pkg.deb');
  await tc.exec(
    id,
    [
      'mkdir -p /srv/app/node_modules/left-pad',
      `printf '{"name":"left-pad","version":"1.3.0"}' > /srv/app/node_modules/left-pad/package.json`,
      'rm /etc/issue',
      'rm -rf /usr/share/doc/bash && mkdir /usr/share/doc/bash && echo new > /usr/share/doc/bash/README',
      'chmod 600 /etc/debian_version',
      "printf '\\177ELF\\002\\001\\001' > /usr/local/bin/miner && chmod 755 /usr/local/bin/miner",
    ].join(' && '),
  );

  const r = await runCustoms(['sensor', 'drift', id, '-f', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const d = JSON.parse(r.stdout) as ContainerDrift;
  assert.equal(d.container.id, id);
  const file = (p: string) => d.files.find((f) => f.path === p);
  assert.equal(file(`usr/bin/${pkg}`)?.kind, 'added');
  assert.equal(file(`usr/bin/${pkg}`)?.executable, 'script');
  assert.equal(file('usr/local/bin/miner')?.executable, 'elf');
  assert.deepEqual(d.newExecutables.filter((p) => p.includes('bin/')).sort(), [
    `usr/bin/${pkg}`,
    'usr/local/bin/miner',
  ]);
  assert.equal(file('etc/issue')?.kind, 'deleted');
  assert.equal(file('etc/issue')?.type, 'file');
  assert.equal(file('usr/share/doc/bash')?.kind, 'opaque');
  assert.equal(file('usr/share/doc/bash/README')?.kind, 'added');
  const status = file('var/lib/dpkg/status');
  assert.equal(status?.kind, 'changed');
  assert.equal(status?.contentChanged, true);
  assert.match(status?.sha256 ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(status?.sha256, status?.imageSha256);
  assert.equal(file('etc/debian_version')?.contentChanged, false);

  assert.deepEqual(d.packages.added.map((p) => `${p.ecosystem}/${p.name}@${p.version}`).sort(), [
    `deb/${pkg}@1.2.3`,
    'npm/left-pad@1.3.0',
  ]);
  assert.deepEqual(d.packages.removed, []);
  assert.deepEqual(d.packages.changed, []);

  const table = await runCustoms(['sensor', 'drift', id]);
  assert.equal(table.code, 1);
  assert.match(table.stdout, new RegExp(`A /usr/bin/${pkg}  \\[new script executable\\]`));
  assert.match(table.stdout, /D \/etc\/issue/);
  assert.match(table.stdout, new RegExp(`\\+ pkg:deb/debian/${pkg}@1.2.3`));
});

test('sensor drift names a container that does not exist', { timeout: 30_000 }, async () => {
  const r = await runCustoms(['sensor', 'drift', 'customs-no-such-container-0']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /no container "customs-no-such-container-0"/);
});
