import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SECRET_CONFIG } from './config.js';
import { loadSecretConfig } from './config-file.js';
import { KeywordIndex } from './keyword-index.js';
import { redactSecret, shannonEntropy } from './rule.js';
import { createRuleSet } from './rule-set.js';
import { BUILTIN_RULES } from './rules/index.js';
import { scanBytes, scanText } from './scan-text.js';
import { isSkippedPath } from './skip-paths.js';

const set = createRuleSet(DEFAULT_SECRET_CONFIG);
const GH = 'ghp_ZoqyTCMwBRYejxmavjGxXSIAmSdK1DEzLDiy';

test('keyword index finds keywords case-insensitively, overlapping and as suffixes', () => {
  const idx = new KeywordIndex(['he', 'she', 'his', 'hers', 'akia']);
  assert.deepEqual([...idx.present(Buffer.from('uSHErs'))], [1, 1, 0, 1, 0]);
  assert.deepEqual([...idx.present(Buffer.from('xxAKIAxx'))], [0, 0, 0, 0, 1]);
  assert.deepEqual([...idx.present(Buffer.from(''))], [0, 0, 0, 0, 0]);
});

test('keyword index: the direct search of small inputs and the DFA give the same answers', () => {
  // Keywords and texts over a small alphabet (both cases, a non-ASCII letter) so that they overlap often.
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const word = (max: number): string =>
    Array.from({ length: 1 + rand(max) }, () => 'aAbBc-_éÉ'[rand(9)] as string).join('');
  for (let round = 0; round < 200; round++) {
    const keywords = Array.from({ length: 1 + rand(6) }, () => word(4));
    const withDfa = new KeywordIndex(keywords);
    withDfa.present(new Uint8Array(16 * 1024 + 1)); // past the direct-search budget: the DFA is built
    for (let t = 0; t < 5; t++) {
      const text = Buffer.from(word(40), rand(2) === 0 ? 'utf8' : 'latin1');
      const direct = new KeywordIndex(keywords).present(text);
      assert.deepEqual(
        [...direct],
        [...withDfa.present(text)],
        `${JSON.stringify(keywords)} in ${text.toString('latin1')}`,
      );
    }
  }
  // Case folding is ASCII only, as the DFA's: "É" does not match "é".
  assert.deepEqual([...new KeywordIndex(['é']).present(Buffer.from('É', 'latin1'))], [0]);
});

test('line and column point at the match; findings sorted by position', () => {
  const text = `# config\nname: app\n  token: ${GH}\nkey = AKIA22OZTXHHQPNDVW3L\n`;
  const found = scanText(text, 'etc/app.yaml', set);
  assert.deepEqual(
    found.map((f) => [f.ruleId, f.line, f.column]),
    [
      ['github-token', 3, 10],
      ['aws-access-key-id', 4, 7],
    ],
  );
});

test('values are redacted: prefix kept, the rest masked, never the whole secret', () => {
  assert.equal(redactSecret('AKIA22OZTXHHQPNDVW3L'), 'AKIA****************');
  assert.equal(redactSecret('hunter22'), 'hu******');
  assert.equal(redactSecret('ab'), '**');
  const [f] = scanText(`GITHUB_TOKEN=${GH}`, 'x', set);
  assert.equal(f?.match, 'ghp_************************');
  assert.ok(!f?.match.includes(GH.slice(4, 12)));
  const [pem] = scanText(
    '-----BEGIN RSA PRIVATE KEY-----\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\n',
    'k',
    set,
  );
  assert.equal(pem?.match, '-----BEGIN RSA PRIVATE KEY-----\\nM0xn************************');
});

test('Shannon entropy', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
});

test('binary content (NUL in the first 8 KiB) is skipped; NUL later is not', () => {
  assert.deepEqual(
    scanBytes(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(GH)]), 'bin/x', set),
    [],
  );
  const late = Buffer.concat([Buffer.from(`${GH}\n`), Buffer.alloc(9000, 0x20), Buffer.from([0])]);
  assert.equal(scanBytes(late, 'x', set).length, 1);
});

test('overlapping findings: the earlier (more specific) rule wins', () => {
  const found = scanText(`password = "${GH}"`, 'x', set);
  assert.deepEqual(
    found.map((f) => f.ruleId),
    ['github-token'],
  );
  const db = scanText('DATABASE_URL=postgres://app:Zx81!kqPw2@db:5432/app', 'x', set);
  assert.deepEqual(
    db.map((f) => f.ruleId),
    ['postgres-connection-url'],
  );
});

test('a hostile file cannot flood the report: at most 100 findings per rule', () => {
  const text = Array.from(
    { length: 300 },
    (_, i) => `AKIA22OZTXHHQPND${String(i % 8).replace(/[01]/, '7')}W3${'ABCDEFGH'[i % 8]}`,
  ).join('\n');
  assert.equal(scanText(text, 'x', set).length, 100);
});

/**
 * Wall-clock budget per hostile input. A linear scan of these 200 KB lines takes
 * milliseconds; catastrophic backtracking takes seconds to forever. The bound is
 * generous so a loaded machine does not fail it: it is a correctness budget
 * (no super-linear regex), not a speed target.
 */
const HOSTILE_INPUT_BUDGET_MS = 250;

/**
 * The inputs whose scan took longer than the budget, with their times. An input
 * over budget is timed up to three times and its fastest run counts: a
 * backtracking regex is slow on every run, a scheduler hiccup on a loaded
 * machine is not.
 */
function overBudget(inputs: readonly string[], scan: (text: string) => unknown): string[] {
  const slow: string[] = [];
  inputs.forEach((text, i) => {
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3 && best > HOSTILE_INPUT_BUDGET_MS; run++) {
      const start = performance.now();
      const result = scan(text);
      best = Math.min(best, performance.now() - start);
      assert.ok(Array.isArray(result));
    }
    if (best > HOSTILE_INPUT_BUDGET_MS)
      slow.push(`input ${i} (${JSON.stringify(text.slice(0, 40))}…): ${best.toFixed(0)} ms`);
  });
  return slow;
}

test('adversarial long lines finish within the budget each (bounded regexes: no catastrophic backtracking)', () => {
  const n = 200_000;
  const keywords = [...new Set(BUILTIN_RULES.flatMap((r) => r.keywords))].join(' ');
  const inputs = [
    'a'.repeat(n),
    `${keywords} ${'A'.repeat(n)}`,
    `${keywords} ${'aB3/'.repeat(n / 4)}`,
    `${keywords} ${'0'.repeat(n)}`,
    'password='.repeat(n / 9),
    'password: "'.repeat(n / 11),
    'xoxb-1-'.repeat(n / 7),
    'postgres://a:'.repeat(n / 13),
    'https://u:'.repeat(n / 10),
    'curl -u '.repeat(n / 8),
    `-----BEGIN PRIVATE KEY-----\n${'Proc-Type: x\n'.repeat(n / 13)}`,
    `-----BEGIN PRIVATE KEY-----${'\\n'.repeat(n / 2)}`,
    `eyJ${'A'.repeat(n)}.${'B'.repeat(n)}`,
    `sv=2022-01-01&${'x'.repeat(n)}`,
    `PuTTY-User-Key-File-3: a\n${'x\n'.repeat(n / 2)}`,
    `${keywords} ${'-_.'.repeat(n / 3)}`,
    `"auth": "${'QUFB'.repeat(n / 4)}"`,
  ];
  // A first pass warms the regex engine (JIT) and the keyword index: the budget is for the scan itself.
  scanText(inputs[0] ?? '', 'x', set);
  assert.deepEqual(
    overBudget(inputs, (text) => scanText(text, 'x', set)),
    [],
    `over ${HOSTILE_INPUT_BUDGET_MS} ms`,
  );
});

test('the ReDoS budget catches a backtracking regex (a guard on the guard)', () => {
  // ^(a|a)+$ is exponential on "aaa…b" in a backtracking engine: each added "a"
  // doubles the time. V8 compiles a regex to native code after its first run, so
  // it is warmed first; 26 a's then take about a second on native code here.
  const evil = /^(a|a)+$/;
  evil.test('aab');
  const slow = overBudget([`${'a'.repeat(26)}b`], (text) => [evil.test(text)]);
  assert.equal(slow.length, 1, 'a super-linear regex must exceed the budget');
});

test('allow-rules drop findings by path, value regex and rule id', () => {
  const config = loadSecretConfig(`
allow-rules:
  - id: fixtures
    paths: ['^app/test/']
  - id: known-key
    regexes: ['^AKIA22OZ']
    rules: [aws-access-key-id]
`);
  const s = createRuleSet(config);
  assert.deepEqual(scanText(GH, 'app/test/fixture.txt', s), []);
  assert.equal(scanText(GH, 'app/src/x.txt', s).length, 1);
  assert.deepEqual(scanText('AKIA22OZTXHHQPNDVW3L', 'x', s), []);
  assert.equal(scanText('ASIAC2E42EK6R7MAMIRK', 'x', s).length, 1);
});

test('user rules run first and can be limited to paths; disabled rules and categories do not run', () => {
  const config = loadSecretConfig(`
disable-rules: [jwt]
disable-categories: [generic]
rules:
  - id: acme-token
    title: ACME internal token
    severity: critical
    keywords: [ACME_]
    regex: 'acme_(?<secret>[a-z0-9]{32})'
    entropy: 3
    path: '\\.env$'
`);
  const s = createRuleSet(config);
  const token = 'acme_7n36xdgp0unupgwynyjwwy1iqqmosx2t';
  assert.deepEqual(
    scanText(token, 'app/.env', s).map((f) => [f.ruleId, f.category, f.match]),
    [['acme-token', 'custom', 'acme_7n36************************']],
  );
  assert.deepEqual(scanText(token, 'app/config.txt', s), []);
  assert.deepEqual(scanText('password = "Zx81!kqPw2vL"', 'x', s), []);
  assert.deepEqual(scanText('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlX3NpZ25hdHVyZQ', 'x', s), []);
});

test('skip list: zoneinfo, fonts, images, catalogues; other paths are scanned', () => {
  for (const p of [
    'usr/share/zoneinfo/Europe/Paris',
    'usr/share/fonts/x/DejaVuSans.TTF',
    'app/logo.png',
    'usr/share/locale/de/LC_MESSAGES/apt.mo',
  ]) {
    assert.ok(isSkippedPath(p), p);
  }
  for (const p of ['etc/app.env', '.npmrc', 'root/.ssh/id_rsa', 'usr/share/doc/x/README', 'app/png'])
    assert.ok(!isSkippedPath(p), p);
});
