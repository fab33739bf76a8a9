import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext, DEFAULT_LIMITS } from '../core/index.js';
import { applyLayers } from './apply-layers.js';
import { walkLayer } from './layer-walker.js';
import {
  chunked,
  type FixtureEntry,
  gnuLongEntry,
  paxGlobalEntry,
  tarBytes,
} from '../image/tar/test-support/tar-fixture.js';
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

test('a name climbing above the root lands at the root, as runtimes write it, and is flagged', async () => {
  const r = await walk('sha256:l1', [
    { name: '../../escape/node_modules/x/package.json', body: 'x@1.0.0' },
    { name: 'ok/node_modules/hard/package.json', type: '1', linkname: '../../../../etc/shadow' },
  ]);
  assert.deepEqual(
    r.findings.map((f) => f.path),
    ['escape/node_modules/x/package.json'],
  );
  assert.deepEqual(
    r.unknowns.map((u) => [u.path, u.analyzer, u.code]),
    [
      ['escape/node_modules/x/package.json', 'layer', 'LAYER_PATH_ESCAPE'],
      ['etc/shadow', 'layer', 'LAYER_PATH_ESCAPE'],
      // The hard link names nothing earlier in the layer: unreadable for the analyzer that wants it.
      ['ok/node_modules/hard/package.json', 'fake-npm', 'LAYER_CORRUPT'],
    ],
  );
});

test('a ".." segment, "." and "//" segments or a leading "/" hide nothing: the file is read under its clean name', async () => {
  const r = await walk('sha256:l1', [
    { name: 'usr/../app/node_modules/a/package.json', body: 'a@1.0.0' },
    { name: '/app/node_modules/b/package.json', body: 'b@1.0.0' },
    { name: './app//node_modules/./c/package.json', body: 'c@1.0.0' },
    { name: 'tmp/x/../../app/node_modules/d/package.json', body: 'd@1.0.0' },
    { name: 'app/node_modules/e/package.json', type: '1', linkname: '/tmp/../app/node_modules/a/package.json' },
  ]);
  assert.deepEqual(
    r.findings.map((f) => [f.path, f.result.packages?.[0]?.name]),
    [
      ['app/node_modules/a/package.json', 'a'],
      ['app/node_modules/b/package.json', 'b'],
      ['app/node_modules/c/package.json', 'c'],
      ['app/node_modules/d/package.json', 'd'],
      ['app/node_modules/e/package.json', 'a'],
    ],
  );
  assert.deepEqual(r.unknowns, []);
});

test('a pax global header cannot rename the files of a layer away from the analyzers', async () => {
  const r = await walk('sha256:l1', [
    paxGlobalEntry({ path: 'etc/motd' }),
    pkg('a', '1.0.0'),
    { name: 'etc/os-release', body: 'debian' },
  ]);
  assert.deepEqual(
    r.findings.map((f) => f.path),
    ['app/node_modules/a/package.json', 'etc/os-release'],
  );
});

test('an entry below a symlink written earlier in the layer lands where the symlink points', async () => {
  const r = await walk('sha256:l1', [
    { name: 'app/node_modules/', type: '5' },
    { name: 'lnk', type: '2', linkname: '/app/node_modules' },
    { name: 'lnk/a/package.json', body: 'a@1.0.0' },
    { name: 'rel', type: '2', linkname: 'app/../app/node_modules' },
    { name: 'chain', type: '2', linkname: 'rel' },
    { name: 'chain/b/package.json', body: 'b@1.0.0' },
    { name: 'loop1', type: '2', linkname: 'loop2' },
    { name: 'loop2', type: '2', linkname: 'loop1' },
    { name: 'loop1/node_modules/c/package.json', body: 'c@1.0.0' },
  ]);
  assert.deepEqual(
    r.findings.map((f) => f.path),
    ['app/node_modules/a/package.json', 'app/node_modules/b/package.json'],
  );
  assert.deepEqual(
    r.unknowns.map((u) => [u.path, u.code]),
    [['loop1/node_modules/c/package.json', 'LAYER_CORRUPT']],
  );
  assert.deepEqual(
    r.symlinks.map(([p]) => p),
    ['lnk', 'rel', 'chain', 'loop1', 'loop2'],
  );
});

test('a hard link gives a wanted name to content streamed past unread: a second pass reads it', async () => {
  const entries: FixtureEntry[] = [
    { name: 'tmp/blob', body: 'a@1.0.0' },
    { name: 'app/node_modules/a/package.json', type: '1', linkname: 'tmp/blob' },
    { name: 'usr/bin/tool', body: '\x7fELF...', mode: 0o755 },
    { name: 'opt/tool-copy', type: '1', linkname: 'usr/bin/tool' },
  ];
  const tar = tarBytes(entries);
  let reopened = 0;
  const reopen = async () => {
    reopened++;
    return chunked(tar, 200);
  };
  const r = await walkLayer('sha256:l1', chunked(tar, 333), { analyzers: ANALYZERS, ctx, reopen });
  assert.equal(reopened, 1);
  assert.deepEqual(
    r.findings.map((f) => [f.path, f.analyzer, f.result.packages?.[0]?.name]),
    [
      ['app/node_modules/a/package.json', 'fake-npm', 'a'],
      ['usr/bin/tool', 'fake-elf', 'usr/bin/tool'],
      // The link shares the mode of its content (0755): the ELF analyzer's result applies to it too.
      ['opt/tool-copy', 'fake-elf', 'usr/bin/tool'],
    ],
  );
  // Without a second pass the link is an Unknown for the analyzer that wanted it, never silently empty.
  const once = await walk('sha256:l1', entries);
  assert.deepEqual(
    once.unknowns.map((u) => [u.path, u.analyzer, u.code]),
    [['app/node_modules/a/package.json', 'fake-npm', 'LAYER_CORRUPT']],
  );
});

test('a hard link to a symlink is that symlink', async () => {
  const r = await walk('sha256:l1', [
    { name: 'usr/lib/os-release', body: 'wolfi' },
    { name: 'tmp/l', type: '2', linkname: '/usr/lib/os-release' },
    { name: 'etc/os-release', type: '1', linkname: 'tmp/l' },
  ]);
  assert.deepEqual(r.symlinks, [
    ['tmp/l', 'usr/lib/os-release'],
    ['etc/os-release', 'usr/lib/os-release'],
  ]);
});

test('a later entry at the same path replaces the earlier one, and what was under it', async () => {
  const r = await walk('sha256:l1', [
    pkg('a', '1.0.0'),
    pkg('a', '2.0.0'),
    pkg('b', '1.0.0'),
    { name: 'app/node_modules/b', body: 'now a file' },
    { name: 'app/node_modules/c/', type: '5' },
    pkg('c', '1.0.0'),
    { name: 'app/node_modules/c/', type: '5' }, // dir over dir: merged, c stays
    pkg('d', '1.0.0'),
    { name: 'app/node_modules/d/package.json/', type: '5' },
  ]);
  assert.deepEqual(
    r.findings.map((f) => `${f.result.packages?.[0]?.name}@${f.result.packages?.[0]?.version}`),
    ['a@2.0.0', 'c@1.0.0'],
  );
  assert.ok(r.dirs?.includes('app/node_modules/d/package.json'));
});

test('secrets in content replaced within a layer stay reported, hidden by that layer', async () => {
  const l1 = await walkLayer(
    'sha256:l1',
    chunked(
      tarBytes([
        { name: 'conf/a', body: 'key=1' },
        { name: 'conf/a', body: 'clean' },
      ]),
    ),
    { analyzers: [fakeSecrets], ctx },
  );
  const merged = applyLayers([l1], [fakeSecrets]);
  assert.deepEqual(
    merged.secrets.map((s) => [s.path, s.layerIndex, s.hiddenByLayerIndex]),
    [['conf/a', 0, 0]],
  );
});

test('merge: an upper non-directory hides a lower directory whole; an upper directory replaces a lower file', async () => {
  const l1 = await walk('sha256:l1', [pkg('a', '1.0.0'), pkg('b', '1.0.0'), pkg('c', '1.0.0'), pkg('d', '1.0.0')]);
  const l2 = await walk('sha256:l2', [
    { name: 'app/node_modules/a', type: '6' }, // a fifo over the directory
    { name: 'app/node_modules/b', type: '2', linkname: '/nowhere' },
    { name: 'app/node_modules/c/package.json/', type: '5' },
    { name: 'app', type: '5' }, // dir over dir: lower contents stay
  ]);
  const merged = applyLayers([l1, l2], ANALYZERS);
  assert.deepEqual(
    merged.packages.map((p) => p.fact.name),
    ['d'],
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

test('merge: a parent a layer implies replaces a lower file, and over a lower symlink is flagged (runtimes differ)', async () => {
  const l1 = await walk('sha256:l1', [
    pkg('a', '1.0.0'),
    { name: 'app/node_modules/b', body: 'a file' },
    { name: 'lnk', type: '2', linkname: '/app' },
  ]);
  const l2 = await walk('sha256:l2', [
    // No entry for app/node_modules/b nor lnk: the unpack creates them as directories.
    pkg('b', '1.0.0'),
    { name: 'lnk/node_modules/c/package.json', body: 'c@1.0.0' },
  ]);
  assert.deepEqual(l2.impliedDirs, [
    'app',
    'app/node_modules',
    'app/node_modules/b',
    'lnk',
    'lnk/node_modules',
    'lnk/node_modules/c',
  ]);
  const merged = applyLayers([l1, l2], ANALYZERS);
  assert.deepEqual(merged.packages.map((p) => `${p.path}`).sort(), [
    'app/node_modules/a/package.json',
    'app/node_modules/b/package.json',
    'lnk/node_modules/c/package.json',
  ]);
  assert.equal(merged.symlinks.has('lnk'), false);
  assert.deepEqual(
    merged.unknowns.map((u) => [u.path, u.code]),
    [['lnk', 'LAYER_PATH_ESCAPE']],
  );
});

test('deep names below a symlink cost the length of each name, not its depth times that (no quadratic walk)', async () => {
  // 2,000 entries 1,000 directories deep in a layer with a symlink: resolving each name
  // prefix by prefix took about 30 s of CPU; walking the layer's tree by name takes well under 1 s.
  const deep = Array(1000).fill('a').join('/');
  const entries: FixtureEntry[] = [{ name: 'lnk', type: '2', linkname: 'a' }];
  for (let i = 0; i < 2000; i++) entries.push(gnuLongEntry('L', `${deep}/f${i}`), { name: 'x', format: 'gnu' });
  const tar = tarBytes(entries);
  const every: Analyzer = {
    name: 'every',
    version: 1,
    wants: () => true,
    analyze: () => ({ fileFacts: [{ kind: 'k', mode: 0 }] }),
  };
  const cpu = process.cpuUsage();
  const r = await walkLayer('sha256:deep', chunked(tar, 65536), { analyzers: [every], ctx });
  const merged = applyLayers([r, r], [every]);
  const used = process.cpuUsage(cpu);
  assert.equal(merged.fileFacts.length, 2000);
  assert.ok(used.user + used.system < 8_000_000, `took ${(used.user + used.system) / 1e6} s of CPU`);
});

test('an entry below a file of the same layer is refused, as runtimes refuse the layer', async () => {
  const r = await walk('sha256:l1', [
    { name: 'app', body: 'a file' },
    { name: 'app/node_modules/a/package.json', body: 'a@1.0.0' },
  ]);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(
    r.unknowns.map((u) => [u.path, u.code]),
    [['app/node_modules/a/package.json', 'LAYER_CORRUPT']],
  );
});
