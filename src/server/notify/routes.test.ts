import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { startNotifier } from './notifier.js';
import { webhookRoutes } from './routes.js';
import { testApp } from './test-support/app.js';
import { type Receiver, startReceiver, testContext } from './test-support/receiver.js';

let dir: string;
let store: Store;
let app: FastifyInstance;
let rx: Receiver;
let ctx: ReturnType<typeof testContext>;
let admin: string;
let viewer: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'customs-webhook-routes-'));
  store = await openStore(join(dir, 'data'), { secretKey: parseSecretKey(randomBytes(32)) });
  ctx = testContext(store, Date.now);
  app = await testApp(ctx, [{ plugin: webhookRoutes }]);
  rx = await startReceiver();
  admin = (await store.tokens.issue({ name: 'root', role: 'admin', createdBy: 'test' })).token;
  viewer = (await store.tokens.issue({ name: 'eyes', role: 'viewer', createdBy: 'test' })).token;
});
after(async () => {
  await app.close();
  await rx.close();
  await store.close();
  ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (token: string) => ({ authorization: `Bearer ${token}` });

test('webhooks are admin-only: 401 without a token, 403 for a viewer', async () => {
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/webhooks' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: as(viewer) })).statusCode, 403);
});

test('create, read, change and remove a subscription; the secret is never returned nor audited', async () => {
  const secret = randomBytes(24).toString('hex');
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: as(admin),
    payload: { name: 'sec-team', url: rx.url, eventTypes: [EVENT_TYPES.findingNew], secret },
  });
  assert.equal(res.statusCode, 201, res.body);
  const created = res.json() as { id: number; hasSecret: boolean; format: string; createdBy: string };
  assert.deepEqual([created.hasSecret, created.format, created.createdBy], [true, 'json', 'root']);
  assert.equal(res.body.includes(secret), false);
  const list = await app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: as(admin) });
  assert.equal(list.body.includes(secret), false);
  assert.deepEqual(
    (list.json() as { items: { name: string }[] }).items.map((w) => w.name),
    ['sec-team'],
  );
  const audit = await store.audit.list();
  assert.deepEqual(
    audit.map((a) => a.action),
    ['webhook.add'],
  );
  assert.equal(JSON.stringify(audit).includes(secret), false);

  const dup = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: as(admin),
    payload: { name: 'sec-team', url: rx.url },
  });
  assert.equal(dup.statusCode, 409);

  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/webhooks/${created.id}`,
    headers: as(admin),
    payload: { enabled: false, secret: null },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual(
    [(patched.json() as { enabled: boolean }).enabled, (patched.json() as { hasSecret: boolean }).hasSecret],
    [false, false],
  );
  const del = await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${created.id}`, headers: as(admin) });
  assert.equal(del.statusCode, 204);
  const gone = await app.inject({ method: 'GET', url: `/api/v1/webhooks/${created.id}`, headers: as(admin) });
  assert.equal(gone.statusCode, 404);
});

test('bad subscriptions are refused: a non-HTTP URL, an unknown event type, a short secret', async () => {
  for (const payload of [
    { name: 'a', url: 'file:///etc/passwd' },
    { name: 'b', url: rx.url, eventTypes: ['no.such.type'] },
    { name: 'c', url: rx.url, secret: 'short' },
    { name: 'd', url: rx.url, format: 'xml' },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: as(admin), payload });
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} → ${res.statusCode} ${res.body}`);
  }
});

test('deliveries: the dead-letter list, and retry', async () => {
  rx.respond = (_r, res) => void res.writeHead(500).end();
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: as(admin),
    payload: { name: 'flaky', url: rx.url },
  });
  assert.equal(created.statusCode, 201);
  await store.events.append({ type: EVENT_TYPES.imageNew, subject: 'x', data: null });
  const n = startNotifier(ctx, { loop: false, maxAttempts: 1 });
  await n.tick();
  await n.stop();
  const dead = await app.inject({ method: 'GET', url: '/api/v1/deliveries?state=dead', headers: as(admin) });
  assert.equal(dead.statusCode, 200, dead.body);
  const items = (dead.json() as { items: { id: number; state: string; lastStatus: number; attempts: number }[] }).items;
  assert.equal(items.length, 1);
  assert.deepEqual([items[0]?.state, items[0]?.lastStatus, items[0]?.attempts], ['dead', 500, 1]);
  const pending = await app.inject({ method: 'GET', url: '/api/v1/deliveries?state=pending', headers: as(admin) });
  assert.deepEqual((pending.json() as { items: unknown[] }).items, []);

  const retry = await app.inject({
    method: 'POST',
    url: `/api/v1/deliveries/${items[0]?.id}/retry`,
    headers: as(admin),
  });
  assert.equal(retry.statusCode, 202, retry.body);
  assert.deepEqual(
    [(retry.json() as { state: string }).state, (retry.json() as { attempts: number }).attempts],
    ['pending', 0],
  );
  const again = await app.inject({
    method: 'POST',
    url: `/api/v1/deliveries/${items[0]?.id}/retry`,
    headers: as(admin),
  });
  assert.equal(again.statusCode, 409);
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/deliveries/999999/retry', headers: as(admin) });
  assert.equal(unknown.statusCode, 404);
  assert.ok((await store.audit.list()).some((a) => a.action === 'delivery.retry'));
});
