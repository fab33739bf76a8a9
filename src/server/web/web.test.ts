/**
 * Dashboard login and sessions, CSRF defences, role checks on cookie
 * sessions, static assets with CSP and caching, and the image report and
 * re-judgement routes, on the server's own app; every JSON answer is checked
 * against the app's OpenAPI document.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { digestOf, scanDocument } from '../../store/test-support/scan-docs.js';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { buildApp } from '../http/app.js';
import { ResponseChecker, validateDocument } from '../test-support/openapi-check.js';
import { DASHBOARD_CSP } from './index.js';

let dir: string;
let store: Store;
let app: FastifyInstance;
let checker: ResponseChecker;
const tokens: Record<string, string> = {};
const password = randomBytes(12).toString('base64url');
const ORIGIN = 'http://localhost:80';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'customs-web-'));
  // A stand-in build: index.html and one hashed asset.
  mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
  writeFileSync(
    join(dir, 'web', 'index.html'),
    '<!doctype html><title>customs</title><script src="/assets/app-ABC123.js"></script>',
  );
  writeFileSync(join(dir, 'web', 'assets', 'app-ABC123.js'), 'console.log(1)');
  process.env.CUSTOMS_WEB_DIR = join(dir, 'web');
  store = await openStore(join(dir, 'data'), { secretKey: parseSecretKey(randomBytes(32)) });
  const abort = new AbortController();
  app = await buildApp(
    { store, log: { info() {}, warn() {}, error() {}, debug() {} }, dataDir: dir, signal: abort.signal, now: Date.now },
    { log: false },
  );
  for (const role of ['admin', 'ci', 'viewer'] as const)
    tokens[role] = (await store.tokens.issue({ name: `${role}-token`, role, createdBy: 'test' })).token;
  const doc = app.swagger();
  await validateDocument(doc);
  checker = new ResponseChecker(doc as ConstructorParameters<typeof ResponseChecker>[0]);
});
after(async () => {
  delete process.env.CUSTOMS_WEB_DIR;
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(opts: InjectOptions & { method: string; url: string }) {
  const res = await app.inject({ ...opts, headers: { host: 'localhost:80', ...(opts.headers ?? {}) } });
  if (opts.url.startsWith('/api/') && String(res.headers['content-type']).startsWith('application/json'))
    checker.check(opts.method, opts.url, res.statusCode, res.json());
  return res;
}

async function login(payload: Record<string, string>): Promise<string> {
  const res = await call({ method: 'POST', url: '/api/v1/session', payload, headers: { origin: ORIGIN } });
  assert.equal(res.statusCode, 200, res.body);
  const set = String(res.headers['set-cookie']);
  assert.match(set, /^customs_session=css_[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  return set.split(';')[0] ?? '';
}

test('log in with an API token: a session cookie that carries the token role, and logout ends it on the server', async () => {
  const cookie = await login({ token: tokens.viewer ?? '' });
  const me = await call({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
  assert.deepEqual(me.json(), {
    authenticated: true,
    name: 'viewer-token',
    role: 'viewer',
    expiresAt: me.json().expiresAt,
  });
  assert.ok(me.json().expiresAt > Date.now());
  assert.equal((await call({ method: 'GET', url: '/api/v1/images', headers: { cookie } })).statusCode, 200);
  // A viewer session may not change state, exactly like a viewer token.
  const add = await call({
    method: 'POST',
    url: '/api/v1/registries',
    headers: { cookie, origin: ORIGIN },
    payload: { name: 'r', url: 'https://r.example' },
  });
  assert.equal(add.statusCode, 403);
  assert.match(add.body, /role viewer/);
  const out = await call({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: ORIGIN } });
  assert.equal(out.statusCode, 204);
  assert.match(String(out.headers['set-cookie']), /^customs_session=; .*Max-Age=0/);
  assert.deepEqual((await call({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).json(), {
    authenticated: false,
  });
  // The session is gone on the server, not just from the browser: the old cookie opens nothing.
  assert.equal((await call({ method: 'GET', url: '/api/v1/images', headers: { cookie } })).statusCode, 401);
});

test('log in with a user name and password; wrong ones, unknown tokens and cross-site logins are refused', async () => {
  const created = await call({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: `Bearer ${tokens.admin}` },
    payload: { name: 'ops', role: 'admin', password },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.ok(!created.body.includes(password));
  const denied = await call({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: `Bearer ${tokens.ci}` },
    payload: { name: 'x', role: 'admin', password },
  });
  assert.equal(denied.statusCode, 403);
  const cookie = await login({ user: 'ops', password });
  const me = (await call({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).json();
  assert.deepEqual([me.authenticated, me.name, me.role], [true, 'user:ops', 'admin']);
  const bearer = await call({
    method: 'GET',
    url: '/api/v1/session',
    headers: { authorization: `Bearer ${tokens.ci}` },
  });
  assert.deepEqual(bearer.json(), { authenticated: true, name: 'ci-token', role: 'ci' });
  for (const payload of [
    { user: 'ops', password: `${password}!` },
    { user: 'nobody', password },
    { token: `cst_${randomBytes(32).toString('base64url')}` },
  ]) {
    const res = await call({ method: 'POST', url: '/api/v1/session', payload, headers: { origin: ORIGIN } });
    assert.equal(res.statusCode, 401, JSON.stringify(payload));
    assert.equal(res.headers['set-cookie'], undefined);
  }
  const cross = await call({
    method: 'POST',
    url: '/api/v1/session',
    payload: { user: 'ops', password },
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(cross.statusCode, 403);
  // A forged or made-up cookie is no session.
  const forged = `customs_session=css_${randomBytes(32).toString('base64url')}`;
  assert.equal((await call({ method: 'GET', url: '/api/v1/images', headers: { cookie: forged } })).statusCode, 401);
});

test('CSRF: a cookie session changes state only with an Origin naming this server', async () => {
  const cookie = await login({ token: tokens.admin ?? '' });
  const payload = { name: 'csrf-reg', url: 'https://r.example' };
  const none = await call({ method: 'POST', url: '/api/v1/registries', headers: { cookie }, payload });
  assert.equal(none.statusCode, 403);
  assert.match(none.body, /Origin/);
  const evil = await call({
    method: 'POST',
    url: '/api/v1/registries',
    headers: { cookie, origin: 'http://localhost:8080' },
    payload,
  });
  assert.equal(evil.statusCode, 403);
  assert.equal((await store.registries.list()).length, 0);
  const ok = await call({ method: 'POST', url: '/api/v1/registries', headers: { cookie, origin: ORIGIN }, payload });
  assert.equal(ok.statusCode, 201, ok.body);
  const audit = await store.audit.list({ limit: 100 });
  const entry = audit.find((a) => a.action === 'POST /api/v1/registries' && a.actor === 'admin-token');
  assert.ok(entry, 'the change is in the audit log under the session subject');
});

test('static assets: pages with a strict CSP, hashed assets immutable, unknown assets 404', async () => {
  for (const url of ['/', '/search?q=CVE-2024-1', '/images/sha256:abc', '/audit']) {
    const res = await call({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<title>customs<\/title>/);
  }
  assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval|https?:/);
  const js = await call({ method: 'GET', url: '/assets/app-ABC123.js' });
  assert.equal(js.statusCode, 200);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.equal((await call({ method: 'GET', url: '/assets/../index.html' })).statusCode, 404);
  assert.equal((await call({ method: 'GET', url: '/assets/nope.js' })).statusCode, 404);
});

/** The stored policy the re-judging tests use: any critical vulnerability fails. */
function putNoCriticalPolicy() {
  return store.policies.put({
    name: 'baseline',
    updatedBy: 'test',
    body: [
      'apiVersion: customs/v1',
      'kind: Policy',
      'rules:',
      '  - id: no-critical',
      '    action: fail',
      '    message: Critical vulnerabilities fail.',
      '    vulnerabilities: {minSeverity: critical}',
    ].join('\n'),
  });
}

test('an exception scoped to the digest an image is stored under applies, whatever the scan document names', async () => {
  const digest = digestOf('stored-under-this-digest');
  await store.scans.record({
    imageDigest: digest,
    document: scanDocument({ vulns: [{ id: 'CVE-2031-0002', pkg: 'openssl', severity: 'critical' }] }),
    packages: [],
  });
  await putNoCriticalPolicy();
  const auth = { authorization: `Bearer ${tokens.ci}` };
  const rejudge = async () =>
    (await call({ method: 'POST', url: `/api/v1/images/${digest}/verdicts`, headers: auth })).json().status;
  const approve = async (scope: string) => {
    const ex = await store.policies.addException({
      finding: 'CVE-2031-0002',
      scope,
      owner: 'team',
      reason: 'not reachable',
      expiresAt: Date.now() + 86_400_000,
      createdBy: 'test',
    });
    await store.policies.approveException(ex.id, 'admin');
  };
  await approve(digestOf('some-other-image'));
  assert.equal(await rejudge(), 'fail', 'an exception for another digest does not apply');
  await approve(digest);
  assert.equal(await rejudge(), 'pass');
});

test('image reports: SBOMs and reports of the latest scan; re-judging applies a newly approved exception', async () => {
  const digest = digestOf('web-image');
  await store.scans.record({
    imageDigest: digest,
    document: scanDocument({ vulns: [{ id: 'CVE-2031-0001', pkg: 'openssl', severity: 'critical' }] }),
    packages: [],
  });
  await putNoCriticalPolicy();
  const auth = { authorization: `Bearer ${tokens.ci}` };
  const first = await call({ method: 'POST', url: `/api/v1/images/${digest}/verdicts`, headers: auth });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json().status, 'fail');
  const ex = await store.policies.addException({
    finding: 'CVE-2031-0001',
    scope: '*',
    owner: 'team',
    reason: 'not reachable',
    expiresAt: Date.now() + 86_400_000,
    createdBy: 'test',
  });
  await store.policies.approveException(ex.id, 'admin');
  const second = await call({ method: 'POST', url: `/api/v1/images/${digest}/verdicts`, headers: auth });
  assert.equal(second.json().status, 'pass');
  const viewer = { authorization: `Bearer ${tokens.viewer}` };
  assert.equal(
    (await call({ method: 'POST', url: `/api/v1/images/${digest}/verdicts`, headers: viewer })).statusCode,
    403,
  );
  const expect: Record<string, RegExp> = {
    cyclonedx: /"bomFormat": ?"CycloneDX"/,
    spdx: /"spdxVersion": ?"SPDX-2\.3"/,
    sarif: /"version": ?"2\.1\.0"[\s\S]*CVE-2031-0001/,
    html: /<html[\s\S]*CVE-2031-0001/,
  };
  for (const [format, re] of Object.entries(expect)) {
    const res = await call({ method: 'GET', url: `/api/v1/images/${digest}/reports/${format}`, headers: viewer });
    assert.equal(res.statusCode, 200, `${format}: ${res.body.slice(0, 200)}`);
    assert.match(res.body, re, format);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="sha256-[0-9a-f]+\./);
  }
  const scan = await call({ method: 'GET', url: `/api/v1/images/${digest}/scan`, headers: viewer });
  assert.equal(scan.statusCode, 200);
  const missing = digestOf('never-scanned');
  assert.equal(
    (await call({ method: 'GET', url: `/api/v1/images/${missing}/reports/sarif`, headers: viewer })).statusCode,
    404,
  );
});
