import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  adoptChunk,
  claimChunk,
  freeChunks,
  keepChunk,
  newChunk,
  ownChunk,
  releaseChunk,
  takeChunk,
} from './chunk-pool.js';
import { READ_CHUNK } from './read-chunk.js';

test('a released chunk, or any view of it, is lent again; twice released counts once', () => {
  const before = freeChunks();
  const a = takeChunk();
  assert.equal(a.length, READ_CHUNK);
  releaseChunk(a.subarray(10, 20));
  assert.equal(freeChunks(), before + 1);
  releaseChunk(a);
  assert.equal(freeChunks(), before + 1, 'a second release of the same chunk is ignored');
  const b = takeChunk();
  assert.equal(b.buffer, a.buffer, 'the free chunk is reused');
  assert.equal(freeChunks(), before);
  releaseChunk(b);
});

test('buffers the pool did not lend are ignored', () => {
  const before = freeChunks();
  releaseChunk(Buffer.alloc(READ_CHUNK));
  releaseChunk(Buffer.from('small'));
  releaseChunk(new Uint8Array(new SharedArrayBuffer(16)));
  assert.equal(freeChunks(), before);
});

test("a claimed chunk leaves the pool for good; one kept comes back; only this pool's loans can be claimed", () => {
  const lent = takeChunk();
  const before = freeChunks();
  const ab = claimChunk(lent.subarray(0, 10));
  assert.equal(ab, lent.buffer, "the whole chunk is the claimer's");
  releaseChunk(lent);
  assert.equal(freeChunks(), before, 'a claimed chunk is no longer on loan: releasing it does nothing');
  assert.equal(claimChunk(lent), undefined, 'claimed once');
  assert.equal(claimChunk(Buffer.alloc(READ_CHUNK)), undefined);
  const foreign = newChunk();
  adoptChunk(foreign, () => {});
  assert.equal(claimChunk(new Uint8Array(foreign)), undefined, "another thread's chunk goes back there");
  keepChunk(ab as ArrayBuffer);
  assert.equal(freeChunks(), before + 1);
  keepChunk(new ArrayBuffer(16));
  assert.equal(freeChunks(), before + 1, 'a buffer of another size is not kept');
  assert.equal(ownChunk(), ab, 'an owned chunk comes from the free list first');
  assert.equal(freeChunks(), before);
});

test('the free list is bounded', () => {
  const many = Array.from({ length: 40 }, () => takeChunk());
  for (const c of many) releaseChunk(c);
  assert.ok(freeChunks() <= 6, `${freeChunks()} free chunks kept`);
});

test('CUSTOMS_POISON_RELEASED_CHUNKS=1 fills a released chunk with 0xDB; unset, bytes are left alone', () => {
  const script = `
    const { takeChunk, releaseChunk } = await import(${JSON.stringify(fileURLToPath(new URL('./chunk-pool.js', import.meta.url)))});
    const c = takeChunk(); c.fill(7); const view = c.subarray(0, 4); releaseChunk(c);
    process.stdout.write(view.toString('hex'));`;
  const run = (poison: string): string =>
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, CUSTOMS_POISON_RELEASED_CHUNKS: poison },
      encoding: 'utf8',
    });
  assert.equal(run('1'), 'dbdbdbdb');
  assert.equal(run('0'), '07070707');
});
