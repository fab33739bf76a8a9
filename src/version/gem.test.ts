import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gem } from './gem.js';
import { sgn } from './test-support/oracle.js';

// RubyGems' test/rubygems/test_gem_version.rb (test_spaceship, test_initialize, test_prerelease).
test('gem: Gem::Version#<=> vectors', () => {
  const cases: Array<[string, string, number]> = [
    ['1.0', '1.0.0', 0],
    ['1.0', '1.0.a', 1],
    ['1.8.2', '0.0.0', 1],
    ['1.8.2', '1.8.2.a', 1],
    ['1.8.2.b', '1.8.2.a', 1],
    ['1.8.2.a', '1.8.2', -1],
    ['1.8.2.a10', '1.8.2.a9', 1],
    ['', '0', 0],
    ['0.beta.1', '0.0.beta.1', 0],
    ['0.0.beta', '0.0.beta.1', -1],
    ['0.0.beta', '0.beta.1', -1],
    ['5.a', '5.0.0.rc2', -1],
    ['5.x', '5.0.0.rc2', 1],
    ['1.0.0-rc1', '1.0.0.pre.rc1', 0],
    ['1.0.0-rc1', '1.0.0', -1],
    ['1.9.3', '1.10.0', -1],
    ['2.0.0.pre', '2.0.0.rc1', -1],
    ['1.0.a.0', '1.0.a', 0],
    ['1.2.3.4.5.6.7.8.9.10', '1.2.3.4.5.6.7.8.9.9', 1],
    ['1.99999999999999999999', '1.100000000000000000000', -1],
  ];
  for (const [a, b, want] of cases) {
    assert.equal(sgn(gem.compare(a, b)), want, `${a} <=> ${b}`);
    assert.equal(sgn(gem.compare(b, a)), want === 0 ? 0 : -want, `${b} <=> ${a}`);
  }
});

test('gem: Gem::Version.correct? vectors', () => {
  for (const v of ['1.0', '1.0 ', ' 1.0 ', '1.0\n', '\n1.0\n', '', '1.0.0-rc1', '1.a.b-x-y.z', '0'])
    assert.equal(gem.valid(v), true, JSON.stringify(v));
  for (const v of [
    'junk',
    '1.0\n2.0',
    '1..2',
    '1.2 3.4',
    '1.0-',
    '-1',
    'a.1',
    '1.0_1',
    '2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.',
  ]) {
    assert.equal(gem.valid(v), false, JSON.stringify(v));
  }
  assert.throws(() => gem.compare('junk', '1'), { code: 'VERSION_INVALID' });
});
