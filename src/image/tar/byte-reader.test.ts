import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ByteReader } from './byte-reader.js';

const reader = (...chunks: string[]): ByteReader => new ByteReader(Readable.from(chunks.map((c) => Buffer.from(c))));

test('tryRead and trySkip take bytes only when the current chunk holds them all, and consume nothing otherwise', async () => {
  const r = reader('abcdef', 'ghij');
  // No chunk yet: nothing is available without waiting.
  assert.equal(r.tryRead(1), undefined);
  assert.equal(r.trySkip(1), false);
  assert.equal((await r.read(2)).toString(), 'ab');
  assert.equal(r.tryRead(3)?.toString(), 'cde');
  assert.equal(r.position, 5);
  assert.equal(r.tryRead(2), undefined, 'crosses into the next chunk');
  assert.equal(r.trySkip(2), false);
  assert.equal(r.position, 5);
  assert.equal(r.trySkip(1), true);
  assert.equal(r.tryRead(0)?.length, 0);
  assert.equal((await r.read(3)).toString(), 'ghi');
  assert.equal(r.tryRead(1)?.toString(), 'j');
  assert.equal(r.position, 10);
  assert.equal((await r.read(1)).length, 0, 'the end');
});
