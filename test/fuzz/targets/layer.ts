/**
 * Targets for layer bytes: the tar reader (src/image/tar/) alone, and the
 * layer pipeline (src/image/make-layer.ts: stored bytes → LayerDecoder for
 * gzip, zstd or plain tar → TarReader) as a scan reads a layer.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../../src/core/index.js';
import { makeLayer } from '../../../src/image/make-layer.js';
import { normaliseEntryName, resolveLinkTarget, type TarEntry, TarReader } from '../../../src/image/index.js';
import type { LayerCompression } from '../../../src/image/types.js';
import { byteOp, type Layout, mutatedLayout, someOps, applyByteOps } from '../mutate.js';
import type { FuzzInput, FuzzTarget } from '../protocol.js';
import { gzipLayout, gzipSpec, gzipZeros, realZstd, zstdLayout, zstdSpec } from './compress-model.js';
import { plainTar, tarBytes, tarSpec } from './tar-model.js';

const ENTRY_TYPES = new Set(['file', 'hardlink', 'symlink', 'dir', 'other']);
const CHUNKS = [1, 7, 100, 511, 512, 4096, 65536, 1 << 20] as const;
const MAX_CHUNKS = 4096;

/**
 * Feed the bytes in chunks of a size the knob picks, so block boundaries fall
 * anywhere; at most MAX_CHUNKS of them (a megabyte fed byte by byte measures
 * the stream machinery, not the parser).
 */
export function chunksOf(bytes: Uint8Array, knob: number): Readable {
  const size = Math.max(CHUNKS[knob % CHUNKS.length] as number, Math.ceil(bytes.length / MAX_CHUNKS));
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(bytes.subarray(i, i + size)));
  return Readable.from(out);
}

/** Contracts of one entry and of the entry-path helpers the walker applies to it. */
function checkEntry(e: TarEntry, problems: string[]): void {
  if (typeof e.name !== 'string' || typeof e.linkname !== 'string')
    problems.push('entry name or linkname is not a string');
  if (!ENTRY_TYPES.has(e.type)) problems.push(`entry type ${String(e.type)}`);
  if (!Number.isSafeInteger(e.size) || e.size < 0) problems.push(`entry size ${e.size}`);
  if (!Number.isSafeInteger(e.mode) || e.mode < 0) problems.push(`entry mode ${e.mode}`);
  const norm = normaliseEntryName(e.name);
  if (norm.ok) {
    const parts = norm.path.split('/');
    if (norm.path.startsWith('/') || parts.some((p) => p === '..' || p === '.' || (p === '' && norm.path !== '')))
      problems.push(`normaliseEntryName(${JSON.stringify(e.name)}) = ${JSON.stringify(norm.path)}`);
    const target = resolveLinkTarget(norm.path, e.linkname);
    if (target.startsWith('/') || target.split('/').some((p) => p === '..' || p === '.'))
      problems.push(
        `resolveLinkTarget(${JSON.stringify(norm.path)}, ${JSON.stringify(e.linkname)}) = ${JSON.stringify(target)}`,
      );
  } else if (typeof norm.reason !== 'string' || norm.reason === '') problems.push('a refused name without a reason');
}

/**
 * Read every entry as the layer walker does: for each, by two bits of the
 * knob, skip the body, read it, read a head then the body, or only a head.
 * Bodies over the walker's file limit are never read.
 */
async function readAll(stream: Readable | AsyncIterable<Buffer>, knob: number, maxBytes: number): Promise<string[]> {
  const problems: string[] = [];
  const reader = new TarReader(stream);
  try {
    for (let i = 0; ; i++) {
      const e = await reader.next();
      if (e === null) break;
      checkEntry(e, problems);
      if (reader.entries * 512 > reader.position)
        problems.push(`${reader.entries} entries in ${reader.position} bytes`);
      const plan = (knob >>> (3 + 2 * (i % 12))) & 3;
      if (plan === 0 || e.size > DEFAULT_LIMITS.maxFileSize) continue;
      const headLen = 1 + ((knob >>> 8) % 600);
      if (plan >= 2) {
        const head = await reader.readHead(headLen);
        if (head.length !== Math.min(headLen, e.size))
          problems.push(`readHead(${headLen}) of ${e.size} bytes gave ${head.length}`);
        if (plan === 3) continue;
      }
      const body = await reader.readBody();
      if (body.length !== e.size) problems.push(`readBody of a ${e.size}-byte entry gave ${body.length} bytes`);
      if (problems.length > 0) break;
    }
  } finally {
    await reader.close();
  }
  if (reader.position > maxBytes) problems.push(`reader position ${reader.position} past the ${maxBytes} bytes given`);
  return problems;
}

export const tarTarget: FuzzTarget = {
  name: 'tar',
  entry: 'image/tar TarReader (next, readHead, readBody) + normaliseEntryName/resolveLinkTarget',
  arbitrary: () =>
    fc
      .tuple(tarSpec, someOps(byteOp, 3), fc.nat())
      .map(([spec, ops, knob]): FuzzInput => ({ bytes: applyByteOps(tarBytes(spec), ops), knob })),
  run: (input) => readAll(chunksOf(input.bytes, input.knob), input.knob, input.bytes.length),
};

/** Declared compression: the right one (most often), sniffing, or a wrong one. */
function declared(kind: LayerCompression, knob: number): LayerCompression | 'sniff' {
  const pick = (knob >>> 28) & 7;
  if (pick === 5) return 'sniff';
  if (pick === 6) return kind === 'gzip' ? 'zstd' : 'gzip';
  if (pick === 7) return 'none';
  return kind;
}

function layerTarget(kind: LayerCompression, arbitrary: () => fc.Arbitrary<FuzzInput>): FuzzTarget {
  return {
    name: `layer-${kind === 'none' ? 'plain' : kind}`,
    entry: `image makeLayer().open() → LayerDecoder (${kind === 'none' ? 'plain tar' : kind}) → TarReader`,
    arbitrary,
    async run(input) {
      const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
      const digest: `sha256:${string}` = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const layer = makeLayer({
        diffID: digest,
        digest,
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        compression: declared(kind, input.knob),
        // The digest is the blob's own: verifying it exercises that stage without failing it.
        verifyBlob: ((input.knob >>> 27) & 1) === 1,
        verifyDiffID: false,
        what: 'fuzzed layer',
        limits: DEFAULT_LIMITS,
        openBlob: async () => chunksOf(bytes, input.knob),
      });
      const stream = await layer.open();
      return readAll(stream, input.knob, DEFAULT_LIMITS.maxLayerSize);
    },
  };
}

const seedTars = (): Uint8Array[] => [
  plainTar([
    { name: 'etc/os-release', body: Buffer.from('ID=debian\nVERSION_ID="12"\n') },
    { name: 'var/lib/dpkg/status', body: Buffer.from('Package: a\nStatus: install ok installed\nVersion: 1\n\n') },
  ]),
  plainTar([{ name: 'big', body: new Uint8Array(200_000).fill(0x41) }]),
];

/** Layouts of compressed tars: a generated tar, compressed by a generated frame spec. */
function compressed(build: (tar: Uint8Array) => fc.Arbitrary<Layout>): fc.Arbitrary<Layout> {
  return tarSpec.chain((spec) => build(tarBytes(spec)));
}

export const layerGzip = layerTarget('gzip', () => {
  // A decompression bomb: 71 KB that expands 1 000-fold, past the ratio floor (built once, here).
  const bomb = gzipZeros(70 * 1024 * 1024);
  return fc.oneof(
    { arbitrary: mutatedLayout(compressed((tar) => gzipSpec.map((g) => gzipLayout(tar, g)))), weight: 8 },
    {
      arbitrary: fc
        .tuple(someOps(byteOp, 2), fc.nat())
        .map(([ops, knob]) => ({ bytes: applyByteOps(bomb, ops), knob: knob & ~(7 << 28) })),
      weight: 1,
    },
  );
});

export const layerZstd = layerTarget('zstd', () => {
  const real = realZstd(seedTars());
  const synthetic = mutatedLayout(compressed((tar) => zstdSpec.map((z) => zstdLayout(tar, z))));
  if (real.length === 0) return synthetic;
  return fc.oneof(
    { arbitrary: synthetic, weight: 4 },
    {
      arbitrary: mutatedLayout(fc.constantFrom(...real).map((bytes): Layout => ({ bytes, fields: [], records: [] }))),
      weight: 1,
    },
  );
});

export const layerPlain = layerTarget('none', () =>
  fc
    .tuple(tarSpec, someOps(byteOp, 3), fc.nat())
    .map(([spec, ops, knob]): FuzzInput => ({ bytes: applyByteOps(tarBytes(spec), ops), knob })),
);
