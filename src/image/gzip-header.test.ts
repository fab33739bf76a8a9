import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { GzipHeaderReader } from './gzip-header.js';

/** Reads `bytes` in pieces of `size`: where the header ends, or what is wrong. */
function readIn(bytes: Buffer, size: number): number | string {
  const r = new GzipHeaderReader();
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    const got = r.read(piece, 0);
    if (typeof got === 'string') return got;
    if (r.complete) return at + got;
  }
  return 'incomplete';
}

/** RFC 1952 §8 CRC-32, bit by bit (the reader under test uses a table). */
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A header with every optional field (FEXTRA, FNAME, FCOMMENT, FHCRC: the low 16 bits of its CRC-32). */
function fullHeader(): Buffer {
  const fixed = Buffer.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3]);
  const extra = Buffer.from([5, 0, 1, 2, 3, 4, 5]);
  const body = Buffer.concat([fixed, extra, Buffer.from('name\0comment\0')]);
  const crc = crc32(body) & 0xffff;
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

test('gzip header: the full header is one zlib accepts (the test builds it right)', () => {
  const data = Buffer.from('payload');
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  assert.deepEqual(gunzipSync(Buffer.concat([fullHeader(), deflateRawSync(data), trailer])), data);
});

test('gzip header: the plain 10-byte header and one with every optional field, in any pieces', () => {
  const plain = gzipSync(Buffer.from('x'));
  const full = fullHeader();
  for (const size of [1, 2, 3, 7, 10, 64]) {
    assert.equal(readIn(plain, size), 10);
    assert.equal(readIn(Buffer.concat([full, Buffer.from('deflate data')]), size), full.length);
  }
});

test('gzip header: a wrong ID, method, reserved flag or header CRC is refused as zlib refuses it', () => {
  const full = fullHeader();
  const changed = (at: number, value: number): Buffer => {
    const b = Buffer.from(full);
    b[at] = value;
    return b;
  };
  assert.equal(readIn(changed(0, 0x1e), 1), 'incorrect header check');
  assert.equal(readIn(changed(1, 0x8c), 4), 'incorrect header check');
  assert.equal(readIn(changed(2, 7), 4), 'unknown compression method');
  assert.equal(readIn(changed(3, (full[3] as number) | 0x20), 4), 'unknown header flags set');
  assert.equal(readIn(changed(full.length - 1, (full.at(-1) as number) ^ 1), 5), 'header crc mismatch');
});

test('gzip header: a header cut short is incomplete, not accepted', () => {
  const full = fullHeader();
  for (let cut = 0; cut < full.length; cut++) assert.equal(readIn(full.subarray(0, cut), 3), 'incomplete');
});

test('gzip header: reset reads the next member', () => {
  const r = new GzipHeaderReader();
  const plain = gzipSync(Buffer.from('x'));
  assert.equal(r.read(plain, 0), 10);
  assert.ok(r.complete);
  r.reset();
  assert.ok(!r.complete);
  assert.equal(r.read(Buffer.concat([Buffer.from('ab'), plain]), 2), 12);
});
