/**
 * Differential test of layer tar semantics: layers written by this test with
 * every tar feature an image author can use to make two readers disagree
 * (pax local and global headers, GNU long names and links, ustar and star
 * prefixes, "..", "." and "//" in names, absolute names, hard links, symlinks,
 * symlinked parents, whiteouts and opaque directories across layers, special
 * files claiming a body, sparse files, duplicates) are loaded into the real
 * Docker Engine, and the filesystem of a container created from them must be
 * exactly what customs' merged view holds: the same regular files with the
 * same content, the same symlinks, and the same OS packages from the dpkg
 * database. Layers Docker refuses are checked on their own: customs refuses
 * them too, or the test states the difference.
 *
 * docs/security.md "Layer tar semantics" lists the rules this holds customs to.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Analyzer, analyzeImage } from '../../src/analyze/index.js';
import { createContext, DEFAULT_LIMITS } from '../../src/core/index.js';
import { openImage } from '../../src/image/index.js';
import {
  type FixtureEntry,
  gnuLongEntry,
  paxEntry,
  paxGlobalEntry,
  paxSparseEntries,
  tarBytes,
} from '../../src/image/tar/test-support/tar-fixture.js';
import type { Inventory } from '../../src/sbom/index.js';
import { ensureDocker, freshDir, runCustoms } from '../support/images.js';
import {
  dockerLoad,
  removeImage,
  type RuntimeEntry,
  resolveInRoot,
  runtimeTree,
  writeLayerArchive,
} from '../support/tar-image.js';

const TAG = `customs-test/tar-differential:${process.pid}`;
const tags: string[] = [];

/** A dpkg status database (deb-status(5)) of installed packages. */
function dpkgStatus(pkgs: readonly (readonly [string, string])[]): string {
  return pkgs
    .map(
      ([name, version]) =>
        `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${version}\nDescription: ${name}\n`,
    )
    .join('\n');
}

const dir = (name: string): FixtureEntry => ({ name, type: '5', mode: 0o755 });
const file = (name: string, body: string): FixtureEntry => ({ name, body });

const LONG_PAX = `opt/${'p'.repeat(120)}/pax-long-name.txt`;
const LONG_GNU = `opt/${'g'.repeat(120)}/gnu-long-name.txt`;
const LONG_TARGET = `/opt/${'k'.repeat(120)}`;
/** A header hidden in the "body" a fifo claims: archive/tar reads it as the next entry. */
const HIDDEN = tarBytes([file('data/hidden-in-fifo-body.txt', 'installed by the runtime')], false);

const LAYERS: readonly FixtureEntry[][] = [
  [
    dir('etc/'),
    dir('usr/lib/'),
    file('usr/lib/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    { name: 'etc/os-release', type: '2', linkname: '../usr/lib/os-release' },
    file(
      'var/lib/dpkg/status',
      dpkgStatus([
        ['base-files', '12.4+deb12u5'],
        ['openssl', '3.0.9-1'],
      ]),
    ),
    paxEntry({ path: LONG_PAX, mtime: '1700000000.5' }),
    file('ustar-name-replaced-by-pax', 'pax long name'),
    gnuLongEntry('L', LONG_GNU),
    { name: 'ustar-name-replaced-by-gnu', body: 'gnu long name', format: 'gnu' },
    gnuLongEntry('K', LONG_TARGET),
    { name: 'opt/long-link', type: '2', linkname: 'replaced', format: 'gnu' },
    { name: 'prefixed.txt', prefix: 'opt/ustar-prefix', body: 'ustar prefix' },
    {
      name: 'star.txt',
      format: 'star',
      prefix: 'opt/star-prefix',
      tail: '00000000000\x0000000000000\x00',
      body: 'star prefix',
    },
    file('opt/hard-src', 'shared content'),
    { name: 'opt/hard-dst', type: '1', linkname: 'opt/hard-src' },
    ...paxSparseEntries('opt/sparse.bin', 3000, [
      [0, 'head'],
      [2500, 'tail'],
    ]),
    { name: 'opt/nul-typeflag.txt', type: '\0', body: 'old-style file' },
    { name: 'opt/nul-typeflag-dir/', type: '\0', mode: 0o755 },
    file('srv/gone.txt', 'whited out above'),
    file('srv/kept.txt', 'kept'),
    file('srv/opaque/old.txt', 'hidden by an opaque dir above'),
    file('srv/becomes-fifo', 'a file below'),
    file('srv/dir-becomes-file/child.txt', 'hidden when its dir becomes a file'),
    file('srv/dir-becomes-link/child.txt', 'hidden when its dir becomes a symlink'),
    file('srv/file-becomes-dir', 'a file below a dir'),
    file('srv/file-becomes-implied-dir', 'a file below a directory the layer above implies'),
    { name: 'data/lower-lnk', type: '2', linkname: '/srv' },
  ],
  [
    // A global header whose path would rename every later entry of the layer for a naive reader.
    paxGlobalEntry({ path: 'etc/motd', linkpath: 'nowhere', comment: 'built by test' }),
    file(
      'usr/../var/lib/dpkg/status',
      dpkgStatus([
        ['base-files', '12.4+deb12u5'],
        ['openssl', '3.0.11-1~deb12u1'],
        ['curl', '7.88.1-10'],
      ]),
    ),
    file('/abs/leading-slash.txt', 'absolute name'),
    file('./dot/./segments//file.txt', 'dot segments'),
    file('../../climb/file.txt', 'climbs above the root'),
    { name: 'srv/.wh.gone.txt' },
    { name: 'srv/opaque/.wh..wh..opq' },
    file('srv/opaque/new.txt', 'new in the opaque dir'),
    { name: 'srv/becomes-fifo', type: '6' },
    file('srv/dir-becomes-file', 'now a file'),
    { name: 'srv/dir-becomes-link', type: '2', linkname: 'kept.txt' },
    dir('srv/file-becomes-dir/'),
    file('srv/file-becomes-implied-dir/child.txt', 'its parent has no entry'),
    // Below a lower layer's symlink, with no entry for it: Docker (overlay2) makes a directory there.
    file('data/lower-lnk/below-lower-symlink.txt', 'in a new directory data/lower-lnk'),
    dir('data/real/'),
    { name: 'data/lnk', type: '2', linkname: '/data/real' },
    file('data/lnk/through-symlinked-parent.txt', 'lands in data/real'),
    file('data/h-src', 'hard link source'),
    { name: 'data/h-dst', type: '1', linkname: '/tmp/../data/h-src' },
    { name: 'data/hl-to-symlink', type: '1', linkname: 'data/lnk' },
    { name: 'data/fifo', type: '6', size: HIDDEN.length, body: HIDDEN },
  ],
  [
    // The dpkg database as a hard link to content no analyzer wants by its own name.
    file(
      'tmp/status-blob',
      dpkgStatus([
        ['base-files', '12.4+deb12u5'],
        ['openssl', '3.0.11-1~deb12u1'],
        ['libssl3', '3.0.11-1~deb12u1'],
      ]),
    ),
    { name: 'var/lib/dpkg/status', type: '1', linkname: 'tmp/status-blob' },
  ],
];

/** Reports every regular file with its content hash: the merged view's file list. */
const everyFile: Analyzer = {
  name: 'every-file',
  version: 1,
  wants: () => true,
  analyze: (f) => ({
    fileFacts: [{ kind: `sha256:${createHash('sha256').update(f.bytes).digest('hex')}`, mode: f.mode }],
  }),
};

const ctx = createContext({ config: { limits: { ...DEFAULT_LIMITS }, cache: false } });

/** customs' merged view of a docker-archive: regular files and symlinks, as runtimeTree gives them. */
async function customsTree(archive: string): Promise<Map<string, RuntimeEntry>> {
  const image = await openImage(`docker-archive:${archive}`, ctx);
  const { merged } = await analyzeImage(image, ctx, { analyzers: [everyFile] });
  const out = new Map<string, RuntimeEntry>();
  for (const f of merged.fileFacts) out.set(f.path, { type: 'file', sha256: f.fact.kind.slice('sha256:'.length) });
  for (const [path, target] of merged.symlinks) out.set(path, { type: 'symlink', target });
  return out;
}

/** The runtime's regular files and symlinks (targets resolved inside the root, as customs keeps them). */
function comparable(tree: ReadonlyMap<string, RuntimeEntry>): Map<string, RuntimeEntry> {
  const out = new Map<string, RuntimeEntry>();
  for (const [path, e] of tree) {
    if (e.type === 'file') out.set(path, e);
    else if (e.type === 'symlink') out.set(path, { type: 'symlink', target: resolveInRoot(path, e.target) });
  }
  return out;
}

const sorted = (m: ReadonlyMap<string, RuntimeEntry>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

let work = '';
let archive = '';
let runtime: Map<string, RuntimeEntry>;

before(async () => {
  await ensureDocker();
  work = await freshDir('tar-differential');
  archive = join(work, 'image.tar');
  await writeLayerArchive(
    archive,
    LAYERS.map((l) => tarBytes(l)),
    TAG,
  );
  tags.push(TAG);
  const load = await dockerLoad(archive);
  assert.equal(load.code, 0, `docker load refused the differential image: ${load.stderr}`);
  runtime = await runtimeTree(TAG);
});

after(async () => {
  for (const t of tags) await removeImage(t);
});

test("customs' merged files and symlinks are exactly the container's", async () => {
  const want = comparable(runtime);
  // The fixture really exercises the features: the runtime holds what each one produces.
  for (const path of [
    LONG_PAX,
    LONG_GNU,
    'opt/long-link',
    'opt/ustar-prefix/prefixed.txt',
    'opt/star-prefix/star.txt',
    'opt/sparse.bin',
    'abs/leading-slash.txt',
    'dot/segments/file.txt',
    'climb/file.txt',
    'data/real/through-symlinked-parent.txt',
    'data/hidden-in-fifo-body.txt',
    'srv/opaque/new.txt',
    'srv/dir-becomes-link',
    'data/hl-to-symlink',
    'srv/file-becomes-implied-dir/child.txt',
    'data/lower-lnk/below-lower-symlink.txt',
  ])
    assert.ok(want.has(path), `the runtime has ${path}`);
  for (const path of ['srv/gone.txt', 'srv/opaque/old.txt', 'srv/dir-becomes-file/child.txt', 'etc/motd'])
    assert.equal(runtime.has(path), false, `the runtime has no ${path}`);
  assert.deepEqual(runtime.get('srv/becomes-fifo'), { type: 'other' });
  assert.deepEqual(runtime.get('srv/file-becomes-dir'), { type: 'dir' });
  assert.deepEqual(sorted(await customsTree(archive)), sorted(want));
});

test('customs sbom reads the dpkg database the container has, through a pax global header, ".." and a hard link', async () => {
  const out = join(work, 'inventory.json');
  const res = await runCustoms(['sbom', `docker-archive:${archive}`, '--format', 'json', '-o', out, '-q'], {
    CUSTOMS_CACHE_DIR: join(work, 'cache'),
  });
  assert.equal(res.code, 0, res.stderr);
  const inv = JSON.parse(await readFile(out, 'utf8')) as Inventory;
  // The container's database is the layer-3 blob: its content, hashed from the export, says so.
  const installed = runtime.get('var/lib/dpkg/status');
  const text = LAYERS[2]?.[0]?.body?.toString() ?? '';
  assert.deepEqual(installed, { type: 'file', sha256: createHash('sha256').update(text).digest('hex') });
  const want = [...text.matchAll(/^Package: (.+)\n(?:.+\n)*?Version: (.+)$/gm)].map((m) => `deb/${m[1]}@${m[2]}`);
  assert.equal(want.length, 3);
  assert.deepEqual(inv.packages.map((p) => `${p.ecosystem}/${p.name}@${p.version}`).sort(), want.sort());
  assert.equal(inv.os?.family, 'debian');
  assert.deepEqual(
    inv.unknowns.map((u) => [u.path, u.code]),
    [
      ['climb/file.txt', 'LAYER_PATH_ESCAPE'],
      // Where runtimes differ (containerd would follow the lower symlink), customs says so.
      ['data/lower-lnk', 'LAYER_PATH_ESCAPE'],
    ],
  );
});

const STATUS_A = dpkgStatus([['openssl', '3.0.9-1']]);
const STATUS_B = dpkgStatus([['openssl', '3.0.11-1~deb12u1']]);

/** What customs does with a layer Docker refuses to load. */
type CustomsOutcome =
  | { readonly refuses: string }
  | { readonly packages: readonly string[]; readonly unknowns?: readonly (readonly [string, string, string])[] };

const REFUSED: readonly { name: string; layer: Buffer; docker: RegExp; customs: CustomsOutcome; why: string }[] = [
  {
    name: 'zero-block-then-header',
    layer: Buffer.concat([
      tarBytes([file('a.txt', 'a')], false),
      Buffer.alloc(512),
      tarBytes([file('var/lib/dpkg/status', STATUS_A)]),
    ]),
    docker: /invalid tar header/,
    customs: { refuses: 'LAYER_CORRUPT' },
    why: 'archive/tar rejects a header after a single zero block; so does customs',
  },
  {
    name: 'old-gnu-sparse',
    layer: tarBytes([{ name: 'var/lib/dpkg/status', type: 'S', format: 'gnu', body: STATUS_A }]),
    docker: /invalid tar header|unhandled tar header type/,
    customs: { refuses: 'LAYER_CORRUPT' },
    why: 'runtimes refuse old GNU sparse entries; so does customs',
  },
  {
    name: 'duplicate-paths',
    layer: tarBytes([file('var/lib/dpkg/status', STATUS_A), file('var/lib/dpkg/status', STATUS_B)]),
    docker: /duplicates of file paths not supported/,
    customs: { packages: ['deb/openssl@3.0.11-1~deb12u1'] },
    why: 'Docker refuses two entries at one path (its tar-split layer store); containerd unpacks them in order and the last wins, which is what customs reports',
  },
  {
    name: 'hard-link-to-nothing',
    layer: tarBytes([{ name: 'var/lib/dpkg/status', type: '1', linkname: 'tmp/not-in-this-layer' }]),
    docker: /no such file or directory/,
    customs: {
      packages: [],
      unknowns: [['var/lib/dpkg/status', 'dpkg-status', 'LAYER_CORRUPT']],
    },
    why: 'Docker refuses the layer; customs cannot read the database and says so (the gate fails on it by default)',
  },
  {
    name: 'contiguous-file-type',
    layer: tarBytes([{ name: 'var/lib/dpkg/status', type: '7', body: STATUS_A }]),
    docker: /unhandled tar header type 55/,
    customs: { packages: ['deb/openssl@3.0.9-1'] },
    why: 'Docker refuses type 7 (contiguous file); POSIX and GNU tar read it as a regular file, and so does customs',
  },
];

for (const c of REFUSED) {
  test(`a layer Docker refuses: ${c.name} (${c.why})`, async () => {
    const tag = `customs-test/tar-refused-${c.name}:${process.pid}`;
    tags.push(tag);
    const file = join(work, `${c.name}.tar`);
    await writeLayerArchive(file, [c.layer], tag);
    const load = await dockerLoad(file);
    assert.notEqual(load.code, 0, `docker load accepted ${c.name}`);
    assert.match(load.stderr, c.docker);
    const out = join(work, `${c.name}.json`);
    const res = await runCustoms(['sbom', `docker-archive:${file}`, '--format', 'json', '-o', out, '-q'], {
      CUSTOMS_CACHE_DIR: join(work, 'cache'),
    });
    if ('refuses' in c.customs) {
      assert.notEqual(res.code, 0, `customs read ${c.name}`);
      assert.match(res.stderr, new RegExp(c.customs.refuses));
      return;
    }
    assert.equal(res.code, 0, res.stderr);
    const inv = JSON.parse(await readFile(out, 'utf8')) as Inventory;
    assert.deepEqual(
      inv.packages.map((p) => `${p.ecosystem}/${p.name}@${p.version}`),
      c.customs.packages,
    );
    assert.deepEqual(
      inv.unknowns.map((u) => [u.path, u.analyzer, u.code]),
      c.customs.unknowns ?? [],
    );
  });
}
