import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseEntryName, resolveLinkTarget } from './entry-path.js';

const clean = (path: string) => ({ ok: true, path, climbed: false });

test('normalises entry names', () => {
  assert.deepEqual(normaliseEntryName('./etc//os-release'), clean('etc/os-release'));
  assert.deepEqual(normaliseEntryName('usr/lib/'), clean('usr/lib'));
  assert.deepEqual(normaliseEntryName('./'), clean(''));
});

test('cleans names lexically as runtimes do: "..", ".", "//" and a leading "/" land inside the image', () => {
  assert.deepEqual(normaliseEntryName('usr/../var/lib/dpkg/status'), clean('var/lib/dpkg/status'));
  assert.deepEqual(normaliseEntryName('/var/lib/dpkg/status'), clean('var/lib/dpkg/status'));
  assert.deepEqual(normaliseEntryName('//var/./lib//dpkg/./status'), clean('var/lib/dpkg/status'));
  assert.deepEqual(normaliseEntryName('a/b/../../c/'), clean('c'));
  assert.deepEqual(normaliseEntryName('/../etc/x'), { ok: true, path: 'etc/x', climbed: true });
});

test('a name that climbs above the root stops there, and says so', () => {
  assert.deepEqual(normaliseEntryName('../../etc/passwd'), { ok: true, path: 'etc/passwd', climbed: true });
  assert.deepEqual(normaliseEntryName('a/../../b'), { ok: true, path: 'b', climbed: true });
  assert.deepEqual(normaliseEntryName('..'), { ok: true, path: '', climbed: true });
  assert.equal(normaliseEntryName('a/b\0c').ok, false);
});

test('resolves symlink targets inside the image root only', () => {
  assert.equal(resolveLinkTarget('etc/os-release', '../usr/lib/os-release'), 'usr/lib/os-release');
  assert.equal(resolveLinkTarget('etc/os-release', '/usr/lib/os-release'), 'usr/lib/os-release');
  assert.equal(resolveLinkTarget('etc/x', '../../../../etc/shadow'), 'etc/shadow');
  assert.equal(resolveLinkTarget('a/b/c', './d'), 'a/b/d');
});
