import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { startPostgres, type TestPostgres } from '../../store/test-support/postgres.js';
import { EVENT_TYPES } from '../event-types.js';
import { type NotifierOptions, startNotifier } from './notifier.js';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';
import { type memoryLog, type Receiver, startReceiver, testContext } from './test-support/receiver.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

interface Clock {
  now: () => number;
  advance(ms: number): void;
}
const clockAt = (t: number): Clock => {
  let now = t;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
};

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function sqliteStore(clock: Clock): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-notify-store-'));
  const store = await openStore(join(dir, 'data'), { now: clock.now, secretKey: parseSecretKey(randomBytes(32)) });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

function notifier(store: Store, clock: Clock, opts: NotifierOptions = {}) {
  const ctx = testContext(store, clock.now);
  const n = startNotifier(ctx, { loop: false, random: () => 1, timeoutMs: 2000, ...opts });
  cleanups.push(async () => {
    await n.stop();
    ctx.close();
  });
  return { n, ctx };
}

const bodyOf = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

describe('JSON webhooks', () => {
  test('are signed with HMAC-SHA256 over the raw body; a tampered body or another secret does not verify', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    const secret = randomBytes(16).toString('hex');
    await store.webhooks.add({ name: 'ci', url: rx.url, format: 'json', eventTypes: [], secret, createdBy: 'admin' });
    const event = await store.events.append({
      type: EVENT_TYPES.imageNew,
      subject: 'reg/app@sha256:aa',
      data: { x: 1 },
    });
    const { n, ctx } = notifier(store, clock);
    await n.tick();

    assert.equal(rx.received.length, 1);
    const [r] = rx.received;
    if (!r) return;
    const header = r.headers[SIGNATURE_HEADER] as string;
    assert.match(header, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifySignature(secret, r.body, header), true);
    const tampered = Buffer.from(r.body);
    tampered.writeUInt8((tampered.at(-2) ?? 0) ^ 1, tampered.length - 2);
    assert.equal(verifySignature(secret, tampered, header), false);
    assert.equal(verifySignature(`${secret}x`, r.body, header), false);
    const [delivery] = await store.deliveries.list();
    assert.equal(r.headers['x-customs-delivery'], String(delivery?.id));
    assert.equal(r.headers['x-customs-event'], 'image.new');
    assert.equal(r.headers['x-customs-event-id'], String(event.id));
    assert.equal(r.headers['x-customs-timestamp'], String(Math.floor(T0 / 1000)));
    const body = bodyOf(r);
    assert.deepEqual(
      [body.type, body.subject, body.timestamp, body.delivery],
      ['image.new', 'reg/app@sha256:aa', new Date(T0).toISOString(), delivery?.id],
    );
    assert.deepEqual((body.event as { data: unknown }).data, { x: 1 });
    assert.equal(delivery?.state, 'delivered');
    // Read again: nothing is sent twice.
    await n.tick();
    assert.equal(rx.received.length, 1);
    assert.equal(
      (ctx.log as ReturnType<typeof memoryLog>).lines.some((l) => l.includes(secret)),
      false,
      'the secret was logged',
    );
  });

  test('only subscribed event types, and only events after the subscription was made', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    await store.events.append({ type: EVENT_TYPES.scanFinished, subject: 'before', data: null });
    clock.advance(1);
    await store.webhooks.add({
      name: 'w',
      url: rx.url,
      format: 'json',
      eventTypes: [EVENT_TYPES.scanFinished],
      createdBy: 'a',
    });
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: 'other type', data: null });
    await store.events.append({ type: EVENT_TYPES.scanFinished, subject: 'after', data: null });
    await notifier(store, clock).n.tick();
    assert.deepEqual(
      rx.received.map((r) => bodyOf(r).subject),
      ['after'],
    );
    assert.equal(rx.received[0]?.headers[SIGNATURE_HEADER], undefined, 'no secret, no signature');
  });
});

describe('retries and the dead-letter list', () => {
  test('5xx is retried with backoff, then the delivery is dead-lettered after the last attempt', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    rx.respond = (_r, res) => void res.writeHead(503).end('busy');
    await store.webhooks.add({ name: 'w', url: rx.url, format: 'json', eventTypes: [], createdBy: 'a' });
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: 's', data: null });
    const { n } = notifier(store, clock, { maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 10_000 } });
    await n.tick();
    let [d] = await store.deliveries.list();
    // random() = 1: the top of the jitter range, base · 2^(attempt-1).
    assert.deepEqual([d?.state, d?.attempts, d?.nextAttemptAt, d?.lastStatus], ['pending', 1, T0 + 1000, 503]);
    await n.tick();
    assert.equal(rx.received.length, 1, 'not retried before its time');
    clock.advance(1000);
    await n.tick();
    [d] = await store.deliveries.list();
    assert.deepEqual([d?.attempts, d?.nextAttemptAt], [2, T0 + 1000 + 2000]);
    clock.advance(2000);
    await n.tick();
    assert.equal(rx.received.length, 3);
    const dead = await store.deliveries.list({ state: 'dead' });
    assert.equal(dead.length, 1);
    assert.match(dead[0]?.lastError ?? '', /HTTP 503: busy \(gave up after 3 attempts\)/);
    clock.advance(60 * MIN);
    await n.tick();
    assert.equal(rx.received.length, 3, 'a dead delivery is not sent again by itself');
    // Retried by hand, it goes out once more.
    rx.respond = (_r, res) => void res.writeHead(204).end();
    await store.deliveries.retry(dead[0]?.id ?? 0);
    await n.tick();
    assert.equal(rx.received.length, 4);
    assert.equal((await store.deliveries.get(dead[0]?.id ?? 0))?.state, 'delivered');
  });

  test('429 honours Retry-After; network errors are retried; other 4xx and redirects are dead at once', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    const elsewhere = await receiver();
    rx.respond = (r, res) => {
      const path = r.path;
      if (path.endsWith('/limited')) res.writeHead(429, { 'retry-after': '120' }).end();
      else if (path.endsWith('/gone')) res.writeHead(410).end('gone');
      else res.writeHead(307, { location: elsewhere.url }).end();
    };
    const base = rx.url.replace(/\/hook$/, '');
    // A port nothing listens on: connection refused.
    const closed = await startReceiver();
    await closed.close();
    const subs = {
      limited: `${base}/limited`,
      gone: `${base}/gone`,
      moved: `${base}/moved`,
      refused: closed.url,
    };
    for (const [name, url] of Object.entries(subs)) {
      await store.webhooks.add({ name, url, format: 'json', eventTypes: [], createdBy: 'a' });
    }
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: 's', data: null });
    await notifier(store, clock, { backoff: { baseMs: 1000, maxMs: 3_600_000 } }).n.tick();
    const byName = new Map<string, Awaited<ReturnType<Store['deliveries']['list']>>[number]>();
    for (const s of await store.webhooks.list()) {
      const [d] = await store.deliveries.list({ subscriptionId: s.id });
      if (d) byName.set(s.name, d);
    }
    assert.deepEqual([byName.get('limited')?.state, byName.get('limited')?.nextAttemptAt], ['pending', T0 + 120_000]);
    assert.deepEqual([byName.get('refused')?.state, byName.get('refused')?.nextAttemptAt], ['pending', T0 + 1000]);
    assert.match(byName.get('refused')?.lastError ?? '', /ECONNREFUSED/);
    assert.deepEqual([byName.get('gone')?.state, byName.get('gone')?.lastStatus], ['dead', 410]);
    assert.equal(byName.get('moved')?.state, 'dead');
    assert.match(byName.get('moved')?.lastError ?? '', /redirect to .* not followed/);
    assert.equal(elsewhere.received.length, 0, 'a redirect was followed');
  });

  test('a receiver that does not answer times out and is retried; an endless answer is not read to its end', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const silent = await receiver();
    silent.respond = () => undefined;
    const endless = await receiver();
    endless.respond = (_r, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    };
    await store.webhooks.add({ name: 'silent', url: silent.url, format: 'json', eventTypes: [], createdBy: 'a' });
    await store.webhooks.add({ name: 'endless', url: endless.url, format: 'json', eventTypes: [], createdBy: 'a' });
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: 's', data: null });
    await notifier(store, clock, { timeoutMs: 500 }).n.tick();
    const [s1] = await store.deliveries.list({ subscriptionId: (await store.webhooks.list())[1]?.id ?? 0 });
    const [e1] = await store.deliveries.list({ subscriptionId: (await store.webhooks.list())[0]?.id ?? 0 });
    assert.deepEqual([s1?.state, s1?.lastStatus], ['pending', undefined]);
    assert.match(s1?.lastError ?? '', /timeout|aborted/i);
    assert.deepEqual([e1?.state, e1?.lastStatus], ['pending', 500]);
    assert.match(e1?.lastError ?? '', /^HTTP 500: x{10}/);
  });

  test('a secret the store key cannot open fails the delivery (counted, then dead), it does not hang', async () => {
    const clock = clockAt(T0);
    const dir = mkdtempSync(join(tmpdir(), 'customs-notify-key-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sealed = await openStore(join(dir, 'data'), { now: clock.now, secretKey: parseSecretKey(randomBytes(32)) });
    const rx = await receiver();
    await sealed.webhooks.add({
      name: 'w',
      url: rx.url,
      format: 'json',
      eventTypes: [],
      secret: 'x'.repeat(16),
      createdBy: 'a',
    });
    await sealed.close();
    // The same store opened with another key, as after a lost key file.
    const store = await openStore(join(dir, 'data'), { now: clock.now, secretKey: parseSecretKey(randomBytes(32)) });
    cleanups.push(() => store.close());
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: 's', data: null });
    const { n } = notifier(store, clock, { maxAttempts: 2, backoff: { baseMs: 1000, maxMs: 1000 } });
    await n.tick();
    clock.advance(1000);
    await n.tick();
    const [d] = await store.deliveries.list();
    assert.deepEqual([d?.state, d?.attempts], ['dead', 2]);
    assert.match(d?.lastError ?? '', /does not open with this store key/);
    assert.equal(rx.received.length, 0, 'sent unsigned');
  });

  test('link-local receivers (cloud metadata) are refused unless allowed', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    await store.webhooks.add({
      name: 'meta',
      url: 'http://169.254.169.254/latest/meta-data',
      format: 'json',
      eventTypes: [],
      createdBy: 'a',
    });
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: 's', data: null });
    await notifier(store, clock).n.tick();
    const [d] = await store.deliveries.list();
    assert.equal(d?.state, 'dead');
    assert.match(d?.lastError ?? '', /169\.254\.169\.254 is a link-local address/);
    // Allowed, it is attempted: whatever the network answers, it is not the policy's refusal.
    await store.deliveries.retry(d?.id ?? 0);
    await notifier(store, clock, { refusedAddresses: [], timeoutMs: 200 }).n.tick();
    const [again] = await store.deliveries.list();
    assert.equal(again?.attempts, 1);
    assert.doesNotMatch(again?.lastError ?? '', /refused to send|link-local/);
  });
});

describe('Slack', () => {
  test('incoming-webhook payload: text fallback and header, section and context blocks, escaped', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    await store.webhooks.add({ name: 'slack', url: rx.url, format: 'slack', eventTypes: [], createdBy: 'a' });
    await store.events.append({
      type: EVENT_TYPES.dbUpdateFailed,
      subject: 'vulndb',
      data: { error: `feed <nvd> & ${'x'.repeat(400)}` },
    });
    await notifier(store, clock).n.tick();
    assert.equal(rx.received.length, 1);
    const body = bodyOf(rx.received[0] ?? { body: Buffer.from('{}') }) as {
      text: string;
      blocks: { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
    };
    assert.match(body.text, /^Vulnerability DB update failed: feed <nvd> &/);
    assert.deepEqual(
      body.blocks.map((b) => b.type),
      ['header', 'section', 'context'],
    );
    const [header, section, context] = body.blocks;
    assert.equal(header?.text?.type, 'plain_text');
    assert.ok((header?.text?.text.length ?? 999) <= 150);
    assert.equal(section?.text?.type, 'mrkdwn');
    assert.match(section?.text?.text ?? '', /feed &lt;nvd&gt; &amp; x/);
    assert.equal(section?.text?.text.includes('<nvd>'), false);
    assert.equal(context?.elements?.[0]?.type, 'mrkdwn');
  });
});

/** Tag each image in one of `repos` repositories of a registry. */
async function tagImages(store: Store, images: readonly string[], repos: number): Promise<void> {
  const reg = await store.registries.add({ name: 'reg', url: 'https://reg.example' });
  const repoIds = [];
  for (let i = 0; i < repos; i++) repoIds.push((await store.images.ensureRepository(reg.id, `team/app${i}`)).id);
  for (const [i, digest] of images.entries()) {
    await store.images.setTag(repoIds[i % repos] ?? 0, `v${i}`, digest);
  }
}

const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

describe('digest per CVE', () => {
  test('finding.new for one CVE in one window is one message: "CVE-X now affects 37 images in 5 repositories"', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    const slack = await receiver();
    await store.webhooks.add({ name: 'json', url: rx.url, format: 'json', eventTypes: [], createdBy: 'a' });
    await store.webhooks.add({ name: 'slack', url: slack.url, format: 'slack', eventTypes: [], createdBy: 'a' });
    const images = Array.from({ length: 37 }, (_, i) => digestOf(i + 1));
    await tagImages(store, images, 5);
    const { n } = notifier(store, clock, { digestWindowMs: MIN, digestSettleMs: 1000 });
    // Spread over the window, read in several rounds.
    for (const [i, digest] of images.entries()) {
      await store.events.append({
        type: EVENT_TYPES.findingNew,
        subject: digest,
        data: { findingId: 'CVE-2026-1000', imageDigest: digest, severity: 'critical' },
      });
      if (i % 10 === 0) await n.tick();
      clock.advance(1000);
    }
    await store.events.append({
      type: EVENT_TYPES.findingNew,
      subject: digestOf(1),
      data: { findingId: 'CVE-2026-2000', imageDigest: digestOf(1) },
    });
    await n.tick();
    assert.equal(rx.received.length, 0, 'a digest waits for its window to close');
    clock.advance(MIN);
    await n.tick();
    const bodies = rx.received.map(bodyOf);
    assert.deepEqual(bodies.map((b) => b.summary).sort(), [
      'CVE-2026-1000 now affects 37 images in 5 repositories',
      'CVE-2026-2000 now affects 1 image in 1 repository',
    ]);
    const big = bodies.find((b) => b.subject === 'CVE-2026-1000')?.digest as {
      imageCount: number;
      repositoryCount: number;
      images: string[];
      severity: string;
    };
    assert.deepEqual([big.imageCount, big.repositoryCount, big.severity], [37, 5, 'critical']);
    assert.deepEqual(big.images, [...images].sort());
    assert.equal(slack.received.length, 2);
    assert.ok(slack.received.some((r) => (bodyOf(r).text as string).startsWith('CVE-2026-1000 now affects 37 images')));
  });
});

describe('digest per CVE: pre-aggregated and late events', () => {
  test('events that count several images (the rescan form) are unioned by image, their unlisted remainder added', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    await store.webhooks.add({ name: 'json', url: rx.url, format: 'json', eventTypes: [], createdBy: 'a' });
    const { n } = notifier(store, clock, { digestWindowMs: MIN, digestSettleMs: 0 });
    const imgs = Array.from({ length: 40 }, (_, i) => digestOf(i + 500));
    const aggregated = (images: string[], repos: string[], count = images.length) => ({
      type: EVENT_TYPES.findingNew,
      subject: 'CVE-2026-4000',
      data: {
        findingId: 'CVE-2026-4000',
        message: `CVE-2026-4000 now affects ${count} images`,
        images: count,
        repositories: repos.length,
        bySeverity: { high: count },
        imageDigests: images,
        repositoryNames: repos,
      },
    });
    // 30 images, then 15 of which 5 were in the first: 40 images; repositories a, b, then b, c.
    await store.events.append(aggregated(imgs.slice(0, 30), ['reg/a', 'reg/b']));
    await n.tick();
    await store.events.append(aggregated(imgs.slice(25, 40), ['reg/b', 'reg/c']));
    // Another CVE whose event lists 2 of the 1500 images it counts.
    await store.events.append({
      type: EVENT_TYPES.findingNew,
      subject: 'CVE-2026-5000',
      data: {
        findingId: 'CVE-2026-5000',
        images: 1500,
        repositories: 9,
        imageDigests: imgs.slice(0, 2),
        repositoryNames: ['reg/a'],
        truncated: true,
      },
    });
    clock.advance(MIN);
    await n.tick();
    const bodies = rx.received.map(bodyOf);
    assert.deepEqual(bodies.map((b) => b.summary).sort(), [
      'CVE-2026-4000 now affects 40 images in 3 repositories',
      'CVE-2026-5000 now affects 1500 images in 9 repositories',
    ]);
    const d = bodies.find((b) => b.subject === 'CVE-2026-4000')?.digest as { severity: string; images: string[] };
    assert.equal(d.severity, 'high');
    assert.deepEqual(d.images, [...imgs].sort());
  });

  test('an event read after its window was sent (a lagging reader) gets a message of its own, once', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    await store.webhooks.add({ name: 'json', url: rx.url, format: 'json', eventTypes: [], createdBy: 'a' });
    const { n } = notifier(store, clock, { digestWindowMs: MIN, digestSettleMs: 0 });
    const finding = (image: string) => ({
      type: EVENT_TYPES.findingNew,
      subject: image,
      data: { findingId: 'CVE-2026-6000', imageDigest: image },
    });
    await store.events.append(finding(digestOf(1)));
    await n.tick();
    clock.advance(MIN);
    await n.tick();
    assert.equal(rx.received.length, 1);
    // An event of the same window, committed late (its time is the window's).
    clock.advance(-MIN + 10);
    await store.events.append(finding(digestOf(2)));
    clock.advance(MIN);
    await n.tick();
    await n.tick();
    assert.deepEqual(
      rx.received.map((r) => bodyOf(r).summary),
      ['CVE-2026-6000 now affects 1 image in 0 repositories', `CVE-2026-6000 now affects ${digestOf(2)}`],
    );
  });
});

describe('exception expiry', () => {
  test('exception.expiring once per exception expiring within 7 days, however many notifiers check', async () => {
    const clock = clockAt(T0);
    const store = await sqliteStore(clock);
    const rx = await receiver();
    await store.webhooks.add({
      name: 'w',
      url: rx.url,
      format: 'json',
      eventTypes: [EVENT_TYPES.exceptionExpiring],
      createdBy: 'a',
    });
    const DAY = 24 * 60 * MIN;
    const mk = async (finding: string, days: number, approve = true) => {
      const x = await store.policies.addException({
        finding,
        scope: '*',
        owner: 'team-a',
        reason: 'r',
        expiresAt: T0 + days * DAY,
        createdBy: 'alice',
      });
      if (approve) await store.policies.approveException(x.id, 'bob');
      return x;
    };
    const soon = await mk('CVE-2026-1', 3);
    await mk('CVE-2026-2', 10);
    await mk('CVE-2026-3', 2, false);
    const revoked = await mk('CVE-2026-4', 1);
    await store.policies.revokeException(revoked.id);
    const a = notifier(store, clock, { exceptionCheckMs: 0 }).n;
    const b = notifier(store, clock, { exceptionCheckMs: 0 }).n;
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    const events = await store.events.list({ type: EVENT_TYPES.exceptionExpiring });
    assert.deepEqual(
      events.map((e) => (e.data as { finding: string }).finding),
      ['CVE-2026-1'],
    );
    assert.equal(rx.received.length, 1);
    assert.match(
      bodyOf(rx.received[0] ?? { body: Buffer.from('{}') }).summary as string,
      new RegExp(`Exception #${soon.id} for CVE-2026-1 \\(owner team-a\\) expires 2026-01-04`),
    );
    // Four days on, the 10-day one is within 7 days.
    clock.advance(4 * DAY);
    await a.tick();
    assert.deepEqual(
      (await store.events.list({ type: EVENT_TYPES.exceptionExpiring })).map(
        (e) => (e.data as { finding: string }).finding,
      ),
      ['CVE-2026-1', 'CVE-2026-2'],
    );
  });
});

describe('two notifiers on one PostgreSQL store', () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg.stop();
  });

  test('send every event and every digest once', async () => {
    const clock = clockAt(T0);
    const url = await pg.createDatabase();
    const key = parseSecretKey(randomBytes(32));
    const one = await openStore(url, { now: clock.now, secretKey: key });
    const two = await openStore(url, { now: clock.now, secretKey: key });
    cleanups.push(
      () => one.close(),
      () => two.close(),
    );
    const rx = await receiver();
    // A slow receiver keeps deliveries in flight while the other notifier claims.
    rx.respond = (_r, res) => void setTimeout(() => res.writeHead(200).end(), 20);
    await one.webhooks.add({ name: 'w', url: rx.url, format: 'json', eventTypes: [], secret: 'k', createdBy: 'a' });
    const images = Array.from({ length: 12 }, (_, i) => digestOf(i + 100));
    await tagImages(one, images, 3);
    for (const [i, d] of images.entries()) {
      await (i % 2 ? one : two).events.append({ type: EVENT_TYPES.imageNew, subject: d, data: null });
      await (i % 2 ? two : one).events.append({
        type: EVENT_TYPES.findingNew,
        subject: d,
        data: { findingId: 'CVE-2026-3000', imageDigest: d },
      });
    }
    const opts = { digestWindowMs: MIN, digestSettleMs: 0, concurrency: 3, batch: 5 };
    const a = notifier(one, clock, opts).n;
    const b = notifier(two, clock, opts).n;
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    clock.advance(MIN);
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    const ids = rx.received.map((r) => r.headers['x-customs-delivery']);
    assert.equal(new Set(ids).size, ids.length, `a delivery was sent twice: ${ids.join(',')}`);
    const bodies = rx.received.map(bodyOf);
    assert.equal(bodies.filter((b) => b.type === 'image.new').length, 12);
    assert.deepEqual(
      bodies.filter((b) => b.type === 'finding.new').map((b) => b.summary),
      ['CVE-2026-3000 now affects 12 images in 3 repositories'],
    );
    assert.ok(rx.received.every((r) => verifySignature('k', r.body, r.headers[SIGNATURE_HEADER] as string)));
  });
});
