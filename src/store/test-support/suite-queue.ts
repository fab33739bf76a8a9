import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import { backoffMs, scanJobKey } from '../job-queue.js';
import { DEFAULT_QUEUE_OPTIONS } from '../store-context.js';
import { startChild } from './children.js';
import type { Harness } from './harness.js';
import { digestOf } from './scan-docs.js';

const leaseLost = (e: unknown) => e instanceof CustomsError && e.code === 'STORE_LEASE_LOST';
const queue = { leaseMs: 1000, maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1000 };

export function queueSuite(h: Harness): void {
  test('enqueue is idempotent by key: image digest + DB version + scanner plan', async () => {
    const { store } = await h.open();
    const key = scanJobKey(digestOf('img'), 'db-2026-01-01', 'plan-abc');
    const first = await store.jobs.enqueue({ kind: 'scan', idempotencyKey: key, payload: { image: 'x' } });
    const again = await store.jobs.enqueue({ kind: 'scan', idempotencyKey: key, payload: { image: 'other' } });
    assert.equal(first.created, true);
    assert.deepEqual(again, { job: first.job, created: false });
    const keys = [
      scanJobKey(digestOf('img2'), 'db-2026-01-01', 'plan-abc'),
      scanJobKey(digestOf('img'), 'db-2026-01-02', 'plan-abc'),
      scanJobKey(digestOf('img'), 'db-2026-01-01', 'plan-abd'),
    ];
    for (const k of keys)
      assert.equal((await store.jobs.enqueue({ kind: 'scan', idempotencyKey: k, payload: {} })).created, true);
    assert.equal((await store.jobs.list()).length, 4);
  });

  test('claims go by priority, then due time; jobs not yet due and other kinds wait', async () => {
    const { store, clock } = await h.open({ queue });
    const add = (key: string, extra: { priority?: number; runAfter?: number; kind?: string } = {}) =>
      store.jobs.enqueue({ kind: extra.kind ?? 'scan', idempotencyKey: key, payload: key, ...extra });
    await add('low');
    await add('later', { priority: 5, runAfter: clock.now() + 5000 });
    await add('high', { priority: 5 });
    await add('other', { kind: 'rematch', priority: 9 });
    const order: unknown[] = [];
    for (;;) {
      const lease = await store.jobs.claim({ worker: 'w', kinds: ['scan'] });
      if (!lease) break;
      order.push(lease.job.payload);
    }
    assert.deepEqual(order, ['high', 'low']);
    clock.advance(5000);
    assert.equal((await store.jobs.claim({ worker: 'w', kinds: ['scan'] }))?.job.payload, 'later');
    assert.equal(await store.jobs.claim({ worker: 'w', kinds: [] }), undefined);
    assert.equal((await store.jobs.claim({ worker: 'w' }))?.job.payload, 'other');
  });

  test('heartbeat extends the lease; the result is stored once', async () => {
    const { store, clock } = await h.open({ queue });
    await store.jobs.enqueue({ kind: 'scan', idempotencyKey: 'k', payload: {} });
    const lease = await store.jobs.claim({ worker: 'w1' });
    assert.ok(lease);
    assert.deepEqual(
      [lease.job.state, lease.job.attempts, lease.job.leaseOwner, lease.expiresAt],
      ['running', 1, 'w1', clock.now() + 1000],
    );
    clock.advance(900);
    const extended = await store.jobs.heartbeat(lease);
    assert.equal(extended.expiresAt, clock.now() + 1000);
    clock.advance(900);
    // Past the first lease's end but within the extension: nobody may take it.
    assert.equal(await store.jobs.claim({ worker: 'w2' }), undefined);
    const done = await store.jobs.complete(extended, { findings: 3 });
    assert.deepEqual(
      [done.state, done.result, done.finishedAt, done.leaseOwner],
      ['succeeded', { findings: 3 }, clock.now(), undefined],
    );
    await assert.rejects(store.jobs.complete(extended, { findings: 99 }), leaseLost);
    await assert.rejects(store.jobs.fail(extended, 'late'), leaseLost);
    assert.deepEqual((await store.jobs.get(lease.job.id))?.result, { findings: 3 });
  });

  test('failures retry with exponential backoff until max attempts, then fail for good', async () => {
    const { store, clock } = await h.open({ queue });
    const { job } = await store.jobs.enqueue({ kind: 'scan', idempotencyKey: 'k', payload: {} });
    const t0 = clock.now();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lease = await store.jobs.claim({ worker: 'w' });
      assert.equal(lease?.job.attempts, attempt);
      assert.ok(lease);
      const after = await store.jobs.fail(lease, `boom ${attempt}`);
      if (attempt < 3) {
        assert.deepEqual(
          [after.state, after.runAfter, after.lastError],
          ['queued', clock.now() + 100 * 2 ** (attempt - 1), `boom ${attempt}`],
        );
        clock.advance(100 * 2 ** (attempt - 1) - 1);
        assert.equal(await store.jobs.claim({ worker: 'w' }), undefined, 'claimed before its backoff ended');
        clock.advance(1);
      } else {
        assert.deepEqual([after.state, after.finishedAt, after.lastError], ['failed', clock.now(), 'boom 3']);
      }
    }
    assert.equal(await store.jobs.claim({ worker: 'w' }), undefined);
    assert.ok(clock.now() > t0);
    const failed = await store.events.list({ type: 'job.failed' });
    assert.deepEqual(
      failed.map((e) => e.data),
      [{ id: job.id, kind: 'scan', attempts: 3, error: 'boom 3' }],
    );

    await store.jobs.enqueue({ kind: 'scan', idempotencyKey: 'permanent', payload: {} });
    const lease = await store.jobs.claim({ worker: 'w' });
    assert.ok(lease);
    assert.equal((await store.jobs.fail(lease, 'bad image', { retry: false })).state, 'failed');
    assert.deepEqual([backoffMs(DEFAULT_QUEUE_OPTIONS, 1), backoffMs(DEFAULT_QUEUE_OPTIONS, 30)], [5000, 600_000]);
  });

  test('an expired lease is reclaimed: the job runs again elsewhere and the old worker is refused', async () => {
    const { store, clock } = await h.open({ queue: { ...queue, maxAttempts: 2 } });
    await store.jobs.enqueue({ kind: 'scan', idempotencyKey: 'k', payload: {} });
    const stale = await store.jobs.claim({ worker: 'dead' });
    assert.ok(stale);
    clock.advance(999);
    assert.equal(await store.jobs.reclaimExpired(), 0);
    clock.advance(1);
    assert.equal(await store.jobs.claim({ worker: 'alive' }), undefined, 'requeued with backoff, not yet due');
    const requeued = await store.jobs.get(stale.job.id);
    assert.deepEqual([requeued?.state, requeued?.lastError], ['queued', 'lease of dead expired (attempt 1 of 2)']);
    clock.advance(100);
    const fresh = await store.jobs.claim({ worker: 'alive' });
    assert.deepEqual([fresh?.job.id, fresh?.job.attempts, fresh?.job.leaseOwner], [stale.job.id, 2, 'alive']);
    await assert.rejects(
      store.jobs.heartbeat(stale),
      (e: unknown) => leaseLost(e) && /now leased to alive/.test(String(e)),
    );
    await assert.rejects(store.jobs.complete(stale, 'stale result'), leaseLost);
    // The last attempt's lease expiring fails the job.
    clock.advance(1000);
    assert.equal(await store.jobs.reclaimExpired(), 1);
    const failed = await store.jobs.get(stale.job.id);
    assert.deepEqual([failed?.state, failed?.result], ['failed', undefined]);
  });

  test('two worker processes share the queue; one SIGKILLed mid-job, its job is finished by the other after the lease', async () => {
    let claimedByA: Record<string, unknown> = {};
    const { store, target } = await h.open();
    const jobs = 6;
    // lease 1500 ms, 600 ms of work per job, a heartbeat every 200 ms; both run until all jobs finished.
    const args = (name: string) => ['worker', target, name, '1500', '600', '200', String(jobs)];
    const a = startChild(args('A'));
    const b = startChild(args('B'));
    const timer = setTimeout(() => {
      a.process.kill('SIGKILL');
      b.process.kill('SIGKILL');
    }, 90_000);
    try {
      await a.waitFor((l) => l.event === 'ready', 60_000);
      await b.waitFor((l) => l.event === 'ready', 60_000);
      for (let n = 0; n < jobs; n++) {
        await store.jobs.enqueue({ kind: 'test', idempotencyKey: `job-${n}`, payload: { n } });
      }
      claimedByA = await a.waitFor((l) => l.event === 'claimed', 20_000);
      const claimedByB = await b.waitFor((l) => l.event === 'claimed', 20_000);
      assert.notEqual(claimedByA.job, claimedByB.job, 'one job leased to two workers');
      a.process.kill('SIGKILL');
      assert.equal((await a.exited).signal, 'SIGKILL');
      const finished = await b.exited;
      assert.equal(finished.code, 0, finished.stderr);
    } finally {
      clearTimeout(timer);
      a.process.kill('SIGKILL');
      b.process.kill('SIGKILL');
    }

    const all = await store.jobs.list({ limit: 100 });
    assert.equal(all.length, jobs);
    const killedJob = all.find((j) => j.id === claimedByA.job);
    assert.ok(killedJob);
    assert.deepEqual(
      [killedJob.state, killedJob.attempts, killedJob.lastError],
      ['succeeded', 2, 'lease of A expired (attempt 1 of 3)'],
    );
    assert.deepEqual(killedJob.result, { worker: 'B', job: killedJob.id, payload: killedJob.payload });
    for (const j of all) {
      assert.equal(j.state, 'succeeded', `job ${j.id}`);
      assert.deepEqual((j.result as { payload: unknown }).payload, j.payload);
    }
    // A completed nothing (it died in its first job); B completed every job exactly once.
    assert.equal(a.lines.filter((l) => l.event === 'completed').length, 0);
    const completedByB = b.lines.filter((l) => l.event === 'completed').map((l) => l.job);
    assert.deepEqual([...completedByB].sort(), all.map((j) => j.id).sort());
  });

  test('concurrent claims never hand one job to two claimers', async () => {
    const { store, target } = await h.open({ queue });
    for (let n = 0; n < 30; n++) await store.jobs.enqueue({ kind: 'scan', idempotencyKey: `k${n}`, payload: n });
    // PostgreSQL: separate pools racing for rows; SQLite: one store per process, so claims race in its one connection.
    const claimers =
      h.dialect === 'postgres'
        ? await Promise.all([1, 2, 3, 4].map(() => h.open({ target, queue })))
        : [{ store }, { store }, { store }, { store }];
    const won = await Promise.all(
      claimers.flatMap((c, i) =>
        Array.from({ length: 10 }, () => c.store.jobs.claim({ worker: `w${i}` }).then((l) => l?.job.id)),
      ),
    );
    const ids = won.filter((id): id is number => id !== undefined);
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30);
  });
}
