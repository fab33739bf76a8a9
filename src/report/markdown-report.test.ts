import assert from 'node:assert/strict';
import { test } from 'node:test';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import type { VulnFinding } from '../match/index.js';
import { mdCode, mdText, renderMarkdown } from './markdown-report.js';
import { htmlSample, sampleVerdict } from './test-support/html-sample.js';
import { writerTester } from './test-support/writer-tester.js';

/** GitHub's rendering, by the reference GFM parser; raw HTML kept, so escaping is what keeps markup out. */
const render = (md: string): string =>
  micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
/** Cell counts of every row of every table, per table. */
const tableShapes = (html: string): number[][] =>
  [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) =>
    [...(t[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => (r[1] ?? '').match(/<t[hd][ >]/g)?.length ?? 0),
  );

test('mdText and mdCode: hostile text stays text, pipes do not split cells', () => {
  const evil = '<img src=x onerror=alert(1)> [link](javascript:x) **b** `c` | d $x$';
  const html = render(`| a | b |\n|---|---|\n| ${mdText(evil)} | ${mdCode(evil)} |\n`);
  assert.ok(!html.includes('<img'), html);
  assert.ok(!html.includes('<a '), html);
  assert.ok(!html.includes('<strong>'), html);
  assert.deepEqual(tableShapes(html), [[2, 2]]);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.equal(mdCode('a`b'), '``a`b``');
  assert.equal(mdCode('`x'), '`` `x ``');
  assert.match(render(mdCode('a``b')), /<code>a``b<\/code>/);
  assert.equal(mdText('a\nb\r\nc'), 'a b c');
});

test('renderMarkdown: verdict, counts, failing rules, remediation, top findings, valid GFM', () => {
  const md = renderMarkdown(htmlSample(), { verdict: sampleVerdict() });
  assert.match(md, /^## customs scan: ❌ FAIL\n/);
  assert.match(md, /\*\*Verdict: fail\*\* — 1 rule failed, 1 warned, 1 finding suppressed/);
  assert.match(md, /\| Vulnerabilities \| 1 \| 1 \| 1 \| 1 \| 0 \| 4 \|/);
  assert.match(md, /\| `no-critical` \| ❌ fail \| No critical \\\| fixable vulnerabilities \| 1 \|/);
  assert.match(md, /- Upgrade `curl` `7.88.1-10\+deb12u1` → `7.88.1-10\+deb12u4` \(clears `no-critical`\)/);
  assert.match(md, /- `CVE-2022-0001` expired 2026-01-01/);
  const html = render(md);
  assert.ok(!html.includes('<img'), 'the hostile package name is not markup');
  for (const shape of tableShapes(html))
    assert.equal(new Set(shape).size, 1, `a table row has the wrong number of cells: ${shape}`);
  // Top findings: worst first, the suppressed one last and marked.
  const top = md.slice(md.indexOf('### Top findings'));
  const ids = [...top.matchAll(/^\| (?:~~)?(\w+)(?:~~)? \| (\w+) \| `([^`]+)`/gm)].map((m) => `${m[1]} ${m[3]}`);
  assert.deepEqual(ids, [
    'critical CVE-2023-38545',
    'critical aws-access-key-id',
    'critical xmrig',
    'high github-pat',
    'high CUS-IMG-001',
    'medium CVE-2023-32681',
    'low CVE-2024-0727',
    'high CVE-2023-44487',
  ]);
  assert.match(
    top,
    /\| ~~high~~ \| vulnerability \| `CVE-2023-44487` \| `libnghttp2-14 1.52.0-1` \(L1\) \| `1.52.0-1\+deb12u1` \| suppressed: vex\\:/,
  );
});

test('renderMarkdown: the top findings table stops at 50 rows and says how many more', () => {
  const s = htmlSample();
  const base = s.vulnerabilities[0] as VulnFinding;
  const many = Array.from({ length: 73 }, (_, i) => ({
    ...base,
    id: `CVE-2024-${String(10000 + i)}`,
    packageId: `p${i}`,
  }));
  const md = renderMarkdown({ ...s, scanners: ['vuln'], vulnerabilities: many });
  const rows = md.split('\n').filter((l) => l.startsWith('| critical |'));
  assert.equal(rows.length, 50);
  assert.match(md, /\n… and 23 more\n/);
  assert.ok(!md.includes('Failing rules'));
  assert.match(md, /^## customs scan\n/);
  assert.equal(
    renderMarkdown({ ...s, scanners: ['vuln'], vulnerabilities: many }, { maxFindings: 5 })
      .split('\n')
      .filter((l) => l.startsWith('| critical |')).length,
    5,
  );
});

test('renderMarkdown: same input, same bytes', () => {
  writerTester('markdown').renders(htmlSample(), { verdict: sampleVerdict() }).deterministic();
});

/** The text of the rendered HTML with every <code> element removed. */
const outsideCode = (html: string): string => html.replace(/<code>[\s\S]*?<\/code>/g, '');
const codeTexts = (html: string): string[] =>
  [...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) =>
    (m[1] ?? '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&'),
  );

test('renderMarkdown: image text (os-release, package names, summaries, notes) makes no link, mention or reference', () => {
  // What GitHub turns into links: www. and protocol autolinks, e-mail autolinks (GFM §6.9),
  // @user and @org/team mentions and #123 references (outside code only).
  const hostile = (what: string): string =>
    `${what} www.evil.example https://evil.example/x ops@evil.example @acme/security #4242`;
  const s = htmlSample();
  const [first, ...rest] = s.vulnerabilities;
  const name = hostile('curl``x`');
  const input = {
    ...s,
    inventory: {
      ...s.inventory,
      os: { family: 'debian', version: '12', name: hostile('Debian') },
    },
    vulnerabilities: first ? [{ ...first, package: { ...first.package, name } }, ...rest] : rest,
    notes: [{ message: hostile('no advisories for') }],
  };
  const v = sampleVerdict();
  const verdict = {
    ...v,
    rules: v.rules.map((r, i) =>
      i === 0 ? { ...r, findings: [{ kind: 'vuln', id: 'x', summary: hostile('` CVE in') }] } : r,
    ),
  };
  const md = renderMarkdown(input, { verdict });
  const html = render(md);
  assert.ok(!html.includes('<a '), html);
  const outside = outsideCode(html);
  for (const marker of ['evil.example', '@acme', '#4242', 'www.'])
    assert.ok(!outside.includes(marker), `${marker} outside a code span:\n${outside}`);
  // Each text came through whole and unchanged inside its code span (backticks and all).
  const codes = codeTexts(html);
  for (const expected of [
    `${hostile('Debian')} (debian 12)`,
    `${name} 7.88.1-10+deb12u1`,
    hostile('no advisories for'),
    hostile('` CVE in'),
  ])
    assert.ok(codes.includes(expected), `${expected} in ${JSON.stringify(codes)}`);
});

test('mdCode follows CommonMark code spans: any backtick run, edge backticks and spaces, all-space text', () => {
  for (const text of [
    'a',
    '`',
    '``',
    'a`b',
    '`a',
    'a`',
    '``a``',
    ' a ',
    ' ` ',
    '  ',
    'a | b',
    'x\\|y',
    'x\\\\|y',
    'a\\|www.evil.example',
    ' lead',
    'trail ',
  ]) {
    for (const where of ['cell', 'inline'] as const) {
      const md = where === 'cell' ? `| h |\n|---|\n| ${mdCode(text)} |\n` : `p ${mdCode(text, 'inline')}\n`;
      // In a cell, backslashes right before a pipe show doubled (GFM has no other way to keep them there).
      const shown = where === 'cell' ? text.replace(/(\\+)\|/g, '$1$1|') : text;
      const html = render(md);
      assert.deepEqual(codeTexts(html), [shown], `${where} ${JSON.stringify(text)} → ${md}`);
      if (where === 'cell') assert.deepEqual(tableShapes(html), [[1, 1]]);
      assert.ok(!html.includes('<a '), html);
    }
  }
});
