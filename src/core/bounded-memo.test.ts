import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedMemo } from './bounded-memo.js';

test('a remembered key is computed once; its value is returned as computed', () => {
  let calls = 0;
  const upper = boundedMemo(
    (s: string) => {
      calls++;
      return s.toUpperCase();
    },
    { maxEntries: 4, maxKeyLength: 16 },
  );
  assert.equal(upper('mit'), 'MIT');
  assert.equal(upper('mit'), 'MIT');
  assert.equal(upper('gpl'), 'GPL');
  assert.equal(calls, 2);
  assert.equal(upper.size, 2);
});

test('never more than maxEntries: the oldest key goes first', () => {
  const seen: string[] = [];
  const id = boundedMemo(
    (s: string) => {
      seen.push(s);
      return s;
    },
    { maxEntries: 3, maxKeyLength: 64 },
  );
  for (let i = 0; i < 1000; i++) id(`key-${i}`);
  assert.equal(id.size, 3);
  seen.length = 0;
  id('key-999');
  id('key-997');
  assert.deepEqual(seen, [], 'the newest keys are still remembered');
  id('key-0');
  assert.deepEqual(seen, ['key-0'], 'the oldest was forgotten');
  assert.equal(id.size, 3);
});

test('a key longer than maxKeyLength is computed every time and never held', () => {
  let calls = 0;
  const len = boundedMemo(
    (s: string) => {
      calls++;
      return s.length;
    },
    { maxEntries: 8, maxKeyLength: 10 },
  );
  const long = 'x'.repeat(11);
  assert.equal(len(long), 11);
  assert.equal(len(long), 11);
  assert.equal(calls, 2);
  assert.equal(len.size, 0);
});

test('undefined is a value like any other', () => {
  let calls = 0;
  const none = boundedMemo(
    (_: string) => {
      calls++;
      return undefined;
    },
    { maxEntries: 2, maxKeyLength: 8 },
  );
  none('a');
  none('a');
  assert.equal(calls, 1);
});

test('seeded values answer without computing; entries lists what is held; computed counts the rest', () => {
  let calls = 0;
  const upper = boundedMemo(
    (s: string) => {
      calls++;
      return s.toUpperCase();
    },
    { maxEntries: 3, maxKeyLength: 4 },
  );
  upper.seed('a', 'from before');
  upper.seed('a', 'ignored: held already');
  upper.seed('toolong', 'ignored: key too long');
  assert.equal(upper('a'), 'from before');
  assert.equal(upper('b'), 'B');
  assert.equal(calls, 1);
  assert.equal(upper.computed, 1);
  assert.deepEqual(upper.entries(), [
    ['a', 'from before'],
    ['b', 'B'],
  ]);
  upper.seed('c', 'C');
  upper.seed('d', 'D');
  assert.equal(upper.size, 3, 'seeding respects the bound');
  assert.equal(upper.computed, 1);
});
