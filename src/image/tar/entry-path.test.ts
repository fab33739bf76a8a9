import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseEntryName, resolveLinkTarget } from './entry-path.js';

test('normalises entry names', () => {
  assert.deepEqual(normaliseEntryName('./etc//os-release'), { ok: true, path: 'etc/os-release' });
  assert.deepEqual(normaliseEntryName('usr/lib/'), { ok: true, path: 'usr/lib' });
  assert.deepEqual(normaliseEntryName('./'), { ok: true, path: '' });
});

test('refuses absolute names and traversal', () => {
  assert.equal(normaliseEntryName('/etc/passwd').ok, false);
  assert.equal(normaliseEntryName('../../etc/passwd').ok, false);
  assert.equal(normaliseEntryName('a/../../b').ok, false);
  assert.equal(normaliseEntryName('a/b\0c').ok, false);
});

test('resolves symlink targets inside the image root only', () => {
  assert.equal(resolveLinkTarget('etc/os-release', '../usr/lib/os-release'), 'usr/lib/os-release');
  assert.equal(resolveLinkTarget('etc/os-release', '/usr/lib/os-release'), 'usr/lib/os-release');
  assert.equal(resolveLinkTarget('etc/x', '../../../../etc/shadow'), 'etc/shadow');
  assert.equal(resolveLinkTarget('a/b/c', './d'), 'a/b/d');
});
