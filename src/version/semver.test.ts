import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { semver } from './semver.js';
import { sgn } from './test-support/oracle.js';
import { type Rng, seededRng } from './test-support/rng.js';

// SemVer 2.0.0 §11 example: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2
// < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0, and 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1.
const ORDERED = [
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.beta',
  '1.0.0-beta',
  '1.0.0-beta.2',
  '1.0.0-beta.11',
  '1.0.0-rc.1',
  '1.0.0',
  '2.0.0',
  '2.1.0',
  '2.1.1',
];

test('semver: the SemVer 2.0.0 precedence example', () => {
  for (let i = 0; i + 1 < ORDERED.length; i++) {
    assert.equal(sgn(semver.compare(ORDERED[i] ?? '', ORDERED[i + 1] ?? '')), -1, `${ORDERED[i]} < ${ORDERED[i + 1]}`);
  }
  assert.equal(semver.compare('1.0.0+build.1', '1.0.0+build.2'), 0); // §10: build metadata is ignored
  assert.equal(sgn(semver.compare('1.0.0-99999999999999999999', '1.0.0-100000000000000000000')), -1);
  for (const v of ['1.0', 'v1.0.0', '01.0.0', '1.0.0-01', '1.0.0-', '1.0.0+', '1.0.0-a..b', ' 1.0.0', '1.0.0\n']) {
    assert.equal(semver.valid(v), false, JSON.stringify(v));
  }
  assert.throws(() => semver.compare('1.0', '1.0.0'), { code: 'VERSION_INVALID' });
});

interface NpmSemver {
  compare(a: string, b: string): number;
  valid(v: string): string | null;
}
const npmSemver = createRequire(import.meta.url)('semver') as NpmSemver;

export function genSemver(rng: Rng): string {
  const num = (): string => rng.pick(['0', '1', '2', '10', '11', '99', String(rng.int(1_000_000))]);
  let v = `${num()}.${num()}.${num()}`;
  const id = (): string =>
    rng.pick([
      'alpha',
      'beta',
      'rc',
      'a',
      'A',
      'Z',
      '-',
      'x-y',
      '0a',
      '1',
      '0',
      '2',
      '11',
      '123456789',
      'pre',
      String(rng.int(50)),
    ]);
  if (rng.chance(0.6)) {
    const n = 1 + rng.int(4);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(id());
    v += `-${ids.join('.')}`;
  }
  if (rng.chance(0.2)) v += `+${rng.pick(['build', '001', 'sha.abc', 'x-1'])}`;
  return v;
}

test('semver: agrees with the npm semver package on 10,000 generated pairs', () => {
  const rng = seededRng(0x5e3);
  const bad: string[] = [];
  for (let i = 0; i < 10_000 && bad.length < 20; i++) {
    const a = genSemver(rng);
    const b = rng.chance(0.3) ? a.replace(/\d+$/, (d) => String(Number(d) + rng.int(2))) : genSemver(rng);
    assert.equal(semver.valid(a), npmSemver.valid(a) !== null, a);
    if (!semver.valid(b)) continue;
    const ours = sgn(semver.compare(a, b));
    const theirs = npmSemver.compare(a, b);
    if (ours !== theirs) bad.push(`${a} vs ${b}: ours ${ours}, semver ${theirs}`);
  }
  assert.deepEqual(bad, []);
});
