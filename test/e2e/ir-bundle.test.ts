/**
 * `customs ir CONTAINER -o bundle.tar.gz` on a real container, and `customs ir
 * verify` on it and on a tampered copy.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sha256 } from '../../src/core/index.js';
import { type BundleManifest, packBundle, readBundle } from '../../src/runtime/index.js';
import { testContainers } from '../support/containers.js';
import { freshDir, runCustoms } from '../support/images.js';

test('ir collects a verifiable, reproducibly laid out bundle; verify catches tampering', {
  timeout: 120_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const dir = await freshDir('ir-bundle');
  const id = await tc.start([
    '--name',
    tc.name('ir'),
    '-l',
    'io.kubernetes.pod.name=api-7',
    '-l',
    'io.kubernetes.pod.namespace=payments',
  ]);
  // A listener and a connection to it inside the container's own network namespace.
  await tc.exec(
    id,
    `(perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1:4711",Listen=>1,ReuseAddr=>1) or die; $c=$s->accept; sleep 300' &) ; sleep 0.5; (bash -c 'exec 3<>/dev/tcp/127.0.0.1/4711; sleep 300' >/dev/null 2>&1 &) ; sleep 0.5; echo evil > /etc/motd`,
  );
  const bundle = join(dir, 'bundle.tar.gz');
  const r = await runCustoms(['ir', id.slice(0, 12), '-o', bundle, '--case', 'INC-7']);
  assert.equal(r.code, 0, r.stderr);
  const gz = await readFile(bundle);
  const entries = await readBundle(gz);
  const names = [...entries.keys()];
  assert.deepEqual(names, [...names].sort(), 'entries sorted by path');
  for (const want of [
    'container/inspect.json',
    'container/orchestrator.json',
    'image/inspect.json',
    'processes.json',
    'network/connections.json',
    'network/proc-net-tcp',
    'drift/drift.json',
    'drift/files/etc/motd',
    'events/engine.json',
    'manifest.json',
  ])
    assert.ok(entries.has(want), want);
  const manifest = JSON.parse(entries.get('manifest.json')?.toString() ?? '') as BundleManifest;
  assert.equal(manifest.container.id, id);
  assert.equal(manifest.custody.caseId, 'INC-7');
  assert.equal(manifest.custody.collectedBy, 'root');
  assert.match(manifest.custody.host, /\S/);
  assert.equal(entries.get('drift/files/etc/motd')?.toString(), 'evil\n');
  assert.equal(manifest.files.find((f) => f.path === 'drift/files/etc/motd')?.sha256, sha256(Buffer.from('evil\n')));
  const procs = JSON.parse(entries.get('processes.json')?.toString() ?? '') as {
    cmdline: string;
    pid: number;
    ppid: number;
  }[];
  assert.ok(procs.some((p) => p.cmdline === 'sleep 300'));
  assert.ok(procs.some((p) => p.cmdline.startsWith('perl -MIO::Socket::INET')));
  const conns = JSON.parse(entries.get('network/connections.json')?.toString() ?? '') as {
    local: string;
    remote: string;
    state: string;
  }[];
  assert.ok(
    conns.some((c) => c.local === '127.0.0.1:4711' && c.state === 'LISTEN'),
    JSON.stringify(conns),
  );
  assert.ok(conns.some((c) => c.remote === '127.0.0.1:4711' && c.state === 'ESTABLISHED'));
  const orch = JSON.parse(entries.get('container/orchestrator.json')?.toString() ?? '') as { kubernetes: unknown };
  assert.deepEqual(orch.kubernetes, { pod: 'api-7', namespace: 'payments' });
  const engineEvents = JSON.parse(entries.get('events/engine.json')?.toString() ?? '') as { Action?: string }[];
  assert.ok(engineEvents.some((e) => e.Action === 'start'));
  const image = JSON.parse(entries.get('image/inspect.json')?.toString() ?? '') as { Id: string };
  assert.equal(image.Id, manifest.container.imageId);

  const ok = await runCustoms(['ir', 'verify', bundle, '-f', 'json']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(
    (JSON.parse(ok.stdout) as { manifestSha256: string }).manifestSha256,
    sha256(entries.get('manifest.json') as Buffer),
  );

  // Same entries → same bytes (the layout is reproducible); one changed byte → verify fails naming the file.
  assert.deepEqual(packBundle(entries), gz);
  const tampered = new Map(entries);
  tampered.set('drift/files/etc/motd', Buffer.from('benign\n'));
  tampered.set('extra.txt', Buffer.from('planted'));
  const bad = join(dir, 'tampered.tar.gz');
  await writeFile(bad, packBundle(tampered));
  const no = await runCustoms(['ir', 'verify', bad]);
  assert.equal(no.code, 1);
  assert.match(no.stdout, /problem: drift\/files\/etc\/motd: SHA-256/);
  assert.match(no.stdout, /problem: extra.txt: in the bundle, not in the manifest/);

  await writeFile(join(dir, 'junk.tar.gz'), 'not gzip');
  assert.equal((await runCustoms(['ir', 'verify', join(dir, 'junk.tar.gz')])).code, 3);
});
