import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SECRET_CONFIG } from '../config.js';
import { createRuleSet } from '../rule-set.js';
import { scanText } from '../scan-text.js';
import { BUILTIN_RULES } from './index.js';

const set = createRuleSet(DEFAULT_SECRET_CONFIG);

test('rule ids are unique kebab-case; keywords are lower-case ASCII; regexes are global', () => {
  const ids = new Set<string>();
  for (const r of BUILTIN_RULES) {
    assert.match(r.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, r.id);
    assert.ok(!ids.has(r.id), `duplicate id ${r.id}`);
    ids.add(r.id);
    assert.ok(r.keywords.length > 0, `${r.id} has keywords`);
    for (const k of r.keywords) assert.match(k, /^[\x20-\x7e]+$/, `${r.id} keyword ${k}`);
    for (const k of r.keywords) assert.equal(k, k.toLowerCase(), `${r.id} keyword ${k}`);
    assert.ok(r.regex.global, `${r.id} regex is global`);
    assert.ok(
      r.examples && r.examples.positives.length > 0 && r.examples.negatives.length > 0,
      `${r.id} has test cases`,
    );
  }
});

for (const rule of BUILTIN_RULES) {
  test(`${rule.id}: true positives are found by this rule, redacted`, () => {
    for (const text of rule.examples?.positives ?? []) {
      const found = scanText(text, 'app/config', set);
      const mine = found.filter((f) => f.ruleId === rule.id);
      assert.equal(
        mine.length,
        1,
        `${rule.id} should find one secret in ${JSON.stringify(text)}; got ${JSON.stringify(found)}`,
      );
      const f = mine[0];
      assert.ok(f?.match.includes('*'), `${rule.id} redacts: ${f?.match}`);
      assert.equal(f?.line, 1);
      // No 12-character run of the original line survives redaction except key names and hosts.
      assert.ok(!f?.match.includes(text.trim()), `${rule.id} shows the secret: ${f?.match}`);
    }
  });
  test(`${rule.id}: false positives match no rule`, () => {
    for (const text of rule.examples?.negatives ?? []) {
      const found = scanText(text, 'app/config', set);
      assert.deepEqual(found, [], `${JSON.stringify(text)} should match nothing; got ${JSON.stringify(found)}`);
    }
  });
}
