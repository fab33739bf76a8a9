import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nuget } from './nuget.js';
import { sgn } from './test-support/oracle.js';

// NuGet.Client's NuGet.Versioning.Test (VersionComparerTests, NuGetVersionParseTest) and
// https://learn.microsoft.com/nuget/concepts/package-versioning (normalisation rules).
test('nuget: VersionComparer.Default equalities', () => {
  const equal: Array<[string, string]> = [
    ['1.0.0', '1.0.0'],
    ['1.0.0-BETA', '1.0.0-beta'],
    ['1.0.0-BETA+AA', '1.0.0-beta+aa'],
    ['1.0.0-BETA.X.y.5.77.0+AA', '1.0.0-beta.x.y.5.77.0+aa'],
    ['1.0.0', '1.0.0+beta'],
    ['1.0', '1.0.0.0'],
    ['1.0+test', '1.0.0.0'],
    ['1.0.0.1-1.2.A', '1.0.0.1-1.2.a+A'],
    ['1.0.01', '1.0.1.0'],
    ['1', '1.0.0'],
    ['01.0', '1.0.0'],
  ];
  for (const [a, b] of equal) assert.equal(nuget.compare(a, b), 0, `${a} == ${b}`);
});

test('nuget: ordering', () => {
  const ordered = [
    '0.9.9',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-BETA',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.0.1-alpha',
    '1.0.0.1',
    '1.0.1',
    '1.1',
    '2.0.0.0',
  ];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.equal(sgn(nuget.compare(ordered[i] ?? '', ordered[i + 1] ?? '')), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  }
  // Labels that overflow Int32 are not numbers to NuGet: they sort as text, after numeric labels.
  assert.equal(sgn(nuget.compare('1.0.0-9', '1.0.0-99999999999')), -1);
  assert.equal(sgn(nuget.compare('1.0.0-99999999999', '1.0.0-a')), -1);
});

test('nuget: NuGetVersion.TryParse validity', () => {
  for (const v of ['1', '1.0', '1.0.0', '1.0.0.0', ' 1.0.0 ', '1.0.0-beta.0', '1.0.0+001', '1.0.0-a-b.c-d'])
    assert.equal(nuget.valid(v), true, v);
  for (const v of [
    '',
    'a',
    '1.2.3.4.5',
    '1beta',
    '1.2beta',
    '1.0.0-beta.01',
    '1.0.0-',
    '1.0.0+',
    '1.0.0-beta..1',
    '1.0.0-β',
    '2147483648.0',
  ]) {
    assert.equal(nuget.valid(v), false, JSON.stringify(v));
  }
  assert.throws(() => nuget.compare('1beta', '1'), { code: 'VERSION_INVALID' });
});
