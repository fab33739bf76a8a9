import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemeFor } from '../version/index.js';
import type { AffectedPackage, RangeEvent } from '../vulndb/index.js';
import { evaluateAffected } from './osv-range.js';

const semver = schemeFor('semver');
const deb = schemeFor('deb');
const pkg = (
  events: RangeEvent[],
  versions: string[] = [],
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT' = 'SEMVER',
): AffectedPackage => ({
  ecosystem: 'npm',
  name: 'x',
  ranges: [{ type, events }],
  versions,
});
const hit = (v: string, a: AffectedPackage, scheme = semver): boolean => evaluateAffected(v, a, () => scheme).affected;

test('introduced/fixed: below, at and above the fix (OSV "Fixed vulnerability example")', () => {
  const a = pkg([{ introduced: '0' }, { fixed: '1.0.2' }]);
  assert.equal(hit('1.0.1', a), true);
  assert.equal(hit('1.0.2', a), false);
  assert.equal(hit('1.0.3', a), false);
  assert.equal(hit('1.0.2-rc.1', a), true);
  const v = evaluateAffected('1.0.1', a, () => semver);
  assert.deepEqual(v.fixedVersions, ['1.0.2']);
  assert.equal(v.constraint, '>= 0, < 1.0.2 (SEMVER)');
});

test('multiple intervals in one range, events given out of order (OSV sorts them)', () => {
  const a = pkg([{ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }]);
  assert.equal(hit('0.9.0', a), false);
  assert.equal(hit('1.0.0', a), true);
  assert.equal(hit('2.0.0', a), false);
  assert.equal(hit('3.1.0', a), true);
  assert.deepEqual(evaluateAffected('3.1.0', a, () => semver).fixedVersions, ['3.2.5']);
  assert.equal(hit('3.2.5', a), false);
});

test('last_affected includes the version itself and nothing above', () => {
  const a = pkg([{ introduced: '0' }, { last_affected: '2.1.214' }], [], 'ECOSYSTEM');
  assert.equal(hit('2.1.214', a), true);
  assert.equal(hit('2.1.215', a), false);
  const v = evaluateAffected('2.1.0', a, () => semver);
  assert.deepEqual(v.fixedVersions, []);
  assert.equal(v.constraint, '>= 0, <= 2.1.214 (ECOSYSTEM)');
});

test('limit bounds the range; "*" is infinity', () => {
  const a = pkg([{ introduced: '1.0.0' }, { limit: '1.5.0' }]);
  assert.equal(hit('1.4.9', a), true);
  assert.equal(hit('1.5.0', a), false);
  const star = pkg([{ introduced: '1.0.0' }, { limit: '*' }]);
  assert.equal(hit('99.0.0', star), true);
});

test('versions list matches exactly; GIT ranges are skipped', () => {
  const a = pkg([{ introduced: 'abc123' }], ['1.2.3'], 'GIT');
  assert.equal(hit('1.2.3', a), true);
  assert.equal(hit('1.2.4', a), false);
  assert.equal(evaluateAffected('1.2.3', a, () => semver).constraint, 'version 1.2.3 listed');
});

test('Debian ordering: ~ backports, +debNuM security updates, epochs', () => {
  const a: AffectedPackage = {
    ecosystem: 'Debian:12',
    name: 'openssl',
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }] }],
    versions: [],
  };
  assert.equal(hit('3.0.9-1', a, deb), true);
  assert.equal(hit('3.0.11-1~deb12u1', a, deb), false);
  assert.equal(hit('3.0.11-1', a, deb), false);
  assert.equal(hit('3.0.11-1~deb11u0', a, deb), true);
  const epoch: AffectedPackage = {
    ...a,
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2-1' }] }],
  };
  assert.equal(hit('9.9-1', epoch, deb), true);
  assert.equal(hit('1:1.2-1+deb12u1', epoch, deb), false);
});

test('event versions the scheme cannot order are reported, not compared', () => {
  const a = pkg([{ introduced: '0' }, { fixed: 'not a version' }]);
  const v = evaluateAffected('1.0.0', a, () => semver);
  assert.equal(v.affected, false);
  assert.deepEqual(v.invalid, ['not a version']);
});
