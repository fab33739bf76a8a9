/**
 * The layer cache key (layerCacheKey) and what analyzeImage stores: every
 * input that changes what analyzers report for the same layer bytes must
 * change the key, and only layers whose digests verified are stored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { createContext, DEFAULT_LIMITS, type Digest, sha256 } from '../core/index.js';
import { type Image, type LayerDescription, layerFromSource, makeLayer } from '../image/index.js';
import { tarBytes } from '../image/tar/test-support/tar-fixture.js';
import { analyzeImage, layerCacheKey } from './analyze-image.js';
import { analyzerIds } from './analyzer-ids.js';
import type { AnalyzerPlan } from './analyzers.js';
import type { MergedFacts } from './apply-layers.js';
import type { LayerCache } from './layer-cache.js';
import type { LayerResult } from './layer-result.js';
import { mergedFromJson, mergedToJson } from './merged-json.js';
import type { Analyzer } from './types.js';

const work = mkdtempSync(join(tmpdir(), 'customs-analyze-image-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const DIFF = `sha256:${'ab'.repeat(32)}` as Digest;
const ctx = (maxFileSize = DEFAULT_LIMITS.maxFileSize) =>
  createContext({ config: { limits: { ...DEFAULT_LIMITS, maxFileSize } } });

/** The key of DIFF under `plan`, as analyzeImage computes it. */
const keyOf = (plan: AnalyzerPlan, c = ctx()): string => layerCacheKey(DIFF, analyzerIds(plan), c, plan);

const SECRETS = `rules:\n  - id: acme-key\n    title: ACME key\n    severity: high\n    keywords: [acme_]\n    regex: 'acme_[a-z0-9]{16}'\n`;

test('layerCacheKey: the same inputs give the same key', () => {
  const plan: AnalyzerPlan = { groups: ['packages', 'secrets'], secretConfig: SECRETS };
  assert.equal(keyOf(plan), keyOf({ ...plan }));
});

test('layerCacheKey: an analyzer version change changes the key', () => {
  const a: Analyzer = { name: 'x', version: 1, wants: () => false, analyze: () => ({}) };
  assert.notEqual(layerCacheKey(DIFF, [a], ctx()), layerCacheKey(DIFF, [{ ...a, version: 2 }], ctx()));
  assert.notEqual(layerCacheKey(DIFF, [a], ctx()), layerCacheKey(DIFF, [{ ...a, name: 'y' }], ctx()));
  assert.notEqual(layerCacheKey(DIFF, [a], ctx()), layerCacheKey(`sha256:${'cd'.repeat(32)}`, [a], ctx()));
});

test('layerCacheKey: the secret config changes the key (rules, allow-rules, size cap; none vs default)', () => {
  const base = keyOf({ groups: ['secrets'] });
  const custom = keyOf({ groups: ['secrets'], secretConfig: SECRETS });
  assert.notEqual(custom, base);
  const variants = [
    SECRETS.replace('{16}', '{17}'),
    SECRETS.replace('severity: high', 'severity: low'),
    SECRETS.replace('keywords: [acme_]', 'keywords: [acme]'),
    `${SECRETS}allow-rules:\n  - id: tests\n    paths: ['^test/']\n`,
    `${SECRETS}skip-paths: ['^docs/']\n`,
    `${SECRETS}max-file-size: 1024\n`,
    `${SECRETS}disable-rules: [aws-access-key-id]\n`,
    `${SECRETS}builtin-rules: false\n`,
  ];
  const keys = new Set([base, custom, ...variants.map((s) => keyOf({ groups: ['secrets'], secretConfig: s }))]);
  assert.equal(keys.size, variants.length + 2);
});

test('layerCacheKey: the clamd signature DB version changes the key; the clamd address does not', () => {
  const v1 = 'ClamAV 1.4.2/27500/Mon Jan  6 09:30:00 2025';
  const v2 = 'ClamAV 1.4.2/27501/Tue Jan  7 09:30:00 2025';
  const k = (addr: string, dbVersion: string) => keyOf({ groups: ['malware'], clamd: { addr, dbVersion } });
  assert.notEqual(k('127.0.0.1:3310', v1), k('127.0.0.1:3310', v2));
  assert.notEqual(k('127.0.0.1:3310', v1), keyOf({ groups: ['malware'] }));
  assert.equal(k('127.0.0.1:3310', v1), k('/run/clamav/clamd.ctl', v1));
});

test('layerCacheKey: the IOC list changes the key', () => {
  const one = { entries: [{ sha256: 'a'.repeat(64) }] };
  const two = { entries: [{ sha256: 'a'.repeat(64) }, { sha256: 'b'.repeat(64) }] };
  assert.notEqual(keyOf({ groups: ['malware'], iocs: one }), keyOf({ groups: ['malware'], iocs: two }));
  assert.notEqual(keyOf({ groups: ['malware'], iocs: one }), keyOf({ groups: ['malware'] }));
});

test('layerCacheKey: the file size cap (--max-file-size) changes the key', () => {
  const plan: AnalyzerPlan = { groups: ['packages'] };
  assert.notEqual(keyOf(plan, ctx(1024)), keyOf(plan, ctx(2048)));
});

test('layerCacheKey: plan inputs are in the key even when analyzer versions are the same', () => {
  // Keyed from a plan, the analyzers have their base versions (analyzerIds): the settings count through the plan.
  const fixed = analyzerIds({ groups: ['secrets'] });
  const a: AnalyzerPlan = { groups: ['secrets'], secretConfig: SECRETS };
  const b: AnalyzerPlan = { groups: ['secrets'], secretConfig: `${SECRETS}max-file-size: 99\n` };
  assert.notEqual(layerCacheKey(DIFF, fixed, ctx(), a), layerCacheKey(DIFF, fixed, ctx(), b));
});

/** A one-layer image from a tar on disk; `diffID` may lie. */
/** An uncompressed tar layer whose digests are both checked. */
const tarLayer = (tar: Buffer, what: string, diffID: Digest = sha256(tar)): LayerDescription => ({
  diffID,
  digest: sha256(tar),
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  size: tar.length,
  compression: 'none',
  verifyBlob: true,
  verifyDiffID: true,
  what,
});

function imageOf(tar: Buffer, diffID: Digest): Image {
  const file = join(work, `${sha256(tar).slice(7, 19)}-${diffID.slice(7, 13)}.tar`);
  writeFileSync(file, tar);
  const layer = layerFromSource(
    { ...tarLayer(tar, 'test layer', diffID), file: { path: file, start: 0, length: tar.length } },
    DEFAULT_LIMITS,
  );
  return {
    name: 'test',
    transport: 'oci',
    repoDigests: [],
    repoTags: [],
    configDigest: sha256('{}'),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [diffID] } },
    layers: [layer],
    close: async () => {},
  } as Image;
}

class MemoryCache implements LayerCache {
  readonly rows = new Map<string, LayerResult>();
  gets = 0;
  get(key: string): LayerResult | undefined {
    this.gets++;
    return this.rows.get(key);
  }
  put(key: string, result: LayerResult): void {
    this.rows.set(key, result);
  }
}

/** A cache that also keeps images' merges, as the SQLite cache does (through their JSON form). */
class MergingCache extends MemoryCache {
  readonly merges = new Map<string, string>();
  getMerged(key: string): MergedFacts | undefined {
    const text = this.merges.get(key);
    return text === undefined ? undefined : mergedFromJson(JSON.parse(text));
  }
  putMerged(key: string, merged: MergedFacts): void {
    this.merges.set(key, JSON.stringify(mergedToJson(merged)));
  }
}

const osRelease = tarBytes([{ name: 'etc/os-release', body: 'ID=debian\nVERSION_ID="12"\n' }]);

test('analyzeImage: a layer whose digest fails is never stored; a good one is, and is read back', async () => {
  const cache = new MemoryCache();
  const plan: AnalyzerPlan = { groups: ['packages'] };
  const wrong = `sha256:${'0'.repeat(64)}` as Digest;
  await assert.rejects(analyzeImage(imageOf(osRelease, wrong), ctx(), { plan, cache }), (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'IMAGE_DIGEST_MISMATCH');
    return true;
  });
  assert.equal(cache.rows.size, 0);
  const good = imageOf(osRelease, sha256(osRelease));
  const cold = await analyzeImage(good, ctx(), { plan, cache });
  assert.equal(cold.cached, 0);
  assert.equal(cache.rows.size, 1);
  const warm = await analyzeImage(good, ctx(), { plan, cache });
  assert.equal(warm.cached, 1);
  assert.deepEqual(warm.merged, cold.merged);
});

test('analyzeImage: a warm scan reads the merge of the image, not its layers; other layers or another plan miss it', async () => {
  const cache = new MergingCache();
  const plan: AnalyzerPlan = { groups: ['packages'] };
  const other = tarBytes([{ name: 'usr/lib/os-release', body: 'ID=alpine\nVERSION_ID=3.20.0\n' }]);
  const both = streamedImage([osRelease, other], 0, { inFlight: 0, most: 0 });
  const cold = await analyzeImage(both, ctx(), { plan, cache });
  assert.equal(cold.cached, 0);
  assert.equal(cache.merges.size, 1);
  const gets = cache.gets;
  const warm = await analyzeImage(both, ctx(), { plan, cache });
  assert.equal(warm.cached, 2);
  assert.equal(cache.gets, gets, 'no layer row was read');
  assert.deepEqual(warm.merged, cold.merged);
  assert.deepEqual(warm.merged.os.map((o) => o.os.family).sort(), ['alpine', 'debian']);
  // The same layers in the other order merge differently: a new key, rebuilt from the layer rows.
  const swapped = streamedImage([other, osRelease], 0, { inFlight: 0, most: 0 });
  const again = await analyzeImage(swapped, ctx(), { plan, cache });
  assert.equal(again.cached, 2);
  assert.equal(cache.gets, gets + 2, 'both layers came from their rows');
  assert.equal(cache.merges.size, 2);
  // Another plan: other layer keys, so another merge key too.
  await analyzeImage(both, ctx(), { plan: { groups: ['packages', 'secrets'] }, cache });
  assert.equal(cache.merges.size, 3);
});

test('analyzeImage: a layer that fails leaves no merge in the cache', async () => {
  const cache = new MergingCache();
  const wrong = `sha256:${'0'.repeat(64)}` as Digest;
  await assert.rejects(analyzeImage(imageOf(osRelease, wrong), ctx(), { plan: { groups: ['packages'] }, cache }));
  assert.equal(cache.merges.size, 0);
  assert.equal(cache.rows.size, 0);
});

test('analyzeImage: a truncated layer stream is not stored either', async () => {
  const cache = new MemoryCache();
  const cut = osRelease.subarray(0, 700);
  const img = imageOf(cut, sha256(osRelease));
  // The blob digest matches the truncated bytes; the diffID (of the full tar) does not.
  await assert.rejects(analyzeImage(img, ctx(), { plan: { groups: ['packages'] }, cache }));
  assert.equal(cache.rows.size, 0);
});

/** Layers with no local file, as a registry's are: each stream starts after `delayMs`; `inFlight` counts open ones. */
function streamedImage(tars: readonly Buffer[], delayMs: number, seen: { inFlight: number; most: number }): Image {
  const layers = tars.map((tar) => ({
    diffID: sha256(tar),
    digest: sha256(tar),
    size: tar.length,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    async open(): Promise<Readable> {
      seen.inFlight++;
      seen.most = Math.max(seen.most, seen.inFlight);
      const body = Readable.from(
        (async function* () {
          await new Promise((r) => setTimeout(r, delayMs));
          yield tar;
        })(),
      );
      body.once('close', () => seen.inFlight--);
      return body;
    },
  }));
  return {
    name: 'streamed',
    transport: 'registry',
    repoDigests: [],
    repoTags: [],
    configDigest: sha256('{}'),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) } },
    layers,
    close: async () => {},
  } as Image;
}

test('analyzeImage: layers streamed from the network (no local file) run `concurrency` at a time on the main thread', async () => {
  const seen = { inFlight: 0, most: 0 };
  const other = tarBytes([{ name: 'usr/lib/os-release', body: 'ID=debian\n' }]);
  const img = streamedImage([osRelease, other], 50, seen);
  const res = await analyzeImage(img, ctx(), { plan: { groups: ['packages'] }, cache: new MemoryCache() });
  assert.equal(res.merged.layerCount, 2);
  assert.equal(res.merged.os.length, 2, 'both layers were analysed');
  assert.equal(seen.most, 2, 'both layers were open at the same time');
  assert.equal(seen.inFlight, 0);
});

test('analyzeImage: with concurrency 1 streamed layers still run one at a time', async () => {
  const seen = { inFlight: 0, most: 0 };
  const other = tarBytes([{ name: 'usr/lib/os-release', body: 'ID=debian\n' }]);
  const img = streamedImage([osRelease, other], 20, seen);
  const one = createContext({ config: { limits: { ...DEFAULT_LIMITS, concurrency: 1 } } });
  await analyzeImage(img, one, { plan: { groups: ['packages'] }, cache: new MemoryCache() });
  assert.equal(seen.most, 1);
});

test('analyzeImage: downloaded layers (no local file) are piped to a layer thread, one walked here', async () => {
  // Over the 64 MB from which a layer thread pays off: two layers of one 33 MB file each.
  const tars = [0, 1].map((i) =>
    tarBytes([
      { name: `srv/blob-${i}`, body: Buffer.alloc(33 * 1024 * 1024, i) },
      { name: 'etc/os-release', body: `ID=debian\nVERSION_ID="1${i}"\n` },
    ]),
  );
  let opened = 0;
  let openedHere = 0;
  const layers = tars.map((tar, i) => {
    const layer = makeLayer({
      ...tarLayer(tar, `layer ${i}`),
      limits: DEFAULT_LIMITS,
      openBlob: async () => {
        opened++;
        return Readable.from([tar.subarray(0, 1000), tar.subarray(1000)]);
      },
    });
    assert.equal(layer.source, undefined, 'no local file: the bytes come only through this thread');
    return {
      ...layer,
      open: (onBytes?: (n: number) => void) => {
        openedHere++;
        return layer.open(onBytes);
      },
    };
  });
  const img = { ...streamedImage([], 0, { inFlight: 0, most: 0 }), layers };
  const res = await analyzeImage(img, ctx(), { plan: { groups: ['packages'] }, cache: new MemoryCache() });
  assert.equal(opened, 2);
  assert.equal(openedHere, 1, 'one layer was walked on this thread, the other by the layer thread');
  assert.deepEqual(
    res.merged.os.map((o) => o.os.version),
    ['11'],
    'the top layer wins, wherever it was walked',
  );
});
