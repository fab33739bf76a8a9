import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composer, normalizeComposerVersion, phpVersionCompare } from './composer.js';
import { sgn } from './test-support/oracle.js';

// composer/semver tests/VersionParserTest.php, successfulNormalizedVersions().
const NORMALIZED: Array<[string, string]> = [
  ['1.0.0', '1.0.0.0'],
  ['1.2.3.4', '1.2.3.4'],
  ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
  ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0-rc1', '1.0.0.0-RC1'],
  ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
  ['1.0-dev', '1.0.0.0-dev'],
  ['0', '0.0.0.0'],
  ['10.4.13-beta', '10.4.13.0-beta'],
  ['10.4.13beta2', '10.4.13.0-beta2'],
  ['10.4.13beta.2', '10.4.13.0-beta2'],
  ['v1.13.11-beta.0', '1.13.11.0-beta0'],
  ['1.13.11.0-beta0', '1.13.11.0-beta0'],
  ['10.4.13-b', '10.4.13.0-beta'],
  ['10.4.13-b5', '10.4.13.0-beta5'],
  ['v1.0.0', '1.0.0.0'],
  ['2010.01', '2010.01.0.0'],
  ['2010.01.02', '2010.01.02.0'],
  ['2010.1.555', '2010.1.555.0'],
  ['2010.10.200', '2010.10.200.0'],
  ['v20100102', '20100102'],
  ['2010-01-02', '2010.01.02'],
  ['2012.06.07', '2012.06.07.0'],
  ['2010-01-02.5', '2010.01.02.5'],
  ['20100102-203040', '20100102.203040'],
  ['20100102203040-10', '20100102203040.10'],
  ['20100102-203040-p1', '20100102.203040-patch1'],
  ['201903.0', '201903.0'],
  ['201903.0-p2', '201903.0-patch2'],
  ['dev-master', 'dev-master'],
  ['master', 'dev-master'],
  ['dev-trunk', 'dev-trunk'],
  ['1.x-dev', '1.9999999.9999999.9999999-dev'],
  ['dev-feature-foo', 'dev-feature-foo'],
  ['DEV-FOOBAR', 'dev-FOOBAR'],
  ['dev-feature/foo', 'dev-feature/foo'],
  ['dev-feature+issue-1', 'dev-feature+issue-1'],
  ['dev-master as 1.0.0', 'dev-master'],
  ['dev-load-varnish-only-when-used as ^2.0', 'dev-load-varnish-only-when-used'],
  ['dev-load-varnish-only-when-used@dev as ^2.0@dev', 'dev-load-varnish-only-when-used'],
  ['1.0.0+foo@dev', '1.0.0.0'],
  ['dev-load-varnish-only-when-used@stable', 'dev-load-varnish-only-when-used'],
  ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
  ['1.0.0+foo', '1.0.0.0'],
  ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'],
  ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'],
  ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'],
  ['1.0.0+foo as 2.0', '1.0.0.0'],
  ['00.01.03.04', '00.01.03.04'],
  ['000.001.003.004', '000.001.003.004'],
  ['0.000.103.204', '0.000.103.204'],
  ['0700', '0700.0.0.0'],
  ['041.x-dev', '041.9999999.9999999.9999999-dev'],
  ['dev-041.003', 'dev-041.003'],
  ['dev-1.0.0-dev<1.0.5-dev', 'dev-1.0.0-dev<1.0.5-dev'],
  ['dev-foo bar', 'dev-foo bar'],
  [' 1.0.0', '1.0.0.0'],
  ['1.0.0 ', '1.0.0.0'],
];

// failedNormalizedVersions().
const FAILED = [
  '',
  'a',
  '1.0.0-meh',
  '1.0.0.0.0',
  'feature-foo',
  '1.0.0+foo bar',
  '1.0.1-SNAPSHOT',
  '1.0.0<1.0.5-dev',
  '1.0.0-dev<1.0.5-dev',
  'foo bar-dev',
  '1.0 .2',
  ' as ',
  ' as 1.2',
  '^',
  '^8 || ^',
  '~',
  '~1 ~',
  '~1',
  '^1',
  '1.*',
  '20100102.0.3.4',
];

test('composer: VersionParser::normalize vectors', () => {
  for (const [input, want] of NORMALIZED) assert.equal(normalizeComposerVersion(input), want, JSON.stringify(input));
  for (const input of FAILED) {
    assert.equal(normalizeComposerVersion(input), undefined, JSON.stringify(input));
    assert.equal(composer.valid(input), false);
  }
  assert.throws(() => composer.compare('1.0.0-meh', '1.0'), { code: 'VERSION_INVALID' });
});

test('composer: PHP version_compare vectors (php-src ext/standard/tests/versioning)', () => {
  const cases: Array<[string, string, number]> = [
    ['1.0', '1.0.0', -1],
    ['1.0.0', '1.0', 1],
    ['1.0-dev', '1.0-alpha', -1],
    ['1.0alpha', '1.0beta', -1],
    ['1.0b', '1.0RC', -1],
    ['1.0RC', '1.0', -1],
    ['1.0', '1.0pl1', -1],
    ['1.0-p1', '1.0pl1', 0],
    ['1.0-foo', '1.0-dev', -1],
    ['1.0', '1.0.1', -1],
    ['1.0', '1.0#1', -1],
    ['', '1', -1],
    ['1', '', 1],
    ['', '', 0],
    ['1.0.0.0', '1.0.0.0', 0],
    ['1.10', '1.9', 1],
  ];
  for (const [a, b, want] of cases) assert.equal(phpVersionCompare(a, b), want, `version_compare(${a}, ${b})`);
});

test('composer: order on normalised versions (dev < alpha < beta < RC < stable < patch; branches first)', () => {
  const ordered = [
    'dev-master',
    '1.0.0-dev',
    '1.0.0-alpha1',
    '1.0.0-a2',
    '1.0.0-beta',
    '1.0.0-RC1',
    '1.0.0',
    '1.0.0-p1',
    '1.0.1',
    'v1.1',
    '2.0',
    '2.x-dev',
  ];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.equal(
      sgn(composer.compare(ordered[i] ?? '', ordered[i + 1] ?? '')),
      -1,
      `${ordered[i]} < ${ordered[i + 1]}`,
    );
  }
  assert.equal(composer.compare('1.0', 'v1.0.0.0'), 0);
  assert.equal(composer.compare('1.0.0+build', '1.0.0'), 0);
  assert.equal(sgn(composer.compare('dev-a', 'dev-b')), -1);
});
