/**
 * The dashboard end to end: headless Chromium against a real `customs serve`
 * process whose SQLite store holds real scans (the demo image with a planted
 * secret, scanned by customs here). Every request of every page must go to
 * the server's own origin, no page may log an error, and axe-core must find
 * no serious or critical accessibility violation. Screenshots of each page at
 * 1280 and 390 px go to test/.work/dashboard-e2e/screenshots/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { digestOf } from '../../src/store/test-support/scan-docs.js';
import {
  apiCall,
  axeViolations,
  type DemoScan,
  demoScan,
  launchBrowser,
  loginWithPassword,
  recordImage,
  type Server,
  startServer,
  type Watched,
  watchedPage,
  withStore,
} from '../support/dashboard.js';
import { freshDir } from '../support/images.js';
import { decodePng, inkRatio } from '../support/png.js';

const CVE = 'CVE-2021-44906';
let dir: string;
let scan: DemoScan;
let server: Server;
let browser: Browser;
const watched: Watched[] = [];
const otherDigest = digestOf(`dashboard-e2e-${randomBytes(8).toString('hex')}`);
const pw = (role: string) => `${role}-${randomBytes(9).toString('base64url')}`;
const users = {
  ada: { role: 'admin', password: pw('admin') },
  cid: { role: 'ci', password: pw('ci') },
  vera: { role: 'viewer', password: pw('viewer') },
};
const imageUrl = () => `${server.url}/images/${encodeURIComponent(scan.digest)}`;

before(async () => {
  dir = await freshDir('dashboard-e2e');
  scan = await demoScan(join(dir, 'scan'));
  const dataDir = join(dir, 'server');
  await withStore(dataDir, async (store) => {
    await recordImage(store, scan.doc, { digest: scan.digest, repository: 'team/app', tag: '1.0' });
    // The same content under another manifest and config digest: a second image, as far as exceptions can tell.
    const target = {
      ...(scan.doc.target as object),
      manifestDigest: otherDigest,
      configDigest: digestOf(`${otherDigest}-config`),
    };
    await recordImage(store, { ...scan.doc, target }, { digest: otherDigest, repository: 'team/api', tag: '2.3' });
  });
  server = await startServer(dataDir);
  await apiCall(server, 'PUT', '/api/v1/policies/baseline', {
    body: [
      'apiVersion: customs/v1',
      'kind: Policy',
      'rules:',
      '  - id: no-critical',
      '    action: fail',
      '    message: Critical vulnerabilities fail the image.',
      '    vulnerabilities: {minSeverity: critical}',
    ].join('\n'),
  });
  for (const d of [scan.digest, otherDigest]) await apiCall(server, 'POST', `/api/v1/images/${d}/verdicts`);
  for (const [name, u] of Object.entries(users))
    await apiCall(server, 'POST', '/api/v1/users', { name, role: u.role, password: u.password });
  browser = await launchBrowser();
});

after(async () => {
  for (const w of watched) await w.context.close();
  await browser?.close();
  await server?.stop();
  // Every context of every test: nothing left the origin, nothing logged an error.
  for (const w of watched) {
    assert.deepEqual(w.foreign, [], 'requests to another origin');
    assert.deepEqual(w.problems, [], 'console errors');
  }
});

async function open(width: number): Promise<Watched> {
  const w = await watchedPage(browser, server, width);
  watched.push(w);
  return w;
}

/** Wait until the page has its heading and nothing is loading. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  // A locator, not waitForFunction: the page's CSP (no unsafe-eval) refuses string predicates.
  await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
}

let admin: Watched;

test('log in, search a CVE, reach the image and the evidence of the finding; secrets stay redacted', {
  timeout: 120_000,
}, async () => {
  admin = await open(1280);
  const { page, context } = admin;
  await loginWithPassword(page, server, 'ada', users.ada.password);
  const [cookie] = await context.cookies();
  assert.equal(cookie?.name, 'customs_session');
  assert.equal(cookie?.httpOnly, true);
  assert.equal(cookie?.sameSite, 'Strict');
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await page.locator('#q').fill(CVE.toLowerCase());
  const results = page.locator(`#results[data-query="${CVE.toLowerCase()}"]`);
  await results.waitFor();
  assert.equal(await results.locator('li.result').count(), 2);
  const text = await results.innerText();
  assert.match(text, /Fixed in: 1\.2\.6/);
  assert.match(text, /team\/api:2\.3/);
  assert.match(text, /Registry: hub/);
  assert.match(page.url(), /\/search\?q=cve-2021-44906$/, 'the query is in the URL');
  assert.deepEqual(await axeViolations(page), []);

  await results.getByRole('link', { name: 'hub/team/app:1.0' }).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, `/images/${encodeURIComponent(scan.digest)}`);
  assert.equal(await page.locator('#verdict .verdict').first().innerText(), 'FAIL');
  assert.match(await page.locator('#verdict').innerText(), /no-critical/);
  const finding = page.locator(`#f-${CVE}`);
  await finding.locator('summary').click();
  const evidence = await finding.innerText();
  assert.match(evidence, /How it matched\s+npm-osv: searched by/);
  assert.match(evidence, /app\/node_modules\/minimist\/package\.json/);
  assert.match(evidence, /Layer\s+#3/);
  assert.match(await page.locator('#packages').innerText(), /minimist\s+1\.2\.5/);
  assert.match(await page.locator('#layers').innerText(), /ADD demo\/rootfs-layers\/03-node-app/);
  const secrets = await page.locator('#secrets').innerText();
  assert.match(secrets, /deploy\.env/);
  assert.ok(!(await page.content()).includes(scan.secret), 'the planted secret is not on the page');
  assert.ok(!(await page.content()).includes(scan.secret.slice(4, 20)), 'nor a long part of it');
  assert.deepEqual(await axeViolations(page), []);
});

test('create an exception from the finding and see the verdict change', { timeout: 60_000 }, async () => {
  const { page } = admin;
  const finding = page.locator(`#f-${CVE}`);
  await finding.getByRole('button', { name: 'Create an exception…' }).click();
  const form = finding.getByRole('form', { name: `Exception for ${CVE}` });
  await form.getByLabel('Owner').fill('payments-team');
  await form.getByLabel('Reason').fill('minimist is only used at build time');
  await form.getByRole('button', { name: 'Create exception' }).click();
  await page.locator('#verdict .verdict-pass').first().waitFor();
  const verdicts = (await apiCall(server, 'GET', `/api/v1/images/${scan.digest}/verdicts`)) as {
    items: { status: string }[];
  };
  assert.deepEqual(
    verdicts.items.slice(0, 2).map((v) => v.status),
    ['pass', 'fail'],
  );
  // The exception was scoped to this image: the other image still fails.
  const other = (await apiCall(server, 'POST', `/api/v1/images/${otherDigest}/verdicts`)) as { status: string };
  assert.equal(other.status, 'fail');
});

test('add a registry; its credentials are write-only', { timeout: 60_000 }, async () => {
  const { page } = admin;
  const password = `reg-${randomBytes(12).toString('hex')}`;
  await page.getByRole('link', { name: 'Registries' }).click();
  await settled(page);
  const form = page.getByRole('form', { name: 'Add a registry' });
  await form.getByLabel('Name', { exact: true }).fill('mirror');
  await form.getByLabel('URL').fill('https://mirror.example:5000');
  await form.getByLabel('User name').fill('robot');
  await form.getByLabel('Password or token').fill(password);
  await form.getByRole('button', { name: 'Add registry' }).click();
  const card = page.locator('li.card', { has: page.getByRole('heading', { name: 'mirror' }) });
  await card.waitFor();
  assert.match(await card.innerText(), /Credentials: stored \(write-only\)/);
  assert.ok(!(await page.content()).includes(password));
  const listed = JSON.stringify(await apiCall(server, 'GET', '/api/v1/registries'));
  assert.ok(listed.includes('"mirror"') && !listed.includes(password));
});

async function controls(page: Page): Promise<Record<string, boolean>> {
  const has = async (role: 'button' | 'link' | 'form', name: string | RegExp) =>
    (await page.getByRole(role, { name }).count()) > 0;
  const out: Record<string, boolean> = {};
  out.auditLink = await has('link', 'Audit log');
  await page.goto(`${server.url}/registries`);
  await settled(page);
  out.addRegistry = await has('form', 'Add a registry');
  out.editRegistry = await has('button', 'Edit hub');
  await page.goto(imageUrl());
  await settled(page);
  out.judgeAgain = await has('button', /Judge again/);
  await page.locator(`#f-${CVE} summary`).click();
  out.createException = await has('button', 'Create an exception…');
  if (out.createException) {
    await page.getByRole('button', { name: 'Create an exception…' }).click();
    out.approveNow = (await page.getByLabel(/Approve now/).count()) > 0;
  } else out.approveNow = false;
  await page.goto(`${server.url}/policies`);
  await settled(page);
  out.approveException = await has('button', /^Approve exception/);
  out.revokeException = await has('button', /^Revoke exception/);
  await page.goto(`${server.url}/audit`);
  await settled(page);
  out.auditPage = (await page.locator('main h1').innerText()) === 'Audit log';
  return out;
}

test('each role sees only the controls it may use (token and password logins, 390 px)', {
  timeout: 120_000,
}, async () => {
  // A pending exception, so that approve and revoke controls have something to show.
  await apiCall(server, 'POST', '/api/v1/exceptions', {
    finding: 'CVE-2021-23337',
    scope: '*',
    owner: 'web',
    reason: 'pending review',
    expires: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10),
  });
  const viewer = await open(390);
  await loginWithPassword(viewer.page, server, 'vera', users.vera.password);
  assert.deepEqual(await controls(viewer.page), {
    auditLink: false,
    addRegistry: false,
    editRegistry: false,
    judgeAgain: false,
    createException: false,
    approveNow: false,
    approveException: false,
    revokeException: false,
    auditPage: false,
  });

  const ciToken = (
    (await apiCall(server, 'POST', '/api/v1/tokens', { name: 'pipeline', role: 'ci' })) as { token: string }
  ).token;
  const ci = await open(390);
  await ci.page.goto(`${server.url}/`);
  await ci.page.getByRole('tab', { name: 'API token' }).click();
  await ci.page.getByLabel('API token').fill(ciToken);
  await ci.page.getByRole('button', { name: 'Log in' }).click();
  await ci.page.getByRole('button', { name: 'Log out' }).waitFor();
  assert.match(await ci.page.locator('.who').innerText(), /pipeline \(ci\)/);
  assert.deepEqual(await controls(ci.page), {
    auditLink: false,
    addRegistry: false,
    editRegistry: false,
    judgeAgain: true,
    createException: true,
    approveNow: false,
    approveException: false,
    revokeException: false,
    auditPage: false,
  });

  const adminSmall = await open(390);
  await loginWithPassword(adminSmall.page, server, 'ada', users.ada.password);
  assert.deepEqual(await controls(adminSmall.page), {
    auditLink: true,
    addRegistry: true,
    editRegistry: true,
    judgeAgain: true,
    createException: true,
    approveNow: true,
    approveException: true,
    revokeException: true,
    auditPage: true,
  });

  // Logout ends the session on the server: the old cookie no longer works.
  const [cookie] = await viewer.context.cookies();
  await viewer.page.getByRole('button', { name: 'Log out' }).click();
  await viewer.page.getByRole('button', { name: 'Log in' }).waitFor();
  const res = await fetch(`${server.url}/api/v1/images`, {
    headers: { cookie: `customs_session=${cookie?.value ?? ''}` },
  });
  assert.equal(res.status, 401);
});

test('every page at 1280 and 390 px: rendered (screenshot not blank), accessible, same-origin only', {
  timeout: 180_000,
}, async () => {
  const shots = join(dir, 'screenshots');
  await mkdir(shots, { recursive: true });
  const pages: [string, string][] = [
    ['overview', '/'],
    ['search', `/search?q=${CVE}`],
    ['image', `/images/${encodeURIComponent(scan.digest)}`],
    ['registries', '/registries'],
    ['policies', '/policies'],
    ['events', '/events'],
    ['audit', '/audit'],
  ];
  for (const width of [1280, 390]) {
    const w = await open(width);
    await loginWithPassword(w.page, server, 'ada', users.ada.password);
    for (const [name, path] of pages) {
      await w.page.goto(server.url + path);
      await settled(w.page);
      if (name === 'search') await w.page.locator('#results').waitFor();
      if (name === 'overview') await w.page.locator('.chart canvas').waitFor();
      // Nothing wider than the viewport but the tables that scroll inside their own box.
      const overflow = (await w.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 0, `${name} at ${width.toString()} px scrolls sideways by ${overflow.toString()} px`);
      const png = await w.page.screenshot({ fullPage: true });
      await writeFile(join(shots, `${name}-${width.toString()}.png`), png);
      const ink = inkRatio(decodePng(png));
      assert.ok(ink > 0.02, `${name} at ${width.toString()} px looks blank (${(ink * 100).toFixed(2)} % ink)`);
      assert.deepEqual(await axeViolations(w.page), [], `${name} at ${width.toString()} px`);
    }
  }
});
