/**
 * Targets for the rpm database readers (src/analyze/os/rpm-*.ts): a header
 * blob alone (parseRpmHeader + rpmPackageOf), and each backend through the
 * rpm-db analyzer as the layer walker calls it (the backend is told by magic,
 * so a mutated file may well reach another backend).
 */
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { rpmDb } from '../../../src/analyze/os/rpm-db.js';
import { parseRpmHeader, rpmPackageOf } from '../../../src/analyze/os/rpm-header.js';
import { mutatedLayout, mutatedSeeds, rarely } from '../mutate.js';
import type { FuzzInput, FuzzTarget } from '../protocol.js';
import { fileOf, packageProblems, resultProblems } from './check.js';
import { bdbLayout, headerLayout, headerSpec, ndbLayout, sqliteLayout, sqliteSchema } from './rpm-model.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../../src/analyze/os/testdata/rpm/${name}`, import.meta.url)));

/** A valid header listing thousands of files (a big blob; parsing it is real work). */
const bigHeader: fc.Arbitrary<Uint8Array> = fc.tuple(headerSpec, fc.integer({ min: 5_000, max: 20_000 })).map(
  ([h, n]) =>
    headerLayout({
      tags: [
        ...h.tags.filter((t) => t.tag !== 1116 && t.tag !== 1117 && t.tag !== 1118),
        { tag: 1116, type: 4, value: { k: 'ints', v: new Array<number>(n).fill(0) } },
        { tag: 1117, type: 8, value: { k: 'strs', v: Array.from({ length: n }, (_, i) => `file-${i}`) } },
        { tag: 1118, type: 8, value: { k: 'strs', v: ['/usr/share/doc/'] } },
      ],
      bomb: null,
    }).bytes,
);

/** Valid header blobs for the database builders (bombs left to the header target and to field ops). */
const blobs = (max: number): fc.Arbitrary<Uint8Array[]> =>
  fc.array(
    headerSpec.map((h) => headerLayout({ ...h, bomb: null }).bytes),
    { minLength: 0, maxLength: max },
  );

export const rpmHeaderTarget: FuzzTarget = {
  name: 'rpm-header',
  entry: 'analyze/os parseRpmHeader + rpmPackageOf (header blob, lib/header.c layout)',
  arbitrary: () => mutatedLayout(headerSpec.map(headerLayout)),
  run(input) {
    const h = parseRpmHeader(input.bytes, 'fuzz');
    const problems: string[] = [];
    for (const [tag, v] of h.tags) {
      const ok =
        typeof v === 'string' ||
        v instanceof Uint8Array ||
        (Array.isArray(v) && (v.every((x) => typeof x === 'string') || v.every((x) => Number.isSafeInteger(x))));
      if (!ok || !Number.isSafeInteger(tag)) problems.push(`tag ${tag} holds ${typeof v}`);
    }
    const p = rpmPackageOf(h, 'fuzz');
    if (p) problems.push(...packageProblems(p, 'package', 'rpm'));
    return problems;
  },
};

function dbTarget(name: string, path: string, entry: string, arbitrary: () => fc.Arbitrary<FuzzInput>): FuzzTarget {
  return {
    name,
    entry,
    arbitrary,
    async run(input) {
      const r = await rpmDb.analyze(fileOf(path, input.bytes));
      return resultProblems(r, 'rpm');
    },
  };
}

export const rpmBdbTarget = dbTarget(
  'rpm-bdb',
  'var/lib/rpm/Packages',
  'analyze/os rpm-db analyzer → readBdbRpmdb (Berkeley DB hash) → header parser',
  () =>
    fc.oneof(
      {
        arbitrary: mutatedLayout(
          fc
            .record({
              blobs: blobs(6),
              pageSize: fc.constantFrom(512 as const, 1024 as const, 4096 as const, 16384 as const, 65536 as const),
              le: fc.boolean(),
              counter: fc.boolean(),
              unsorted: fc.boolean(),
              sharedChain: fc.boolean(),
              extra: fc.oneof(
                { arbitrary: fc.constant(0), weight: 30 },
                { arbitrary: fc.integer({ min: 10, max: 2000 }), weight: 1 },
              ),
              inlineMax: fc.constantFrom(64, 256, 1024, 1 << 20),
            })
            .map((s) => {
              // Many small packages after the first: with a shared chain, many items read one chain.
              const tail = s.blobs.length > 0 ? Array.from({ length: s.extra }, () => s.blobs[0] as Uint8Array) : [];
              return bdbLayout({ ...s, blobs: [...s.blobs, ...tail], sharedChain: s.sharedChain || s.extra > 0 });
            }),
        ),
        weight: 4,
      },
      { arbitrary: mutatedSeeds(['Packages', 'Packages.be', 'libuuid-Packages'].map(fixture)), weight: 1 },
    ),
);

export const rpmNdbTarget = dbTarget(
  'rpm-ndb',
  'usr/lib/sysimage/rpm/Packages.db',
  'analyze/os rpm-db analyzer → readNdbRpmdb (ndb slots and blobs) → header parser',
  () =>
    mutatedLayout(
      fc
        .record({
          // Now and then one big header first: duplicated slots then each point at a lot of work.
          blobs: fc.tuple(rarely(bigHeader, 10), blobs(6)).map(([big, rest]) => (big === null ? rest : [big, ...rest])),
          slotPages: fc.oneof(
            { arbitrary: fc.constant(1), weight: 9 },
            { arbitrary: fc.integer({ min: 2, max: 64 }), weight: 1 },
          ),
          dupSlots: fc.oneof(
            { arbitrary: fc.constant(0), weight: 10 },
            { arbitrary: fc.integer({ min: 1, max: 16_000 }), weight: 1 },
          ),
          // The same package index (what the reader checks against the blob) or another one.
          samePkgIdx: fc.oneof(
            { arbitrary: fc.constant(true), weight: 3 },
            { arbitrary: fc.constant(false), weight: 1 },
          ),
        })
        .map(ndbLayout),
    ),
);

export const rpmSqliteTarget = dbTarget(
  'rpm-sqlite',
  'var/lib/rpm/rpmdb.sqlite',
  'analyze/os rpm-db analyzer → readSqliteRpmdb (better-sqlite3 deserialize) → header parser',
  () =>
    fc.oneof(
      {
        arbitrary: mutatedLayout(
          fc
            .record({
              blobs: blobs(4),
              pageSize: fc.constantFrom(512 as const, 1024 as const, 4096 as const, 65536 as const),
              schema: sqliteSchema,
              wal: fc.boolean(),
            })
            .map(sqliteLayout),
        ),
        weight: 4,
      },
      { arbitrary: mutatedSeeds([fixture('rpmdb.sqlite')]), weight: 1 },
    ),
);
