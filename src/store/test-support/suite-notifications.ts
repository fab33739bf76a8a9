import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import { parseSecretKey } from '../secret-box.js';
import type { Harness } from './harness.js';

const isCode = (code: string) => (e: unknown) => e instanceof CustomsError && e.code === code;

export function notificationSuite(h: Harness): void {
  const key = () => parseSecretKey(randomBytes(32));

  test('webhook secrets are sealed at rest, open with the key, and need a key to be stored', async () => {
    const { store, backend, target } = await h.open({ secretKey: key() });
    const secret = `s3cret-${randomBytes(8).toString('hex')}`;
    const sub = await store.webhooks.add({
      name: 'ops',
      url: 'http://127.0.0.1:1/hook',
      format: 'json',
      eventTypes: ['finding.new'],
      secret,
      createdBy: 'alice',
    });
    assert.deepEqual([sub.hasSecret, sub.enabled, sub.eventTypes], [true, true, ['finding.new']]);
    assert.equal(JSON.stringify(sub).includes(secret), false);
    const rows = await backend.db.selectFrom('webhook_subscriptions').selectAll().execute();
    assert.equal(Buffer.from(rows[0]?.secret ?? []).includes(Buffer.from(secret)), false);
    assert.equal(await store.webhooks.secret(sub.id), secret);
    await assert.rejects(
      store.webhooks.add({ name: 'ops', url: 'http://x/', format: 'slack', eventTypes: [], createdBy: 'a' }),
      isCode('STORE_CONFLICT'),
    );
    // Another key does not open it; no key cannot store one.
    const other = await h.open({ target, secretKey: key() });
    await assert.rejects(other.store.webhooks.secret(sub.id), isCode('STORE_SECRET_INVALID'));
    const keyless = await h.open({ target });
    await assert.rejects(
      keyless.store.webhooks.add({
        name: 'x',
        url: 'http://x/',
        format: 'json',
        eventTypes: [],
        secret: 'k',
        createdBy: 'a',
      }),
      isCode('STORE_SECRET_INVALID'),
    );
    const updated = await store.webhooks.update(sub.id, { enabled: false, secret: null });
    assert.deepEqual([updated?.enabled, updated?.hasSecret], [false, false]);
    assert.equal(await store.webhooks.update(9999, { enabled: true }), undefined);
  });

  test('deliveries: one per (subscription, key); leased once; retried, dead-lettered, retried by hand', async () => {
    const { store, clock } = await h.open();
    const sub = await store.webhooks.add({
      name: 'a',
      url: 'http://x/',
      format: 'json',
      eventTypes: [],
      createdBy: 'a',
    });
    const first = await store.deliveries.create({
      subscriptionId: sub.id,
      dedupKey: 'event:1',
      eventType: 'image.new',
      eventId: 1,
      subject: 'sha256:aa',
      payload: { n: 1 },
    });
    const again = await store.deliveries.create({
      subscriptionId: sub.id,
      dedupKey: 'event:1',
      eventType: 'image.new',
      eventId: 1,
      subject: 'sha256:aa',
      payload: { n: 2 },
    });
    assert.deepEqual([first.created, again.created, again.delivery.id], [true, false, first.delivery.id]);
    assert.deepEqual(again.delivery.payload, { n: 1 });

    const [lease] = await store.deliveries.claim({ leaseMs: 1000 });
    assert.ok(lease);
    assert.deepEqual([lease.delivery.state, lease.delivery.attempts], ['sending', 1]);
    assert.deepEqual(await store.deliveries.claim({ leaseMs: 1000 }), [], 'a leased delivery is not claimed twice');
    // Unsent payloads may be updated; a leased one may not.
    assert.equal(await store.deliveries.updatePending(first.delivery.id, () => ({ n: 3 })), false);

    const retried = await store.deliveries.fail(lease, { error: 'HTTP 503', status: 503, retryAt: clock.now() + 500 });
    assert.deepEqual([retried.state, retried.lastStatus, retried.lastError], ['pending', 503, 'HTTP 503']);
    assert.deepEqual(await store.deliveries.claim({ leaseMs: 1000 }), [], 'not before retryAt');
    await assert.rejects(store.deliveries.succeed(lease, 200), isCode('STORE_LEASE_LOST'));
    clock.advance(500);
    const [second] = await store.deliveries.claim({ leaseMs: 1000 });
    assert.equal(second?.delivery.attempts, 2);
    if (!second) return;
    const dead = await store.deliveries.fail(second, { error: 'connect ECONNREFUSED' });
    assert.equal(dead.state, 'dead');
    assert.deepEqual(
      (await store.deliveries.list({ state: 'dead' })).map((d) => d.id),
      [first.delivery.id],
    );
    const back = await store.deliveries.retry(first.delivery.id);
    assert.deepEqual([back?.state, back?.attempts], ['pending', 0]);
    await assert.rejects(store.deliveries.retry(first.delivery.id), isCode('STORE_CONFLICT'));
    assert.equal(await store.deliveries.retry(424242), undefined);
    const [third] = await store.deliveries.claim({ leaseMs: 1000 });
    if (!third) throw new Error('the retried delivery was not claimed');
    const ok = await store.deliveries.succeed(third, 204);
    assert.deepEqual([ok.state, ok.lastStatus, ok.deliveredAt], ['delivered', 204, clock.now()]);
    // Pruning removes delivered rows older than the cut only; dead ones stay for a human.
    const { delivery: other } = await store.deliveries.create({
      subscriptionId: sub.id,
      dedupKey: 'event:2',
      eventType: 'image.new',
      subject: 's',
      payload: null,
    });
    const [l2] = await store.deliveries.claim({ leaseMs: 1000 });
    if (l2) await store.deliveries.fail(l2, { error: 'no' });
    assert.equal(await store.deliveries.prune(clock.now()), 0);
    assert.equal(await store.deliveries.prune(clock.now() + 1), 1);
    assert.equal(await store.deliveries.get(first.delivery.id), undefined);
    assert.equal((await store.deliveries.get(other.id))?.state, 'dead');
    assert.equal(await store.webhooks.remove(sub.id), true);
    assert.equal(await store.deliveries.get(other.id), undefined, 'deliveries go with their subscription');
  });

  test('deliveries: an expired lease is claimed again; a pending digest takes updates until sent', async () => {
    const { store, clock } = await h.open();
    const sub = await store.webhooks.add({
      name: 'a',
      url: 'http://x/',
      format: 'json',
      eventTypes: [],
      createdBy: 'a',
    });
    const { delivery } = await store.deliveries.create({
      subscriptionId: sub.id,
      dedupKey: 'digest:x',
      eventType: 'finding.new',
      subject: 'CVE-1',
      payload: { items: ['a'] },
      notBefore: clock.now() + 1000,
    });
    assert.equal(
      await store.deliveries.updatePending(delivery.id, (p) => ({
        items: [...(p as { items: string[] }).items, 'b'],
      })),
      true,
    );
    assert.deepEqual([], await store.deliveries.claim({ leaseMs: 100 }));
    clock.advance(1000);
    const [lease] = await store.deliveries.claim({ leaseMs: 100 });
    assert.deepEqual(lease?.delivery.payload, { items: ['a', 'b'] });
    clock.advance(100);
    const [again] = await store.deliveries.claim({ leaseMs: 100 });
    assert.deepEqual([again?.delivery.id, again?.delivery.attempts], [delivery.id, 2]);
    if (lease) await assert.rejects(store.deliveries.succeed(lease, 200), isCode('STORE_LEASE_LOST'));
  });

  test('deliveries: concurrent claims from two stores never lease one delivery twice', async () => {
    const a = await h.open();
    const b = h.dialect === 'postgres' ? await h.open({ target: a.target }) : a;
    const sub = await a.store.webhooks.add({
      name: 'a',
      url: 'http://x/',
      format: 'json',
      eventTypes: [],
      createdBy: 'a',
    });
    for (let i = 0; i < 20; i++) {
      await a.store.deliveries.create({
        subscriptionId: sub.id,
        dedupKey: `event:${i}`,
        eventType: 't',
        subject: 's',
        payload: i,
      });
    }
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).store.deliveries.claim({ leaseMs: 60_000, limit: 3 })),
    );
    const ids = claims.flat().map((l) => l.delivery.id);
    assert.equal(new Set(ids).size, ids.length, `a delivery was leased twice: ${ids.join(',')}`);
    assert.equal(ids.length, 20);
  });

  test('notifier cursors only move forward; appendOnce appends an event once per key', async () => {
    const { store } = await h.open();
    assert.equal(await store.notifier.cursor('n'), 0);
    await store.notifier.advance('n', 7);
    await store.notifier.advance('n', 3);
    assert.equal(await store.notifier.cursor('n'), 7);
    const input = { type: 'exception.expiring', subject: 'exception:1', data: { id: 1 } };
    const results = await Promise.all([1, 2, 3].map(() => store.notifier.appendOnce('exception:1:100', input)));
    assert.equal(results.filter((r) => r !== undefined).length, 1);
    assert.equal((await store.events.list({ type: 'exception.expiring' })).length, 1);
  });

  test('Harbor scan requests keep the pull authorization sealed until dropped', async () => {
    const { store, backend, clock } = await h.open({ secretKey: key() });
    const auth = `Basic ${randomBytes(12).toString('base64')}`;
    const rec = await store.harborScans.add({
      id: 'req-1',
      registryUrl: 'https://harbor.example',
      repository: 'library/app',
      digest: `sha256:${'a'.repeat(64)}`,
      authorization: auth,
    });
    assert.deepEqual([rec.hasAuthorization, rec.jobId], [true, undefined]);
    await store.harborScans.setJob('req-1', 5);
    assert.equal((await store.harborScans.get('req-1'))?.jobId, 5);
    const raw = await backend.db.selectFrom('harbor_scans').selectAll().executeTakeFirstOrThrow();
    assert.equal(Buffer.from(raw.pull_auth ?? []).includes(Buffer.from(auth)), false);
    assert.equal(await store.harborScans.authorization('req-1'), auth);
    await store.harborScans.dropAuthorization('req-1');
    assert.equal(await store.harborScans.authorization('req-1'), undefined);
    // Abandoned requests: authorizations older than a cut are dropped, newer ones kept.
    await store.harborScans.add({
      id: 'old',
      registryUrl: 'x',
      repository: 'r',
      digest: 'd',
      authorization: 'Basic b2xk',
    });
    clock.advance(1000);
    await store.harborScans.add({
      id: 'new',
      registryUrl: 'x',
      repository: 'r',
      digest: 'd',
      authorization: 'Basic bmV3',
    });
    assert.equal(await store.harborScans.dropAuthorizationsBefore(clock.now()), 1);
    assert.deepEqual(
      [await store.harborScans.authorization('old'), await store.harborScans.authorization('new')],
      [undefined, 'Basic bmV3'],
    );
    assert.equal((await store.harborScans.get('req-1'))?.hasAuthorization, false);
    await assert.rejects(
      store.harborScans.add({ id: 'req-1', registryUrl: 'x', repository: 'r', digest: 'd' }),
      isCode('STORE_CONFLICT'),
    );
  });
  test('retention prunes Harbor scan requests whose job is over and once-keys, older than the cut; in batches', async () => {
    const { store, clock } = await h.open();
    const digest = `sha256:${'b'.repeat(64)}`;
    const add = (id: string, jobId?: number) =>
      store.harborScans
        .add({ id, registryUrl: 'https://harbor.example', repository: 'library/app', digest })
        .then(() => (jobId !== undefined ? store.harborScans.setJob(id, jobId) : undefined));
    const job = async (key: string, end: 'succeeded' | 'failed' | 'queued' | 'running') => {
      const { job: j } = await store.jobs.enqueue({ kind: `harbor-${key}`, idempotencyKey: key, payload: null });
      if (end === 'queued') return j.id;
      const lease = await store.jobs.claim({ worker: 'w', kinds: [`harbor-${key}`] });
      assert.ok(lease);
      if (end === 'succeeded') await store.jobs.complete(lease, null);
      if (end === 'failed') await store.jobs.fail(lease, 'bad', { retry: false });
      return j.id;
    };
    // Old: 1,200 requests without a job (more than one delete batch), two whose job is over, one
    // whose job still waits and one whose job runs (their jobs read the row: kept however old).
    for (let i = 0; i < 1200; i++) await add(`old-${i}`);
    await add('old-succeeded', await job('old-succeeded', 'succeeded'));
    await add('old-failed', await job('old-failed', 'failed'));
    await add('old-queued', await job('old-queued', 'queued'));
    await add('old-running', await job('old-running', 'running'));
    const once = { type: 'runtime.alert', subject: 'c1', data: { n: 1 } };
    for (let i = 0; i < 1005; i++) assert.ok(await store.notifier.appendOnce(`old-key-${i}`, once));
    clock.advance(10 * 86_400_000);
    const cut = clock.now();
    await add('new', await job('new', 'succeeded'));
    assert.ok(await store.notifier.appendOnce('new-key', once));

    const pruned = await store.retention.prune({ harborScansBefore: cut, onceKeysBefore: cut });
    assert.deepEqual(pruned, { harborScans: 1202, onceKeys: 1005 });
    for (const gone of ['old-0', 'old-1199', 'old-succeeded', 'old-failed'])
      assert.equal(await store.harborScans.get(gone), undefined, gone);
    for (const kept of ['old-queued', 'old-running', 'new']) assert.ok(await store.harborScans.get(kept), kept);
    // A pruned key is forgotten (its event stays in the log); a kept one still refuses a second append.
    assert.equal(await store.notifier.appendOnce('new-key', once), undefined);
    assert.ok(await store.notifier.appendOnce('old-key-0', once));
    // Nothing left to prune: a second run deletes nothing.
    assert.deepEqual(await store.retention.prune({ harborScansBefore: cut, onceKeysBefore: cut }), {
      harborScans: 0,
      onceKeys: 0,
    });
  });
}
