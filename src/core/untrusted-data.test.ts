import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasFields, MAX_NESTING, nestingProblem, ownValue } from './untrusted-data.js';

/** [[…[1]…]] with `depth` arrays, built without recursion. */
const arrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

test('nestingProblem: exactly MAX_NESTING containers pass, one more does not; scalars always pass', () => {
  assert.equal(nestingProblem(arrays(MAX_NESTING)), undefined);
  assert.match(
    nestingProblem(arrays(MAX_NESTING + 1)) ?? '',
    /^nested more than 256 levels deep at \/0\/0\/0\/0\/0\/0\/0\/0\/…$/,
  );
  for (const v of [null, 1, 'x', true]) assert.equal(nestingProblem(v), undefined);
  // Wide is fine: breadth is not depth.
  assert.equal(nestingProblem(Array.from({ length: 100_000 }, () => [[1]])), undefined);
});

test('nestingProblem: 2,000,000 levels are measured without a stack overflow; the pointer escapes / and ~', () => {
  assert.match(nestingProblem(arrays(2_000_000)) ?? '', /nested more than 256/);
  const v = JSON.parse('{"a/b": {"c~d": [[[1]]]}}') as unknown;
  assert.equal(nestingProblem(v, 3), 'nested more than 3 levels deep at /a~1b/c~0d/0');
});

test('ownValue: own properties only, never Object.prototype members', () => {
  const table: Readonly<Record<string, number>> = { a: 1 };
  assert.equal(ownValue(table, 'a'), 1);
  for (const k of Object.getOwnPropertyNames(Object.prototype)) assert.equal(ownValue(table, k), undefined, k);
  const parsed = JSON.parse('{"__proto__": 7}') as Record<string, number>;
  assert.equal(ownValue(parsed, '__proto__'), 7);
});

test('hasFields: a non-null object whose named fields have the types asked; null is no object', () => {
  const shape = { path: 'string', layerIndex: 'number', fact: 'object' } as const;
  assert.equal(hasFields({ path: 'a', layerIndex: 0, fact: {}, extra: 1 }, shape), true);
  assert.equal(hasFields({ path: 'a', layerIndex: 0, fact: [] }, shape), true);
  assert.equal(hasFields({ path: 'a', layerIndex: 0, fact: null }, shape), false);
  assert.equal(hasFields({ path: 'a', layerIndex: '0', fact: {} }, shape), false);
  assert.equal(hasFields({ layerIndex: 0, fact: {} }, shape), false);
  for (const v of [null, undefined, 'x', 3, true]) assert.equal(hasFields(v, shape), false);
  assert.equal(hasFields({}, {}), true);
});
