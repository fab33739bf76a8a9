/**
 * The webhook and delivery API on the server's own app (auth, errors, audit,
 * OpenAPI), every response checked against the app's OpenAPI document.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { buildApp } from '../http/app.js';
import { ResponseChecker, validateDocument } from '../test-support/openapi-check.js';
import { startNotifier } from './notifier.js';
import { type Receiver, startReceiver, testContext } from './test-support/receiver.js';

let dir: string;
let store: Store;
let app: FastifyInstance;
let rx: Receiver;
let ctx: ReturnType<typeof testContext>;
let checker: ResponseChecker;
let admin: string;
let viewer: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'customs-webhook-routes-'));
  store = await openStore(join(dir, 'data'), { secretKey: parseSecretKey(randomBytes(32)) });
  ctx = testContext(store, Date.now);
  app = await buildApp(ctx, { log: false });
  rx = await startReceiver();
  admin = (await store.tokens.issue({ name: 'root', role: 'admin', createdBy: 'test' })).token;
  viewer = (await store.tokens.issue({ name: 'eyes', role: 'viewer', createdBy: 'test' })).token;
  const doc = app.swagger();
  await validateDocument(doc);
  checker = new ResponseChecker(doc as ConstructorParameters<typeof ResponseChecker>[0]);
});
after(async () => {
  await app.close();
  await rx.close();
  await store.close();
  ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Inject as a token and check the answer against the OpenAPI document. */
async function call(token: string | undefined, opts: InjectOptions & { method: string; url: string }) {
  const res = await app.inject({
    ...opts,
    headers: { ...(opts.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  checker.check(opts.method, opts.url, res.statusCode, res.body === '' ? null : JSON.parse(res.body));
  return res;
}

test('webhooks are admin-only: 401 without a token, 403 for a viewer', async () => {
  assert.equal((await call(undefined, { method: 'GET', url: '/api/v1/webhooks' })).statusCode, 401);
  const res = await call(viewer, { method: 'GET', url: '/api/v1/webhooks' });
  assert.equal(res.statusCode, 403);
  assert.equal((res.json() as { error: { code: string } }).error.code, 'API_FORBIDDEN');
});

test('create, read, change and remove a subscription; the secret is never returned nor audited', async () => {
  const secret = randomBytes(24).toString('hex');
  const res = await call(admin, {
    method: 'POST',
    url: '/api/v1/webhooks',
    payload: { name: 'sec-team', url: rx.url, eventTypes: [EVENT_TYPES.findingNew], secret },
  });
  assert.equal(res.statusCode, 201, res.body);
  const created = res.json() as { id: number; hasSecret: boolean; format: string; createdBy: string };
  assert.deepEqual([created.hasSecret, created.format, created.createdBy], [true, 'json', 'root']);
  assert.equal(res.body.includes(secret), false);
  const list = await call(admin, { method: 'GET', url: '/api/v1/webhooks' });
  assert.equal(list.body.includes(secret), false);
  assert.deepEqual(
    (list.json() as { items: { name: string }[] }).items.map((w) => w.name),
    ['sec-team'],
  );
  const audit = await store.audit.list();
  assert.ok(audit.some((a) => a.action === 'POST /api/v1/webhooks' && a.actor === 'root'));
  assert.equal(JSON.stringify(audit).includes(secret), false);

  const dup = await call(admin, {
    method: 'POST',
    url: '/api/v1/webhooks',
    payload: { name: 'sec-team', url: rx.url },
  });
  assert.equal(dup.statusCode, 409);
  assert.equal((dup.json() as { error: { code: string } }).error.code, 'STORE_CONFLICT');

  const patched = await call(admin, {
    method: 'PATCH',
    url: `/api/v1/webhooks/${created.id}`,
    payload: { enabled: false, secret: null },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const p = patched.json() as { enabled: boolean; hasSecret: boolean };
  assert.deepEqual([p.enabled, p.hasSecret], [false, false]);
  assert.equal((await call(admin, { method: 'DELETE', url: `/api/v1/webhooks/${created.id}` })).statusCode, 204);
  const gone = await call(admin, { method: 'GET', url: `/api/v1/webhooks/${created.id}` });
  assert.equal(gone.statusCode, 404);
  assert.equal((gone.json() as { error: { code: string } }).error.code, 'API_NOT_FOUND');
});

test('bad subscriptions are refused: a non-HTTP URL, an unknown event type, a short secret, an unknown format', async () => {
  for (const payload of [
    { name: 'a', url: 'file:///etc/passwd' },
    { name: 'b', url: rx.url, eventTypes: ['no.such.type'] },
    { name: 'c', url: rx.url, secret: 'short' },
    { name: 'd', url: rx.url, format: 'xml' },
  ]) {
    const res = await call(admin, { method: 'POST', url: '/api/v1/webhooks', payload });
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} → ${res.statusCode} ${res.body}`);
  }
});

test('deliveries: the dead-letter list, paged, and retry', async () => {
  rx.respond = (_r, res) => void res.writeHead(500).end();
  const created = await call(admin, {
    method: 'POST',
    url: '/api/v1/webhooks',
    payload: { name: 'flaky', url: rx.url },
  });
  assert.equal(created.statusCode, 201);
  for (let i = 0; i < 3; i++) await store.events.append({ type: EVENT_TYPES.imageNew, subject: `x${i}`, data: null });
  const n = startNotifier(ctx, { loop: false, maxAttempts: 1 });
  await n.tick();
  await n.stop();
  const first = await call(admin, { method: 'GET', url: '/api/v1/deliveries?state=dead&limit=2' });
  assert.equal(first.statusCode, 200, first.body);
  const page1 = first.json() as { items: { id: number; state: string; lastStatus: number }[]; nextCursor: string };
  assert.deepEqual(
    page1.items.map((d) => [d.state, d.lastStatus]),
    [
      ['dead', 500],
      ['dead', 500],
    ],
  );
  const second = await call(admin, {
    method: 'GET',
    url: `/api/v1/deliveries?state=dead&limit=2&cursor=${page1.nextCursor}`,
  });
  const page2 = second.json() as { items: { id: number }[]; nextCursor?: string };
  assert.equal(page2.items.length, 1);
  assert.equal(page2.nextCursor, undefined);
  const pending = await call(admin, { method: 'GET', url: '/api/v1/deliveries?state=pending' });
  assert.deepEqual((pending.json() as { items: unknown[] }).items, []);

  const id = page1.items[0]?.id ?? 0;
  const retry = await call(admin, { method: 'POST', url: `/api/v1/deliveries/${id}/retry` });
  assert.equal(retry.statusCode, 202, retry.body);
  const r = retry.json() as { state: string; attempts: number };
  assert.deepEqual([r.state, r.attempts], ['pending', 0]);
  assert.equal((await call(admin, { method: 'POST', url: `/api/v1/deliveries/${id}/retry` })).statusCode, 409);
  assert.equal((await call(admin, { method: 'POST', url: '/api/v1/deliveries/999999/retry' })).statusCode, 404);
  assert.equal((await call(admin, { method: 'GET', url: `/api/v1/deliveries/${id}` })).statusCode, 200);
});
