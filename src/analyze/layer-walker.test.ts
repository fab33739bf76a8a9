import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext, DEFAULT_LIMITS } from '../core/index.js';
import { applyLayers } from './apply-layers.js';
import { walkLayer } from './layer-walker.js';
import { chunked, type FixtureEntry, tarBytes } from '../image/tar/test-support/tar-fixture.js';
import type { Analyzer } from './types.js';

/** Reports one npm package per `node_modules/NAME/package.json`, named by the file's text. */
const fakeNpm: Analyzer = {
  name: 'fake-npm',
  version: 1,
  wants: (p) => p.endsWith('/package.json') && p.includes('node_modules/'),
  analyze: (f) => {
    const [name, version] = f.text().trim().split('@');
    if (!name || !version) throw new Error('bad fixture');
    return { packages: [{ ecosystem: 'npm', name, version }] };
  },
};
const fakeOs: Analyzer = {
  name: 'fake-os',
  version: 1,
  wants: (p) => p === 'etc/os-release' || p === 'usr/lib/os-release',
  analyze: (f) => ({ os: { family: f.text().trim(), version: '1', name: f.text().trim() } }),
};
const fakeElf: Analyzer = {
  name: 'fake-elf',
  version: 1,
  wants: (_p, info) => (info.mode & 0o111) !== 0,
  sniff: { bytes: 4, test: (h) => h.toString('latin1') === '\x7fELF' },
  analyze: (f) => ({ packages: [{ ecosystem: 'golang', name: f.path, version: 'v1' }] }),
};
const ANALYZERS = [fakeNpm, fakeOs, fakeElf];

const ctx = createContext({ config: { limits: { ...DEFAULT_LIMITS, maxFileSize: 1000 } } });

async function walk(id: string, entries: FixtureEntry[]) {
  return walkLayer(id, chunked(tarBytes(entries), 333), { analyzers: ANALYZERS, ctx });
}

const pkg = (name: string, version: string): FixtureEntry => ({
  name: `app/node_modules/${name}/package.json`,
  body: `${name}@${version}`,
});

test('reads only wanted files and records findings per path', async () => {
  const r = await walk('sha256:l1', [
    pkg('a', '1.0.0'),
    { name: 'app/readme', body: 'x' },
    { name: 'etc/os-release', body: 'debian' },
  ]);
  assert.deepEqual(
    r.findings.map((f) => [f.path, f.analyzer]),
    [
      ['app/node_modules/a/package.json', 'fake-npm'],
      ['etc/os-release', 'fake-os'],
    ],
  );
  assert.equal(r.stats.entries, 3);
});

test('hostile names become Unknowns and are never followed', async () => {
  const r = await walk('sha256:l1', [
    { name: '/etc/passwd', body: 'root' },
    { name: '../../escape/node_modules/x/package.json', body: 'x@1' },
    { name: 'ok/node_modules/hard/package.json', type: '1', linkname: '../../../../etc/shadow' },
  ]);
  assert.equal(r.findings.length, 0);
  assert.deepEqual(
    r.unknowns.map((u) => u.code),
    ['LAYER_PATH_ESCAPE', 'LAYER_PATH_ESCAPE', 'LAYER_PATH_ESCAPE'],
  );
});

test('files over the size cap are Unknowns, not read', async () => {
  const r = await walk('sha256:l1', [{ name: 'app/node_modules/big/package.json', body: 'y'.repeat(5000) }]);
  assert.equal(r.findings.length, 0);
  assert.equal(r.unknowns[0]?.code, 'FILE_TOO_LARGE');
});

test('analyzer failures are Unknowns naming the analyzer and file', async () => {
  const r = await walk('sha256:l1', [{ name: 'app/node_modules/bad/package.json', body: 'garbage' }]);
  assert.deepEqual(
    r.unknowns.map((u) => [u.path, u.analyzer, u.code]),
    [['app/node_modules/bad/package.json', 'fake-npm', 'ANALYZER_FAILED']],
  );
});

test('sniff keeps non-matching executables out of memory, hard links reuse findings', async () => {
  const r = await walk('sha256:l1', [
    { name: 'usr/bin/app', body: '\x7fELF....', mode: 0o755 },
    { name: 'usr/bin/script', body: '#!/bin/sh', mode: 0o755 },
    { name: 'usr/bin/app2', type: '1', linkname: 'usr/bin/app', mode: 0o755 },
  ]);
  const pk = r.findings.filter((f) => f.result.packages).map((f) => f.path);
  assert.deepEqual(pk, ['usr/bin/app', 'usr/bin/app2']);
});

test('whiteouts delete lower files; opaque dirs hide lower contents; attribution keeps the first layer', async () => {
  const l1 = await walk('sha256:l1', [
    pkg('a', '1.0.0'),
    pkg('b', '1.0.0'),
    pkg('c', '1.0.0'),
    { name: 'etc/os-release', body: 'debian' },
  ]);
  const l2 = await walk('sha256:l2', [
    { name: 'app/node_modules/.wh.b', body: '' },
    pkg('a', '1.0.0'), // rewritten, same content: still from layer 1
    pkg('d', '2.0.0'),
  ]);
  const l3 = await walk('sha256:l3', [{ name: 'app/node_modules/c/.wh..wh..opq', body: '' }, pkg('e', '3.0.0')]);
  const merged = applyLayers([l1, l2, l3], ANALYZERS);
  const got = merged.packages.map((p) => `${p.fact.name}@${p.fact.version}:L${p.layerIndex + 1}`).sort();
  assert.deepEqual(got, ['a@1.0.0:L1', 'd@2.0.0:L2', 'e@3.0.0:L3']);
  assert.equal(merged.os[0]?.os.family, 'debian');
});

test('a package upgraded in a later layer is attributed to that layer', async () => {
  const l1 = await walk('sha256:l1', [pkg('a', '1.0.0')]);
  const l2 = await walk('sha256:l2', [pkg('a', '1.0.1')]);
  const merged = applyLayers([l1, l2], ANALYZERS);
  assert.deepEqual(
    merged.packages.map((p) => [p.fact.version, p.layerIndex]),
    [['1.0.1', 1]],
  );
});

test('a file replaced by something unreadable no longer reports the old package', async () => {
  const l1 = await walk('sha256:l1', [{ name: 'usr/bin/app', body: '\x7fELF', mode: 0o755 }]);
  const l2 = await walk('sha256:l2', [{ name: 'usr/bin/app', body: '#!/bin/sh\n', mode: 0o755 }]);
  assert.equal(applyLayers([l1, l2], ANALYZERS).packages.length, 0);
});

test('symlinked os-release resolves inside the merged image', async () => {
  const l1 = await walk('sha256:l1', [
    { name: 'usr/lib/os-release', body: 'wolfi' },
    { name: 'etc/os-release', type: '2', linkname: '../usr/lib/os-release' },
  ]);
  const merged = applyLayers([l1], ANALYZERS);
  assert.deepEqual(merged.os.map((o) => [o.path, o.os.family]).sort(), [
    ['etc/os-release', 'wolfi'],
    ['usr/lib/os-release', 'wolfi'],
  ]);
});

test('a symlink loop does not hang', async () => {
  const l1 = await walk('sha256:l1', [
    { name: 'etc/os-release', type: '2', linkname: '/usr/lib/os-release' },
    { name: 'usr/lib/os-release', type: '2', linkname: '/etc/os-release' },
  ]);
  assert.deepEqual(applyLayers([l1], ANALYZERS).os, []);
});

/** Reports a secret for each line starting with "key=". */
const fakeSecrets: Analyzer = {
  name: 'fake-secrets',
  version: 1,
  wants: (p) => p.startsWith('conf/'),
  analyze: (f) => ({
    secrets: f
      .text()
      .split('\n')
      .flatMap((l, i) =>
        l.startsWith('key=')
          ? [{ ruleId: 'k', category: 'test', title: 'key', severity: 'high' as const, line: i + 1, match: 'key=****' }]
          : [],
      ),
  }),
};

test('secrets in files deleted or replaced later stay reported, with the layer that hid them', async () => {
  const w = (id: string, entries: FixtureEntry[]) =>
    walkLayer(id, chunked(tarBytes(entries)), { analyzers: [fakeSecrets], ctx });
  const l1 = await w('sha256:l1', [
    { name: 'conf/a', body: 'key=1' },
    { name: 'conf/b', body: 'x\nkey=2' },
    { name: 'conf/c', body: 'key=3' },
  ]);
  const l2 = await w('sha256:l2', [
    { name: 'conf/.wh.a', body: '' },
    { name: 'conf/b', body: 'clean' },
  ]);
  const merged = applyLayers([l1, l2], [fakeSecrets]);
  assert.deepEqual(
    merged.secrets.map((s) => [s.path, s.fact.line, s.layerIndex, s.hiddenByLayerIndex]),
    [
      ['conf/a', 1, 0, 1],
      ['conf/b', 2, 0, 1],
      ['conf/c', 1, 0, undefined],
    ],
  );
});
