/**
 * Differential target for the two gzip inflaters (src/image/gzip-inflater.ts): the
 * same stored bytes through LayerDecoder with ISA-L (in the knob's chunks) and with
 * node:zlib (in one piece) must give the same tar bytes, or both fail. A difference is
 * a problem: a layer would be read one way on a machine with the addon and another
 * way without it. node:zlib is fed whole because its reading of bytes after a member
 * depends on where chunks end (a zero byte that starts a chunk ends the stream there);
 * ISA-L's must not. Both failing is agreement even where one says the stream is cut
 * short and the other that it is corrupt: for bytes that are both (a block cut in its
 * length field) the two decoders stop at different points; any other code must match.
 */
import { Readable } from 'node:stream';
import * as fc from 'fast-check';
import { DEFAULT_LIMITS, isCustomsError } from '../../../src/core/index.js';
import { LayerDecoder } from '../../../src/image/layer-decoder.js';
import { mutatedLayout } from '../mutate.js';
import type { FuzzInput, FuzzTarget } from '../protocol.js';
import { gzipLayout, gzipSpec } from './compress-model.js';
import { chunksOf } from './layer.js';

type Outcome = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly code: string };

async function decode(input: FuzzInput, inflater: 'isa-l' | 'zlib', whole: boolean): Promise<Outcome> {
  const decoder = new LayerDecoder({
    expected: 'gzip',
    what: 'fuzzed layer',
    maxSize: DEFAULT_LIMITS.maxLayerSize,
    maxRatio: DEFAULT_LIMITS.maxCompressionRatio,
    inflater,
  });
  const parts: Buffer[] = [];
  try {
    const source = whole ? Readable.from([Buffer.from(input.bytes)]) : chunksOf(input.bytes, input.knob);
    for await (const c of source.pipe(decoder) as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
    return { ok: true, bytes: Buffer.concat(parts) };
  } catch (e) {
    if (!isCustomsError(e)) throw e;
    return { ok: false, code: e.code };
  }
}

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  fc.tuple(fc.string({ maxLength: 64 }), fc.integer({ min: 1, max: 5000 })).map(([s, n]) => Buffer.from(s.repeat(n))),
);

export const inflateParityTarget: FuzzTarget = {
  name: 'inflate-parity',
  entry: 'image LayerDecoder (gzip) with ISA-L against node:zlib, same bytes, same chunks',
  arbitrary: () => mutatedLayout(payload.chain((p) => gzipSpec.map((g) => gzipLayout(p, g)))),
  async run(input) {
    const isal = await decode(input, 'isa-l', false);
    const zlib = await decode(input, 'zlib', true);
    const said = (o: Outcome): string => (o.ok ? `${o.bytes.length} bytes` : o.code);
    const cutOrCorrupt = (code: string): boolean => code === 'LAYER_TRUNCATED' || code === 'LAYER_CORRUPT';
    const same =
      isal.ok && zlib.ok
        ? isal.bytes.equals(zlib.bytes)
        : !isal.ok && !zlib.ok && (isal.code === zlib.code || (cutOrCorrupt(isal.code) && cutOrCorrupt(zlib.code)));
    return same ? [] : [`ISA-L gave ${said(isal)}, node:zlib ${said(zlib)}`];
  },
};
