/**
 * customs' tar reader against Go's archive/tar, the reader Docker, containerd
 * and BuildKit unpack layers with: generated streams mixing every header kind
 * (pax local and global headers with valid and invalid records, GNU long
 * names and links, ustar/GNU/v7/star headers with prefixes, odd numeric
 * fields, every entry type, special files claiming a body that holds another
 * header, sparse files, zero blocks, missing end markers) must yield the same
 * entries — name, type, link name and the bytes of each body — and fail
 * exactly when archive/tar fails. A disagreement is a way for an image author
 * to show customs other files than the runtime installs.
 *
 * Known, intended differences are not generated, and listed in
 * docs/security.md "Layer tar semantics": pax global headers are skipped
 * (archive/tar returns them as entries, which runtimes skip too), and old GNU
 * sparse entries (type S) are refused (runtimes refuse them).
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { isCustomsError } from '../../src/core/index.js';
import { TarReader } from '../../src/image/index.js';
import {
  chunked,
  type FixtureEntry,
  gnuLongEntry,
  paxEntry,
  paxGlobalEntry,
  paxRecords,
  paxSparseEntries,
  tarBytes,
} from '../../src/image/tar/test-support/tar-fixture.js';
import { GoTar, type GoTarListing } from '../support/go-tar.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Path segments that matter: cleaning (., .., empty), the dpkg database, long ones. */
const segment = fc.constantFrom('a', 'b', 'var', 'lib', 'dpkg', 'status', '.', '..', '', 'x'.repeat(60));
const path = fc
  .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([abs, parts, slash]) => `${abs ? '/' : ''}${parts.join('/')}${slash ? '/' : ''}`);
/** Names that fit the 100-byte name field (longer ones come from pax or GNU records). */
const shortPath = path.map((p) => p.slice(0, 100));

/** A header hidden in a body: to archive/tar it is the next entry when the body's owner has none. */
const NESTED = tarBytes([{ name: 'var/lib/dpkg/status', body: 'Package: hidden\n' }], false);
const BODIES = {
  empty: '',
  abc: 'abc',
  status: 'Package: openssl\nVersion: 3\n',
  big: 'y'.repeat(700),
  nested: NESTED,
};
type BodyName = keyof typeof BODIES;

/** Raw numeric fields archive/tar reads in its own way: padding, NULs, junk, base-256. */
const oddField = fc.constantFrom<readonly [number, string]>(
  [100, ' 644 \x00\x00\x00'], // mode with spaces
  [100, '\x00\x000000644\x00'], // leading NULs
  [108, '0000000\x00'],
  [108, 'bad\x00\x00\x00\x00\x00'], // junk uid: archive/tar refuses
  [116, '\x80\x00\x00\x00\x00\x00\x00\x01'], // base-256 gid
  [124, '\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff'], // base-256 size -1
  [136, '1234567\x00    '], // mtime with trailing spaces
  [136, '99999999999 '], // mtime without NUL
  [136, '12 34\x00\x00\x00\x00\x00\x00\x00'], // space inside: refused
  [329, 'junk\x00\x00\x00\x00'], // devmajor junk: refused for ustar, ignored for v7
);

/** Streams are generated as short descriptions (readable counterexamples), rendered to bytes by `render`. */
const entry = fc.record({
  name: shortPath,
  type: fc.constantFrom('0', '\x00', '1', '2', '3', '4', '5', '6', '7', 'A', 'D'),
  body: fc.constantFrom<BodyName>('empty', 'abc', 'status', 'big', 'nested'),
  linkname: shortPath,
  format: fc.constantFrom('ustar', 'gnu', 'v7', 'star'),
  prefix: fc.option(fc.constantFrom('usr/lib', 'p'.repeat(131), '00000000000\x0000000000000\x00', 'old go'), {
    nil: undefined,
  }),
  tail: fc.option(fc.constantFrom('00000000000\x0000000000000\x00', 'junk'), { nil: undefined }),
  sizeDelta: fc.constantFrom(0, 0, 0, 1, -1),
  fields: fc.array(oddField, { maxLength: 2 }),
});

/** pax records, valid and not: archive/tar applies some, ignores others, refuses bad numbers. */
const records = fc.dictionary(
  fc.constantFrom(
    'path',
    'linkpath',
    'size',
    'mtime',
    'uid',
    'comment',
    'SCHILY.xattr.user.a',
    'GNU.sparse.major',
    'GNU.sparse.minor',
    'GNU.sparse.name',
    'GNU.sparse.map',
    'GNU.sparse.numblocks',
    'GNU.sparse.realsize',
    'GNU.sparse.size',
  ),
  fc.oneof(
    path,
    fc.constantFrom('', '0', '1', '3', '700', '-1', '+3', '1e3', '1.5', '-1.5', '1.', 'x', '0,3', 'a\x00b'),
  ),
  { maxKeys: 4 },
);
const malformedPax = fc.constantFrom(
  '11 path=ab', // no newline
  '9 =empty\n', // empty key
  '5 a=\n',
  '6 a=b\n', // length too long for the data
  'x path=a\n',
  `${paxRecords({ path: 'ok' })}junk`,
  `${paxRecords({ path: 'first' })}${paxRecords({ path: 'second' })}`, // the last record wins
  `${paxRecords({ 'GNU.sparse.offset': '0' })}${paxRecords({ 'GNU.sparse.numbytes': '3' })}${paxRecords({ 'GNU.sparse.numblocks': '1', 'GNU.sparse.name': 'var/lib/dpkg/status', 'GNU.sparse.size': '10' })}`,
  `${paxRecords({ 'GNU.sparse.numbytes': '3' })}`, // sparse 0.0 records out of order
);

const item = fc.oneof(
  { weight: 6, arbitrary: entry.map((entry) => ({ entry })) },
  { weight: 2, arbitrary: records.map((x) => ({ x })) },
  { weight: 2, arbitrary: records.map((g) => ({ g })) },
  { weight: 1, arbitrary: malformedPax.map((xraw) => ({ xraw })) },
  { weight: 1, arbitrary: fc.oneof(path, fc.constant('')).map((L) => ({ L })) },
  { weight: 1, arbitrary: fc.oneof(path, fc.constant('')).map((K) => ({ K })) },
  { weight: 1, arbitrary: fc.tuple(path, fc.constantFrom(0, 1, 2)).map((sparse) => ({ sparse })) },
  { weight: 1, arbitrary: fc.constant({ zero: true as const }) },
);
type Item = typeof item extends fc.Arbitrary<infer T> ? T : never;
const stream = fc.record({
  items: fc.array(item, { minLength: 1, maxLength: 8 }),
  endZeroBlocks: fc.constantFrom(2, 2, 1, 0),
});

const SPARSE_SHAPES: [number, string][][] = [
  [
    [0, 'head'],
    [900, 'tail'],
  ],
  [],
  [[10, 'only']],
];

function render({ items, endZeroBlocks }: { items: readonly Item[]; endZeroBlocks: number }): Buffer {
  const parts = items.map((i): Buffer => {
    if ('entry' in i) {
      const { body: b, sizeDelta, prefix, tail, fields, ...e } = i.entry;
      const bytes = Buffer.from(BODIES[b]);
      const fe: FixtureEntry = {
        ...e,
        body: bytes,
        ...(prefix !== undefined ? { prefix } : {}),
        ...(tail !== undefined ? { tail } : {}),
        ...(sizeDelta !== 0 ? { size: Math.max(0, bytes.length + sizeDelta) } : {}),
        ...(fields.length > 0 ? { fields } : {}),
      };
      return tarBytes([fe], false);
    }
    if ('x' in i) return tarBytes([paxEntry(i.x)], false);
    if ('g' in i) return tarBytes([paxGlobalEntry(i.g)], false);
    if ('xraw' in i) return tarBytes([{ name: 'PaxHeader', type: 'x', body: i.xraw }], false);
    if ('L' in i) return tarBytes([gnuLongEntry('L', i.L)], false);
    if ('K' in i) return tarBytes([gnuLongEntry('K', i.K)], false);
    if ('sparse' in i) return tarBytes(paxSparseEntries(i.sparse[0], 1000, SPARSE_SHAPES[i.sparse[1]] ?? []), false);
    return Buffer.alloc(512);
  });
  return Buffer.concat([...parts, Buffer.alloc(512 * endZeroBlocks)]);
}

const TYPES: Record<string, string> = { '0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '5': 'dir' };

/** archive/tar's listing in customs' terms: global headers dropped (runtimes skip them), types mapped. */
function expected(go: GoTarListing): { entries: unknown[]; fails: boolean } {
  return {
    entries: go.entries
      .filter((e) => e.type !== 'g')
      .map((e) => [e.name, TYPES[e.type] ?? 'other', e.linkname, e.size, e.sha256]),
    fails: go.error !== '',
  };
}

async function customs(tar: Buffer): Promise<{ entries: unknown[]; fails: boolean }> {
  const reader = new TarReader(chunked(tar, 200));
  const entries: unknown[] = [];
  try {
    for (let e = await reader.next(); e; e = await reader.next()) {
      const b = await reader.readBody();
      entries.push([e.name, e.type, e.linkname, b.length, sha256(b)]);
    }
    return { entries, fails: false };
  } catch (e) {
    // Only a CustomsError is a refusal; anything else is a bug.
    if (!isCustomsError(e)) throw e;
    return { entries, fails: true };
  }
}

let go: GoTar;
before(async () => {
  go = await GoTar.start();
});
after(async () => {
  await go.stop();
});

test("customs' tar reader reads generated streams exactly as Go's archive/tar", async () => {
  await fc.assert(
    fc.asyncProperty(stream, async (desc) => {
      const tar = render(desc);
      const what = JSON.stringify(desc);
      const want = expected(await go.list(tar));
      const got = await customs(tar);
      assert.equal(got.fails, want.fails, `${what}\n(archive/tar ${want.fails ? 'fails' : 'reads it'})`);
      // When both fail, the entries before the failure do not matter: runtimes refuse the layer.
      if (!want.fails) assert.deepEqual(got.entries, want.entries, what);
    }),
    { numRuns: 1500, seed: 20260601 },
  );
});

test('the oracle sees the features the generator aims at (a check on the check)', async () => {
  const l = await go.list(
    tarBytes([
      paxGlobalEntry({ path: 'etc/motd' }),
      { name: 'f', type: '6', size: NESTED.length, body: NESTED },
      ...paxSparseEntries('s', 10, [[8, 'hi']]),
    ]),
  );
  assert.deepEqual(
    l.entries.map((e) => [e.name, e.type, e.size]),
    [
      ['etc/motd', 'g', 0],
      ['f', '6', 0],
      ['var/lib/dpkg/status', '0', 16],
      ['s', '0', 10],
    ],
  );
  assert.equal(l.error, '');
});
