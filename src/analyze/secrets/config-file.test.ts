import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { DEFAULT_MAX_SECRET_FILE_SIZE } from './config.js';
import { loadSecretConfig } from './config-file.js';

function problems(text: string): string {
  try {
    loadSecretConfig(text);
  } catch (e) {
    assert.ok(isCustomsError(e) && e.code === 'SECRETS_CONFIG_INVALID', String(e));
    return e.message;
  }
  assert.fail('config should be refused');
}

test('an empty file gives the defaults', () => {
  const c = loadSecretConfig('');
  assert.equal(c.builtinRules, true);
  assert.equal(c.maxFileSize, DEFAULT_MAX_SECRET_FILE_SIZE);
  assert.deepEqual([c.rules, c.allowRules, c.skipPaths, c.disableRules], [[], [], [], []]);
});

test('a full config is read', () => {
  const c = loadSecretConfig(`
builtin-rules: true
max-file-size: 1048576
disable-rules: [generic-token]
disable-categories: [jwt]
skip-paths: ['^opt/vendor/']
rules:
  - id: acme-token
    category: custom
    title: ACME token
    severity: high
    keywords: [acme_]
    regex: 'acme_[a-z0-9]{32}'
allow-rules:
  - id: tests
    description: fixtures of our own test suite
    paths: ['/testdata/']
`);
  assert.equal(c.maxFileSize, 1048576);
  assert.equal(c.rules[0]?.regex.flags, 'g');
  assert.equal(c.skipPaths[0]?.test('opt/vendor/x'), true);
  assert.deepEqual(c.disableCategories, ['jwt']);
  assert.equal(c.allowRules[0]?.description, 'fixtures of our own test suite');
});

test('every bad field is listed by its path', () => {
  const msg = problems(`
max-file-size: -1
colour: red
rules:
  - id: Bad_Id
    title: x
    severity: urgent
    keywords: [x]
    regex: 'x'
`);
  for (const part of ['max-file-size', 'colour: Unexpected property', 'rules.0.id', 'rules.0.severity'])
    assert.ok(msg.includes(part), `${part} in ${msg}`);
});

test('bad regexes, nested quantifiers, duplicate ids and empty allow-rules are refused together', () => {
  const msg = problems(`
rules:
  - {id: a, title: A, severity: low, keywords: [a], regex: '(unclosed'}
  - {id: a, title: A, severity: low, keywords: [a], regex: '(a+)+b'}
allow-rules:
  - {id: nothing}
  - {id: bad, paths: ['[']}
skip-paths: ['(']
`);
  for (const part of [
    'rules.0.regex',
    'rules.1.regex: nested quantifier',
    'rules.1.id: duplicate',
    'allow-rules.0: set at least one',
    'allow-rules.1.paths.0',
    'skip-paths.0',
  ]) {
    assert.ok(msg.includes(part), `${part} in ${msg}`);
  }
});

test('repeated alternation that could backtrack exponentially is refused; bounded or single-use alternation is not', () => {
  const rule = (re: string) => `rules:\n  - {id: r, title: R, severity: low, keywords: [a], regex: '${re}'}\n`;
  for (const re of ['(a|a)+b', '(?:a|ab)*c', '(x|y){2,}z']) {
    assert.match(problems(rule(re)), /rules\.0\.regex: a repeated group of alternatives/, re);
  }
  for (const re of ['(ghp|gho)_[A-Za-z0-9]{36}', '[ab]+c', '(?:a|b){1}c']) {
    assert.doesNotThrow(() => loadSecretConfig(rule(re)), re);
  }
});

test('YAML syntax errors and non-mapping documents are refused with a line', () => {
  assert.match(problems('rules: [\n  - x: {\n'), /line \d+/);
  assert.match(problems('- just\n- a list\n'), /\(top level\)/);
});

test('YAML nested past the bound is refused with its line before the parser recurses into it', () => {
  const n = 200_000;
  assert.match(problems(`rules:\n  ${'- '.repeat(n)}x\n`), /secrets config: line 2: nested more than 256 levels deep/);
  assert.match(problems(`allow-rules: ${'['.repeat(n)}${']'.repeat(n)}\n`), /line 1: nested more than 256/);
});
