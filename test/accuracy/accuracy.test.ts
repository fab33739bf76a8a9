/**
 * Precision and recall of matching over the hand-written regression corpus
 * (corpus.ts), against a real DB built by `customs db import` from the feed
 * files in feeds/. Corpus and matcher come from the same project: this pins
 * behaviour and catches regressions; it does not measure accuracy.
 * A finding counts as a true positive when package and primary ID agree; the
 * state and fixed versions of true positives are checked as well. Both
 * precision and recall must be exactly 1.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, dbPath, type Package, purlOf } from '../../src/core/index.js';
import { matchInventory } from '../../src/match/index.js';
import type { Inventory } from '../../src/sbom/index.js';
import { importVulnDb, openVulnDb, type VulnDbReader } from '../../src/vulndb/index.js';
import { REPO_ROOT } from '../support/images.js';
import { CORPUS, type CorpusImage, type CorpusPackage } from './corpus.js';

const LAYER = `sha256:${'0'.repeat(64)}` as const;
let dir = '';
let db: VulnDbReader;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'customs-accuracy-'));
  const ctx = createContext({ config: { dbDir: dir } });
  await importVulnDb([join(REPO_ROOT, 'test', 'accuracy', 'feeds')], ctx);
  db = openVulnDb(dbPath(dir));
});
after(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

const idOf = (p: CorpusPackage): string =>
  `${p.ecosystem}/${p.name}@${p.epoch !== undefined ? `${p.epoch}:` : ''}${p.version}`;

function inventoryOf(image: CorpusImage): Inventory {
  const packages: Package[] = image.packages.map((p) => {
    const fact = {
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      ...(p.source ? { source: p.source } : {}),
      ...(p.epoch !== undefined ? { epoch: p.epoch } : {}),
    };
    // purlOf refuses a Maven artifact without a groupId; the corpus keeps one to check the note.
    let purl: string;
    try {
      purl = purlOf(fact, image.os);
    } catch {
      purl = `pkg:${p.ecosystem}/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}`;
    }
    return { ...fact, id: idOf(p), purl, paths: [], layer: LAYER };
  });
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: 'test' },
    createdAt: '2026-01-01T00:00:00Z',
    target: { name: image.name, transport: 'dir', configDigest: LAYER, repoDigests: [], repoTags: [], layers: [] },
    ...(image.os ? { os: image.os } : {}),
    packages,
    unknowns: [],
  };
}

test('precision and recall over the regression corpus are both 1', () => {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const problems: string[] = [];
  for (const image of CORPUS) {
    const result = matchInventory(inventoryOf(image), db);
    const got = new Map<string, (typeof result.findings)[number]>(
      result.findings.map((f) => [`${f.packageId} ${f.id}`, f]),
    );
    const want = new Map<string, readonly [string, readonly string[]]>(
      image.packages.flatMap((p) => Object.entries(p.expect).map(([id, e]) => [`${idOf(p)} ${id}`, e] as const)),
    );
    for (const [key, f] of got) {
      const e = want.get(key);
      if (e === undefined) {
        fp++;
        problems.push(`${image.name}: unexpected ${key} (${f.match.advisory}: ${f.match.constraint})`);
        continue;
      }
      tp++;
      if (f.state !== e[0] || f.fixedVersions.join(' ') !== e[1].join(' ')) {
        problems.push(
          `${image.name}: ${key} is ${f.state} [${f.fixedVersions.join(' ')}], expected ${e[0]} [${e[1].join(' ')}]`,
        );
      }
    }
    for (const key of want.keys()) {
      if (!got.has(key)) {
        fn++;
        problems.push(`${image.name}: missed ${key}`);
      }
    }
    for (const n of image.notes ?? []) {
      if (!result.notes.some((x) => x.message.includes(n)))
        problems.push(`${image.name}: no note "${n}" in ${JSON.stringify(result.notes)}`);
    }
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  process.stdout.write(
    `# regression corpus: ${tp} true positives, ${fp} false positives, ${fn} false negatives; precision ${precision}, recall ${recall}\n`,
  );
  assert.deepEqual(problems, []);
  assert.ok(tp >= 40, `the corpus expects at least 40 findings (has ${tp})`);
  assert.equal(precision, 1);
  assert.equal(recall, 1);
});

test('aliases merge advisories about one flaw: DSA, USN, GHSA and PYSEC IDs are aliases of the CVE', () => {
  const ids = (image: string, pkgName: string) =>
    matchInventory(inventoryOf(CORPUS.find((c) => c.name === image) as CorpusImage), db)
      .findings.filter((f) => f.package.name === pkgName)
      .map((f) => `${f.id} ${f.aliases.join(',')}`);
  assert.deepEqual(ids('debian-12', 'libssl3'), ['CVE-2023-5363 DSA-5532-1', 'CVE-2023-5678 ']);
  assert.deepEqual(ids('ubuntu-22.04', 'libcurl4'), ['CVE-2023-38545 USN-6429-1', 'CVE-2023-38546 USN-6429-1']);
  assert.deepEqual(ids('language packages', 'Requests'), ['CVE-2023-32681 GHSA-j8r2-6x86-q33q,PYSEC-2023-74']);
});
