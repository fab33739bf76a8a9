import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { escapeHtml, safeHref } from './html-escape.js';
import { HTML_CSP, renderHtml } from './html-report.js';
import { EVIL_HISTORY, EVIL_NAME, htmlSample, sampleVerdict } from './test-support/html-sample.js';
import { writerTester } from './test-support/writer-tester.js';

test('escapeHtml: markup, quotes and control characters cannot leave text or an attribute', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
  );
  assert.equal(escapeHtml('a\u0000b\u001bc\td\ne'), 'a\ufffdb\ufffdc\td\ne');
  assert.equal(safeHref('javascript:alert(1)'), undefined);
  assert.equal(safeHref('data:text/html,x'), undefined);
  assert.equal(
    safeHref('https://nvd.nist.gov/vuln/detail/CVE-2023-38545'),
    'https://nvd.nist.gov/vuln/detail/CVE-2023-38545',
  );
  assert.equal(safeHref('https://x/"onmouseover="a'), 'https://x/&quot;onmouseover=&quot;a');
});

test('renderHtml: hostile strings from the image and feeds are escaped, never markup', () => {
  const { text: html } = writerTester('html')
    .renders(htmlSample(), { verdict: sampleVerdict() })
    // The raw package name and history must not appear; a javascript: advisory URL is not a link.
    .lacks(EVIL_NAME, EVIL_HISTORY, 'href="javascript:')
    .contains(
      escapeHtml(EVIL_NAME),
      escapeHtml(EVIL_HISTORY),
      'usr/local/bin/&lt;x&gt;',
      'no advisories for &lt;b&gt;pypi&lt;/b&gt;',
    )
    .doesNotMatch(/<img/i);
  // Exactly one <script> element: ours.
  assert.equal(html.match(/<script/g)?.length, 1);
});

test('renderHtml: self-contained with a CSP that allows only its own style and script by hash', () => {
  const html = renderHtml(htmlSample());
  assert.ok(html.startsWith('<!DOCTYPE html>\n'));
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`));
  assert.match(HTML_CSP, /default-src 'none'/);
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const hash = (s: string): string => createHash('sha256').update(s).digest('base64');
  assert.ok(HTML_CSP.includes(`script-src 'sha256-${hash(script)}'`));
  assert.ok(HTML_CSP.includes(`style-src 'sha256-${hash(style)}'`));
  // Nothing is loaded from elsewhere: no src= attributes, no stylesheet links, no @import or url().
  // (The escaped hostile name is text that reads "src=" and "onerror=": take it out first.)
  const markup = html.replaceAll(escapeHtml(EVIL_NAME), '');
  assert.ok(!/\ssrc=/i.test(markup));
  assert.ok(!/<link/i.test(html));
  assert.ok(!/@import|url\(/i.test(style));
  // No inline event handlers (the CSP would block them anyway).
  assert.ok(!/\son[a-z]+=/i.test(markup));
});

test('renderHtml: same input, same bytes', () => {
  writerTester('html').renders(htmlSample(), { verdict: sampleVerdict() }).deterministic();
});

test('renderHtml: summary, chart, layers with their finding counts, verdict and suppression', () => {
  const html = renderHtml(htmlSample(), { verdict: sampleVerdict() });
  assert.match(html, /<title>customs report: docker-archive:app.tar<\/title>/);
  assert.match(html, /id="verdict">fail</);
  assert.match(html, /2026-01-07T12:00:00.000Z <span class="muted">\(3 days old at scan time\)/);
  assert.match(html, /aria-label="Vulnerabilities by severity: critical 1, high 1, medium 1, low 1, unknown 0"/);
  // L1: nghttp2 + openssl; L2: curl + the deleted token; L3: requests, .env secret, miner.
  const counts = [...html.matchAll(/data-layer="(\d)"[\s\S]*?data-count="(\d+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(counts, [
    ['1', '2'],
    ['2', '2'],
    ['3', '3'],
  ]);
  assert.match(html, /<tr data-sev="high" data-layer="1" class="suppressed">/);
  assert.match(html, /vex: HTTP\/2 is not used \[VEX not_affected: vulnerable_code_not_in_execute_path\]/);
  assert.match(html, /<code>no-critical<\/code>/);
  assert.match(html, /upgrade: <code>curl<\/code> 7.88.1-10\+deb12u1 → 7.88.1-10\+deb12u4/);
  assert.match(html, /L2 <span class="tag">deleted in L3<\/span>/);
  // Tables only for scanners that ran.
  writerTester('html')
    .renders({ ...htmlSample(), scanners: ['vuln'] })
    .contains('id="t-vulns"')
    .lacks('id="t-secrets"', 'id="verdict"');
});

test('renderHtml: an empty scan still renders', () => {
  const s = htmlSample();
  const html = renderHtml({
    ...s,
    vulnerabilities: [],
    secrets: [],
    malware: [],
    misconfigurations: [],
    notes: [],
    inventory: { ...s.inventory, packages: [], target: { ...s.inventory.target, layers: [] } },
  });
  assert.match(html, /No vulnerabilities found\./);
  assert.match(html, /<\/html>\n$/);
});
