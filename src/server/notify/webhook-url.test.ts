/**
 * A webhook URL is a credential (a Slack incoming webhook's path is its
 * token): every API read shows scheme and host only, and neither the audit
 * log, the server's JSON log, the notifier's log nor a delivery's last error
 * holds it — even when the receiver echoes the URL back, or the URL is one
 * the sender cannot parse. URLs and tokens are generated per run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { buildApp } from '../http/app.js';
import { ResponseChecker } from '../test-support/openapi-check.js';
import { maskWebhookUrl, withoutWebhookUrl } from './mask-url.js';
import { startNotifier } from './notifier.js';
import { type memoryLog, type Receiver, startReceiver, testContext } from './test-support/receiver.js';

let dir: string;
let store: Store;
let app: FastifyInstance;
let rx: Receiver;
let ctx: ReturnType<typeof testContext>;
let checker: ResponseChecker;
let admin: string;
const appLog: string[] = [];

/** A Slack-shaped incoming-webhook path: /services/T…/B…/<24 random characters>. */
const slackPath = () =>
  `/services/T${randomBytes(4).toString('hex').toUpperCase()}/B${randomBytes(4).toString('hex').toUpperCase()}/${randomBytes(12).toString('hex')}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'customs-webhook-url-'));
  store = await openStore(join(dir, 'data'), { secretKey: parseSecretKey(randomBytes(32)) });
  ctx = testContext(store, Date.now);
  const stream = new Writable({
    write(chunk, _enc, done) {
      appLog.push(String(chunk));
      done();
    },
  });
  app = await buildApp(ctx, { log: { stream, level: 'debug' } });
  rx = await startReceiver();
  admin = (await store.tokens.issue({ name: 'root', role: 'admin', createdBy: 'test' })).token;
  checker = new ResponseChecker(app.swagger() as ConstructorParameters<typeof ResponseChecker>[0]);
});
after(async () => {
  await app.close();
  await rx.close();
  await store.close();
  ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(opts: InjectOptions & { method: string; url: string }) {
  const res = await app.inject({ ...opts, headers: { authorization: `Bearer ${admin}` } });
  checker.check(opts.method, opts.url, res.statusCode, res.body === '' ? null : JSON.parse(res.body));
  return res;
}

test('a webhook URL is masked to scheme and host; the secret parts are scrubbed from any text', () => {
  const path = slackPath();
  assert.equal(maskWebhookUrl(`https://hooks.slack.com${path}`), 'https://hooks.slack.com/…');
  assert.equal(maskWebhookUrl('https://user:pw@hooks.example:8443/x?token=abc'), 'https://hooks.example:8443/…');
  assert.equal(maskWebhookUrl('https://hooks.example:99999/services/abc'), 'https://hooks.example:99999/…');
  assert.equal(maskWebhookUrl('https://u:p@hooks.example:99999/a'), 'https://hooks.example:99999/…');
  const url = `https://hooks.slack.com${path}?x=1`;
  const scrubbed = withoutWebhookUrl(`posting to ${url} failed; path ${path} refused; "${url}"`, url);
  assert.equal(scrubbed.includes(path), false, scrubbed);
  assert.match(scrubbed, /^posting to https:\/\/hooks\.slack\.com\/… failed/);
});

test('every API read masks the URL; audit log, JSON logs and delivery errors never hold it', async () => {
  // The receiver answers 500 and echoes what it was sent to (a proxy or a debugging endpoint might).
  rx.respond = (r, res) => void res.writeHead(500, { 'content-type': 'text/plain' }).end(`no hook at ${r.path}`);
  const origin = new URL(rx.url).origin;
  const first = `${origin}${slackPath()}`;
  const second = `${origin}${slackPath()}?token=${randomBytes(10).toString('hex')}`;
  // Passes the schema (http(s), no spaces) but not the URL parser: the port is out of range.
  const broken = `https://hooks.example:99999${slackPath()}`;
  const secrets = [first, second, broken].map((u) => /^https?:\/\/[^/]+(\/.*)$/.exec(u)?.[1] ?? u);

  const created = await call({
    method: 'POST',
    url: '/api/v1/webhooks',
    payload: { name: 'slack-sec', url: first, format: 'slack' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id, url } = created.json() as { id: number; url: string };
  assert.equal(url, `${origin}/…`);
  const bad = await call({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'typo', url: broken } });
  assert.equal(bad.statusCode, 201, bad.body);
  assert.equal((bad.json() as { url: string }).url, 'https://hooks.example:99999/…');

  const list = await call({ method: 'GET', url: '/api/v1/webhooks' });
  const patched = await call({ method: 'PATCH', url: `/api/v1/webhooks/${id}`, payload: { url: second } });
  const reread = await call({ method: 'GET', url: `/api/v1/webhooks/${id}` });
  const reads = [created, bad, list, await call({ method: 'GET', url: `/api/v1/webhooks/${id}` }), patched, reread];
  assert.deepEqual(
    (list.json() as { items: { url: string }[] }).items.map((w) => w.url).sort(),
    [`${origin}/…`, 'https://hooks.example:99999/…'].sort(),
  );
  assert.equal((reread.json() as { url: string }).url, `${origin}/…`);
  // The store still sends to the full URL.
  assert.equal((await store.webhooks.get(id))?.url, second);

  await store.events.append({ type: EVENT_TYPES.imageNew, subject: 'sha256:abc', data: null });
  const n = startNotifier(ctx, { loop: false, maxAttempts: 1 });
  await n.tick();
  await n.stop();
  assert.ok(
    rx.received.some((r) => second.endsWith(r.path)),
    'the delivery went to the full URL',
  );
  const dead = await call({ method: 'GET', url: '/api/v1/deliveries?state=dead' });
  const deliveries = (dead.json() as { items: { webhookId: number; lastError?: string }[] }).items;
  assert.equal(deliveries.length, 2, dead.body);
  for (const d of deliveries) assert.ok(d.lastError?.includes('/…'), d.lastError);
  reads.push(dead);

  const audit = JSON.stringify(await store.audit.list());
  assert.ok(audit.includes('POST /api/v1/webhooks') && audit.includes('PATCH /api/v1/webhooks/:id'));
  const logs = [...appLog, ...(ctx.log as ReturnType<typeof memoryLog>).lines].join('\n');
  assert.ok(logs.includes('dead-lettered'), 'the notifier logged the failures');
  for (const secret of secrets) {
    for (const r of reads) assert.equal(r.body.includes(secret), false, `${r.body} holds ${secret}`);
    assert.equal(audit.includes(secret), false, 'the audit log holds a URL');
    assert.equal(logs.includes(secret), false, `the logs hold ${secret}`);
  }
});
