import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANG_ANALYZERS } from './index.js';

test('every language analyzer has a unique name and a version', () => {
  const names = LANG_ANALYZERS.map((a) => a.name);
  assert.equal(new Set(names).size, names.length);
  for (const a of LANG_ANALYZERS) assert.ok(Number.isInteger(a.version) && a.version >= 1, a.name);
});

test('a plain text file deep in the tree is wanted by no analyzer', () => {
  const path = `${'a/'.repeat(2000)}README.md`;
  for (const a of LANG_ANALYZERS) assert.equal(a.wants(path, { path, size: 100, mode: 0o644 }), false, a.name);
});
