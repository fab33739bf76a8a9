/**
 * The HTML report in a real browser: Debian's headless Chromium driven by
 * playwright-core (never a downloaded browser). The page is loaded from a
 * file:// URL with a fresh profile; the test records every request and every
 * console message, so a blocked script (a CSP hash that does not match), a
 * fetch, a font or an image from elsewhere fails it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/index.js';
import { htmlSample, sampleVerdict } from '../../src/report/test-support/html-sample.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.js';

const visibleIds = (page: Page, table: string): Promise<string[]> =>
  page.$$eval(`#${table} tbody tr:not([hidden])`, (rows) =>
    rows.map((r) => {
      // The second cell names the finding; its data-k holds the ID alone (the cell also lists aliases).
      const cell = r.children[1];
      return cell?.getAttribute('data-k') ?? cell?.textContent?.trim() ?? '';
    }),
  );
const shown = (page: Page, table: string): Promise<string> => page.$eval(`#${table}-shown`, (e) => e.textContent ?? '');

test('HTML report in headless Chromium: renders, no network, filters, sorts, layer view', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'customs-html-'));
  let context: BrowserContext | undefined;
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(htmlSample(), { verdict: sampleVerdict() }));
    const url = pathToFileURL(file).href;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });

    // Renders: title, counts; the hostile package name and history stayed text.
    assert.equal(await page.title(), 'customs report: docker-archive:app.tar');
    assert.equal(await page.$eval('#verdict', (e) => e.textContent), 'fail');
    assert.equal(await shown(page, 't-vulns'), '4');
    assert.equal(
      await page.$$eval('#counts tr[data-kind="vuln"] td', (tds) => tds.map((t) => t.textContent).join(',')),
      '1,1,1,1,0,4',
    );
    assert.equal(await page.$$eval('svg.chart g.bar', (g) => g.length), 5);
    assert.equal(await page.$$eval('img', (i) => i.length), 0, 'the hostile package name became no <img>');
    assert.ok(((await page.textContent('#t-vulns')) ?? '').includes('<img src=x'), 'the hostile name is shown as text');

    // Typing in the filter hides rows that do not match (in every table).
    await page.fill('#filter-text', 'nghttp2');
    assert.deepEqual(await visibleIds(page, 't-vulns'), ['CVE-2023-44487']);
    assert.equal(await shown(page, 't-vulns'), '1');
    assert.equal(await shown(page, 't-secrets'), '0');
    assert.equal(await shown(page, 't-licenses'), '1');
    await page.fill('#filter-text', '');
    assert.equal(await shown(page, 't-vulns'), '4');

    // Severity filter.
    await page.selectOption('#filter-sev', 'high');
    assert.deepEqual(await visibleIds(page, 't-vulns'), ['CVE-2023-44487']);
    assert.deepEqual(await visibleIds(page, 't-secrets'), ['github-pat']);
    await page.selectOption('#filter-sev', '');

    // Clicking a header sorts (CVSS is numeric), a second click reverses.
    const cvss = page.locator('#t-vulns thead th', { hasText: 'CVSS' }).locator('button');
    await cvss.click();
    assert.deepEqual(await visibleIds(page, 't-vulns'), [
      'CVE-2024-0727',
      'CVE-2023-32681',
      'CVE-2023-44487',
      'CVE-2023-38545',
    ]);
    await cvss.click();
    assert.deepEqual(await visibleIds(page, 't-vulns'), [
      'CVE-2023-38545',
      'CVE-2023-44487',
      'CVE-2023-32681',
      'CVE-2024-0727',
    ]);
    await page.locator('#t-vulns thead th', { hasText: 'Severity' }).locator('button').click();
    assert.deepEqual(await visibleIds(page, 't-vulns'), [
      'CVE-2023-38545',
      'CVE-2023-44487',
      'CVE-2023-32681',
      'CVE-2024-0727',
    ]);

    // Clicking a layer shows only what it brought; clicking it again shows everything.
    const l3 = page.locator('button[data-layer="3"]');
    assert.equal(await l3.textContent().then((t) => t?.includes('3 findings')), true);
    await l3.click();
    assert.equal(await l3.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await visibleIds(page, 't-vulns'), ['CVE-2023-32681']);
    assert.deepEqual(await visibleIds(page, 't-secrets'), ['aws-access-key-id']);
    assert.equal(await shown(page, 't-misconfigs'), '0');
    assert.equal(await shown(page, 't-malware'), '1');
    assert.equal(await page.textContent('#filter-layer'), 'layer L3');
    await page.locator('button[data-layer="1"]').click();
    assert.deepEqual(await visibleIds(page, 't-vulns'), ['CVE-2023-44487', 'CVE-2024-0727']);
    await page.locator('button[data-layer="1"]').click();
    assert.equal(await shown(page, 't-vulns'), '4');
    assert.equal(await shown(page, 't-misconfigs'), '1');

    // Suppressed finding is shown, marked.
    assert.equal(
      await page.$eval('#t-vulns tr.suppressed', (r) => r.children[1]?.getAttribute('data-k')),
      'CVE-2023-44487',
    );

    assert.equal(await page.title(), 'customs report: docker-archive:app.tar', 'no injected script ran');
    assert.deepEqual(problems, [], 'no console errors or warnings (a CSP violation is one)');
    assert.deepEqual(requests, [url], 'no request but the page itself');
  } finally {
    await context?.close();
    await rm(dir, { recursive: true, force: true });
  }
});
