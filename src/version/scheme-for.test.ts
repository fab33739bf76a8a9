import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { schemeFor, VERSION_SCHEMES } from './index.js';
import { seededRng } from './test-support/rng.js';

test('schemeFor returns the scheme of every name', () => {
  for (const name of VERSION_SCHEMES) assert.equal(schemeFor(name).name, name);
});

test('hostile input: every scheme answers valid() and compare() with a value or VERSION_INVALID, never a crash', () => {
  const rng = seededRng(0xbad);
  const alphabet = [
    '0',
    '1',
    '9',
    '.',
    '-',
    '_',
    '+',
    '~',
    '^',
    ':',
    '!',
    'a',
    'Z',
    'v',
    ' ',
    '\n',
    '\0',
    'é',
    '\u{1F600}',
    '\ud800',
    '٣',
    '*',
    'x',
    'dev',
    'rc',
  ];
  const samples = [
    '',
    ' ',
    '0'.repeat(5000),
    `1.${'9'.repeat(400)}`,
    '1'.repeat(100_000),
    `${'1.'.repeat(20_000)}1`,
    '-'.repeat(10_000),
  ];
  while (samples.length < 3000) {
    let s = '';
    const n = rng.int(24);
    for (let i = 0; i < n; i++) s += rng.pick(alphabet);
    samples.push(s);
  }
  for (const name of VERSION_SCHEMES) {
    const scheme = schemeFor(name);
    for (let i = 0; i < samples.length; i++) {
      const a = samples[i] ?? '';
      const b = samples[(i * 7 + 3) % samples.length] ?? '';
      const valid = scheme.valid(a);
      assert.equal(typeof valid, 'boolean');
      try {
        const c = scheme.compare(a, b);
        assert.ok(Number.isFinite(c), `${name}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        assert.ok(
          valid && scheme.valid(b),
          `${name} compared an invalid version: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
        );
        assert.equal(Math.sign(scheme.compare(a, a)), 0, `${name}: ${JSON.stringify(a)} is not equal to itself`);
      } catch (err) {
        assert.ok(
          err instanceof CustomsError && err.code === 'VERSION_INVALID',
          `${name}: ${JSON.stringify(a)}: ${String(err)}`,
        );
        assert.ok(
          !valid || !scheme.valid(b),
          `${name} refused valid versions ${JSON.stringify(a)} / ${JSON.stringify(b)}`,
        );
      }
    }
  }
});
