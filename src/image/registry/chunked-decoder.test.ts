import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ChunkedDecoder, ChunkedError } from './chunked-decoder.js';

/** Decode `wire` fed in pieces cut at `cuts`, each piece read in place after the data so far. */
function decode(wire: Buffer, cuts: number[] = []): { data: Buffer; done: boolean } {
  const buf = Buffer.from(wire);
  const d = new ChunkedDecoder();
  let filled = 0;
  let at = 0;
  for (const end of [...cuts.filter((c) => c > 0 && c < wire.length).sort((a, b) => a - b), wire.length]) {
    // Where the socket would have read this piece: right after the data decoded so far.
    buf.copyWithin(filled, at, end);
    filled = d.decode(buf, filled, filled + (end - at));
    at = end;
  }
  return { data: buf.subarray(0, filled), done: d.done };
}

function chunked(parts: Buffer[], tail = '0\r\n\r\n'): Buffer {
  return Buffer.concat([
    ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]),
    Buffer.from(tail),
  ]);
}

test('chunk data comes out whole, wherever the reads cut the framing', () => {
  const parts = [randomBytes(1), randomBytes(17), randomBytes(300), randomBytes(2)];
  const wire = chunked(parts);
  const want = Buffer.concat(parts);
  for (let cut = 0; cut <= wire.length; cut++) {
    const got = decode(wire, [cut]);
    assert.ok(got.done, `cut at ${cut}`);
    assert.deepEqual(got.data, want, `cut at ${cut}`);
  }
  const bytewise = decode(
    wire,
    Array.from({ length: wire.length }, (_, i) => i),
  );
  assert.deepEqual(bytewise.data, want);
  assert.ok(bytewise.done);
});

test('extensions, upper-case and zero-padded sizes, trailers, and bytes after the end', () => {
  const wire = Buffer.from(
    '00A;name=value;q="x y\\"z"\r\n0123456789\r\n1;ext\r\nZ\r\n0;last\r\nDigest: sha-256=abc\r\nX: y\r\n\r\nleftover',
  );
  const got = decode(wire, [3, 30, 50]);
  assert.equal(got.data.toString(), '0123456789Z');
  assert.ok(got.done);
});

test('an unfinished body is not done', () => {
  const wire = chunked([Buffer.from('abc')], '0\r\nTrailer: x\r\n');
  const got = decode(wire);
  assert.equal(got.data.toString(), 'abc');
  assert.equal(got.done, false);
});

test('malformed framing is an error naming what was wrong', () => {
  const bad: [string, RegExp][] = [
    ['\r\n', /starts with byte 13/],
    ['g\r\n', /not a hex digit/],
    ['3x\r\nabc\r\n0\r\n\r\n', /followed by byte 120/],
    ['3\nabc', /followed by byte 10/],
    ['3\r\rabc', /CR without LF/],
    ['3\r\nabcd\r\n', /longer than its size line/],
    ['3\r\nabc\rX', /CR without LF/],
    ['3;\x01\r\n', /not a chunk extension/],
    ['3;\r\n', /not a chunk extension/],
    ['3 ;x\r\n', /followed by byte 32/],
    ['3;a =b\r\n', /not a chunk extension/],
    ['3;a="b\r\n', /not a chunk extension/],
    ['20000000000000\r\n', /larger than 2\^52/],
    [`1;${'x'.repeat(5000)}\r\n`, /longer than 4096/],
    [`${'0'.repeat(5000)}1\r\n`, /longer than 4096/],
    ['0\r\nA: b\nC: d\r\n', /not a trailer field/],
    ['0\r\nBad Trailer\r\n', /not a trailer field/],
    ['0\r\n\rX', /CR without LF/],
    [`0\r\n${'T: v\r\n'.repeat(20000)}`, /trailer section is longer/],
  ];
  for (const [wire, message] of bad) {
    assert.throws(
      () => decode(Buffer.from(wire, 'latin1')),
      (e: unknown) => e instanceof ChunkedError && e.code === 'CUSTOMS_HTTP_CHUNKED' && message.test(e.message),
      JSON.stringify(wire.slice(0, 40)),
    );
  }
});
