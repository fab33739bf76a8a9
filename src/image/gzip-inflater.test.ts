import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createGzipInflater, gzipInflaterName, type InflateFailure } from './gzip-inflater.js';

type Outcome = { ok: true; bytes: Buffer } | { ok: false; failure: InflateFailure };

/** Inflates `chunks` with one inflater, output buffers of `outSize` bytes. */
function inflate(kind: 'isa-l' | 'zlib', chunks: readonly Buffer[], outSize: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const inf = createGzipInflater(
      outSize,
      { data: (d) => out.push(Buffer.from(d)), error: (failure) => resolve({ ok: false, failure }) },
      kind,
    );
    let i = 0;
    const next = (): void => {
      const c = chunks[i++];
      if (c === undefined) inf.end(() => resolve({ ok: true, bytes: Buffer.concat(out) }));
      else inf.write(c, next);
    };
    next();
  });
}

const split = (b: Buffer, size: number): Buffer[] => {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size));
  return parts;
};

/** Both inflaters, fed the same chunks, agree; returns what they said. */
async function agree(stream: Buffer, chunk: number, outSize: number): Promise<Outcome> {
  const isal = await inflate('isa-l', split(stream, chunk), outSize);
  const zlib = await inflate('zlib', split(stream, chunk), outSize);
  assert.equal(
    isal.ok,
    zlib.ok,
    `ISA-L ${isal.ok ? 'read' : 'refused'} what node:zlib ${zlib.ok ? 'read' : 'refused'}`,
  );
  if (isal.ok && zlib.ok) assert.ok(isal.bytes.equals(zlib.bytes), 'different bytes');
  if (!isal.ok && !zlib.ok) assert.equal(isal.failure.truncated, zlib.failure.truncated, 'truncated against corrupt');
  return isal;
}

const text = Buffer.from('usr/share/doc/libc6/copyright '.repeat(40_000));
const noise = randomBytes(300_000);

test('the ISA-L addon is built and chosen (make build needs libisal-dev; CUSTOMS_INFLATE=zlib opts out)', () => {
  if (process.env.CUSTOMS_INFLATE === 'zlib') assert.match(gzipInflaterName(), /^node:zlib \(CUSTOMS_INFLATE=zlib\)$/);
  else assert.equal(gzipInflaterName(), 'isa-l');
  assert.doesNotThrow(() => createGzipInflater(1024, { data: () => {}, error: () => {} }, 'isa-l').destroy());
});

test('ISA-L and node:zlib inflate the same bytes, whatever the input and output chunking', async () => {
  const streams = [
    gzipSync(text),
    gzipSync(noise, { level: 1 }),
    gzipSync(Buffer.alloc(0)),
    Buffer.concat([gzipSync(text), gzipSync(noise), gzipSync(Buffer.from('tail'))]),
  ];
  for (const s of streams)
    for (const [chunk, out] of [
      [s.length, 256 * 1024],
      [1, 1024 * 1024],
      [4096, 1000],
      [65_536, 65_536],
    ] as const) {
      // Byte by byte only where that stays quick: every chunk is a trip through the thread pool.
      if (chunk === 1 && s.length > 20_000) continue;
      const r = await agree(s, chunk, out);
      assert.ok(r.ok);
    }
  const all = await agree(streams[3] as Buffer, 333, 777);
  assert.ok(all.ok && all.bytes.equals(Buffer.concat([text, noise, Buffer.from('tail')])));
});

test('after a member: zero bytes are padding and ignored, any other byte must start a member', async () => {
  const one = gzipSync(text);
  const padded = await agree(Buffer.concat([one, Buffer.alloc(100), Buffer.from('ignored after padding')]), 4096, 4096);
  assert.ok(padded.ok && padded.bytes.equals(text));
  // The padding starting a chunk of its own, right after the member.
  const atBoundary = await inflate('isa-l', [one, Buffer.alloc(10)], 4096);
  assert.ok(atBoundary.ok && atBoundary.bytes.equals(text));
  const garbage = await agree(Buffer.concat([one, Buffer.from('garbage')]), 4096, 4096);
  assert.ok(!garbage.ok && !garbage.failure.truncated);
});

test('a stream cut anywhere is truncated or corrupt, never read as complete', async () => {
  const s = gzipSync(text.subarray(0, 50_000));
  for (let cut = 0; cut < s.length; cut += cut < 40 ? 1 : 97) {
    const r = await agree(s.subarray(0, cut), 64, 4096);
    assert.ok(!r.ok, `cut at ${cut} of ${s.length}`);
  }
  const trailer = await agree(s.subarray(0, s.length - 1), 4096, 4096);
  assert.ok(!trailer.ok && trailer.failure.truncated);
});

test('flipped bits: both inflaters refuse or read the same stream the same way', async () => {
  const s = gzipSync(text.subarray(0, 20_000));
  for (let pos = 0; pos < s.length; pos += 7) {
    const bad = Buffer.from(s);
    bad[pos] = (bad[pos] as number) ^ (1 << (pos % 8));
    await agree(bad, 512, 4096);
  }
});

test('a wrong checksum or size in the trailer is corrupt', async () => {
  for (const at of [8, 4]) {
    const s = Buffer.from(gzipSync(text));
    s[s.length - at] = (s[s.length - at] as number) ^ 0xff;
    const r = await agree(s, 4096, 4096);
    assert.ok(!r.ok && !r.failure.truncated);
  }
});
