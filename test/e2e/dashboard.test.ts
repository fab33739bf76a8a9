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
import { runtimeReport } from '../../src/server/test-support/runtime-api-suite.js';
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
    // What discovery and the push endpoint record (src/server/registry tests write these through the real paths).
    const hub = await store.registries.byName('hub');
    assert.ok(hub);
    await store.registryStatus.recordDiscovery(hub.id, {
      at: Date.now() - 3_600_000,
      repositories: 2,
      tags: 3,
      digests: 2,
      queued: 1,
      errors: ['team/old:0.9: manifest unknown'],
    });
    await store.registryStatus.recordPush(hub.id, { at: Date.now() - 60_000, repository: 'team/app', tag: '1.0' });
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

test('registries show their last discovery run and the last push received', { timeout: 60_000 }, async () => {
  const { page } = admin;
  await page.goto(`${server.url}/registries`);
  await settled(page);
  const card = (name: string) => page.locator('li.card', { has: page.getByRole('heading', { name, exact: true }) });
  const hub = await card('hub').locator('dl.status').innerText();
  assert.match(hub, /Discovery\s+ok \d{4}-\d\d-\d\d \d\d:\d\d UTC: 2 repositories, 3 tags, 2 images, 1 scans queued/);
  assert.match(hub, /1 tag failed\s+team\/old:0\.9: manifest unknown/);
  assert.match(hub, /Last push\s+team\/app:1\.0 \d{4}-/);
  const mirror = await card('mirror').locator('dl.status').innerText();
  assert.match(mirror, /Discovery\s+never run/);
  assert.match(mirror, /Last push\s+none received/);
  assert.deepEqual(await axeViolations(page), []);
});

test('the policies page lists the VEX statements in force, with where each came from', {
  timeout: 60_000,
}, async () => {
  const { page } = admin;
  await page.goto(`${server.url}/policies`);
  await settled(page);
  assert.match(await page.locator('#vex').innerText(), /VEX statements in force \(0\)[\s\S]*No VEX documents stored/);
  const statement = (vuln: string, product: string, status: string, justification?: string) => ({
    vulnerability: { name: vuln },
    products: [{ '@id': product }],
    status,
    ...(justification ? { justification } : {}),
  });
  await apiCall(server, 'PUT', '/api/v1/vex/vendor-advisory', {
    body: JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': `https://vex.example/${randomBytes(6).toString('hex')}`,
      author: 'security@example.com',
      timestamp: new Date().toISOString(),
      version: 1,
      statements: [
        statement('CVE-2021-23337', 'pkg:npm/lodash@4.17.20', 'not_affected', 'vulnerable_code_not_present'),
        statement(CVE, scan.digest, 'under_investigation'),
      ],
    }),
  });
  await page.reload();
  await settled(page);
  const rows = page.locator('#vex tbody tr');
  assert.equal(await rows.count(), 2);
  const first = (await rows.nth(0).locator('td').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(first.slice(0, 4), [
    'CVE-2021-23337',
    'pkg:npm/lodash@4.17.20',
    'not_affected',
    'vulnerable_code_not_present',
  ]);
  assert.match(first[4] ?? '', /^vendor-advisory \(OpenVEX\), stored by \S+ \d{4}-/);
  const second = (await rows.nth(1).locator('td').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(second.slice(0, 4), [CVE, scan.digest, 'under_investigation', '—']);
  assert.deepEqual(await axeViolations(page), []);
});

test('the overview shows running workloads once a sensor reports, and says so before', {
  timeout: 60_000,
}, async () => {
  const { page } = admin;
  await page.goto(`${server.url}/`);
  await settled(page);
  const runtime = page.locator('#runtime');
  assert.match(await runtime.innerText(), /No runtime sensor has reported yet, so what runs is unknown \(not zero\)/);
  assert.equal(await runtime.locator('.tile').count(), 0, 'no zero tiles that read as "nothing runs"');
  assert.equal(await page.getByRole('columnheader', { name: 'Running' }).count(), 0);

  const configDigest = (scan.doc.target as { configDigest: string }).configDigest;
  const containers = [
    { id: 'web-1', imageId: configDigest, manifest: scan.digest },
    { id: 'web-2', imageId: configDigest, manifest: scan.digest },
    { id: 'old-1', imageId: configDigest, manifest: scan.digest, state: 'exited' },
  ];
  await apiCall(server, 'POST', '/api/v1/runtime/reports', runtimeReport('node-a', Date.now(), containers));
  await apiCall(server, 'POST', '/api/v1/runtime/reports', runtimeReport('node-b', Date.now(), containers.slice(0, 1)));
  await page.reload();
  await settled(page);
  const tiles = await runtime.locator('.tile').allInnerTexts();
  assert.deepEqual(
    tiles.map((t) => t.replace(/\s+/g, ' ').trim()),
    ['2 Nodes reporting', '3 Running containers', '4 Containers listed'],
  );
  assert.match(await runtime.innerText(), /Last sensor report \d{4}-/);
  const row = page.locator('tr', { has: page.getByRole('link', { name: CVE }) });
  const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
  // Both images have it open (2); the three running containers run the first one, on two nodes.
  assert.deepEqual([cells[0], cells[2], cells[3]], [CVE, '2', '3 on 2 nodes']);
  assert.deepEqual(await axeViolations(page), []);
});

interface Focus {
  tag: string;
  role: string;
  text: string;
  name: string;
  href: string;
  /** :focus-visible with a drawn outline. */
  visible: boolean;
}

/** What has the keyboard focus (read only: nothing here moves it). */
// A string, evaluated in the page (the tests compile without the DOM library).
const FOCUS_JS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', role: '', text: '', name: '', href: '', visible: false };
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    role: el.getAttribute('role') || '',
    text: (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 300),
    name: el.getAttribute('name') || el.id,
    href: el.getAttribute('href') || '',
    visible: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
  };
})()`;

/** What has the keyboard focus (read only: nothing here moves it). */
const focus = async (page: Page): Promise<Focus> => (await page.evaluate(FOCUS_JS)) as Focus;

/** Press `key` (Tab by default) until `want` holds for the focused element; its focus ring must show. */
async function pressUntil(page: Page, what: string, want: (f: Focus) => boolean, key = 'Tab'): Promise<Focus> {
  const seen: string[] = [];
  for (let i = 0; i < 300; i++) {
    const f = await focus(page);
    if (want(f)) {
      assert.ok(f.visible, `${what} has the focus but no visible focus indicator`);
      return f;
    }
    seen.push(`${f.tag}:${f.text.slice(0, 30)}`);
    await page.keyboard.press(key);
  }
  assert.fail(`${what} not reached with ${key}; focus went ${seen.slice(-15).join(' → ')}`);
}

/**
 * Wait for the focus to land where `want` says: a key press re-renders, and the page moves the
 * focus in an effect after that render, so the focus is read until it holds (or 5 s pass).
 */
async function focusBecomes(page: Page, what: string, want: (f: Focus) => boolean): Promise<Focus> {
  const end = Date.now() + 5000;
  for (;;) {
    const f = await focus(page);
    if (want(f)) {
      assert.ok(f.visible, `${what}, but with no visible focus indicator`);
      return f;
    }
    if (Date.now() > end) assert.fail(`${what}: the focus is on ${f.tag}:${f.name}:${f.text.slice(0, 30)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('keyboard only: log in, search a CVE, open the image and the evidence, create an exception', {
  timeout: 120_000,
}, async () => {
  const { page } = await open(1280);
  await page.goto(`${server.url}/`);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  // The login method tabs: one Tab stop, arrow keys between them (WAI-ARIA tabs pattern).
  await pressUntil(page, 'the login method tab', (f) => f.role === 'tab');
  assert.equal((await focus(page)).text, 'User and password');
  await page.keyboard.press('ArrowRight');
  assert.equal((await focus(page)).text, 'API token');
  await page.getByLabel('API token').waitFor();
  await page.keyboard.press('ArrowLeft');
  assert.equal((await focus(page)).text, 'User and password');
  await pressUntil(page, 'the user field', (f) => f.name === 'user');
  await page.keyboard.type('ada');
  await page.keyboard.press('Tab');
  assert.equal((await focus(page)).name, 'password');
  await page.keyboard.type(users.ada.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Log out' }).waitFor();

  await pressUntil(page, 'the Search link', (f) => f.tag === 'a' && f.href === '/search');
  await page.keyboard.press('Enter');
  await page.locator('#q').waitFor();
  await pressUntil(page, 'the search box', (f) => f.name === 'q');
  await page.keyboard.type(CVE);
  await page.locator(`#results[data-query="${CVE}"]`).waitFor();
  // The image that still fails: team/api:2.3.
  await pressUntil(page, 'the result team/api:2.3', (f) => f.tag === 'a' && f.text === 'hub/team/api:2.3');
  await page.keyboard.press('Enter');
  await settled(page);
  assert.equal(new URL(page.url()).pathname, `/images/${encodeURIComponent(otherDigest)}`);
  assert.equal(await page.locator('#verdict .verdict').first().innerText(), 'FAIL');

  await pressUntil(page, `the finding ${CVE}`, (f) => f.tag === 'summary' && f.text.includes(CVE));
  await page.keyboard.press('Enter');
  const finding = page.locator(`#f-${CVE}`);
  assert.equal(await finding.locator('details[open]').count(), 1, 'Enter opened the evidence');
  assert.match(await finding.innerText(), /How it matched\s+npm-osv: searched by/);

  await pressUntil(page, 'Create an exception…', (f) => f.tag === 'button' && f.text === 'Create an exception…');
  await page.keyboard.press('Enter');
  // The button is gone: the focus moved into the form, not back to the page.
  await focusBecomes(page, 'the form took the focus', (f) => f.name === 'scope');
  await page.keyboard.press('Escape');
  await finding.getByRole('form').waitFor({ state: 'detached' });
  await focusBecomes(page, 'Escape closed the form and gave the focus back', (f) => f.text === 'Create an exception…');
  await page.keyboard.press('Enter');
  await focusBecomes(page, 'the form took the focus again', (f) => f.name === 'scope');
  await pressUntil(page, 'the owner field', (f) => f.name === 'owner');
  await page.keyboard.type('api-team');
  await pressUntil(page, 'the reason field', (f) => f.name === 'reason');
  await page.keyboard.type('minimist only runs at build time');
  await pressUntil(page, 'Create exception', (f) => f.tag === 'button' && f.text === 'Create exception');
  await page.keyboard.press('Enter');
  await page.locator('#verdict .verdict-pass').first().waitFor();
  assert.match(await finding.getByRole('status').innerText(), /approved; the image was judged again/);
  const exceptions = (await apiCall(server, 'GET', '/api/v1/exceptions')) as {
    items: { owner: string; scope: string; active: boolean }[];
  };
  assert.ok(exceptions.items.some((e) => e.owner === 'api-team' && e.scope === otherDigest && e.active));
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
