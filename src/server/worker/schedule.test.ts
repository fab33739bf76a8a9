import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore, type Store } from '../../store/index.js';
import { DEFAULT_FEEDS } from '../../vulndb/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { JOB_KINDS } from '../jobs.js';
import { startWorkerPool } from './pool.js';
import { DEFAULT_RETENTION_DAYS, parseRetentionDays, type PruneResult, retentionOf } from './prune-job.js';
import { parseSchedule, startSchedule, tickJobs } from './schedule.js';
import { buildTestDb, serverContext, until } from './test-support/fixtures.js';

let root: string;
let store: Store;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'customs-schedule-'));
  store = await openStore(join(root, 'store'));
});
after(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

test('a bad cron expression is a usage error naming it; a tick keys its jobs by its own time', () => {
  assert.throws(() => parseSchedule('61 * * * *'), { code: 'USAGE_BAD_ARGUMENT', message: /"61 \* \* \* \*"/ });
  const tick = parseSchedule('0 3 * * *').nextRun(new Date('2026-03-01T12:00:00Z'));
  assert.equal(tick?.toISOString(), '2026-03-02T03:00:00.000Z');
  assert.deepEqual(
    tickJobs(tick ?? new Date(0)).map((j) => [j.kind, j.idempotencyKey]),
    [
      ['db-update', 'schedule|db-update|2026-03-02T03:00:00.000Z'],
      ['discover', 'schedule|discover|2026-03-02T03:00:00.000Z'],
      ['rescan', 'schedule|rescan|2026-03-02T03:00:00.000Z'],
      ['prune', 'schedule|prune|2026-03-02T03:00:00.000Z'],
    ],
  );
  // The retention rides on the prune job only.
  assert.deepEqual(
    tickJobs(tick ?? new Date(0), undefined, { retentionDays: 14 }).map((j) => j.payload),
    [
      { scheduledAt: '2026-03-02T03:00:00.000Z' },
      { scheduledAt: '2026-03-02T03:00:00.000Z' },
      { scheduledAt: '2026-03-02T03:00:00.000Z' },
      { scheduledAt: '2026-03-02T03:00:00.000Z', retentionDays: 14 },
    ],
  );
  assert.equal(parseRetentionDays('30'), 30);
  for (const bad of ['0', '7', '-1', '8.5', 'a week', ''])
    assert.throws(() => parseRetentionDays(bad), { code: 'USAGE_BAD_ARGUMENT', message: /CUSTOMS_RETENTION_DAYS=30/ });
});

test('two replicas on one store queue each tick once', async () => {
  const ctx = serverContext(store, root, join(root, 'none.db'));
  const a = startSchedule(ctx, { cron: '* * * * * *' });
  const b = startSchedule(ctx, { cron: '* * * * * *' });
  try {
    await until('three ticks', async () => (a.stats().ticks >= 3 && b.stats().ticks >= 3 ? true : undefined), 10_000);
  } finally {
    a.stop();
    b.stop();
  }
  const jobs = await store.jobs.list({ limit: 1000 });
  const ticks = new Set(jobs.map((j) => (j.payload as { scheduledAt: string }).scheduledAt));
  assert.ok(ticks.size >= 3);
  for (const kind of [JOB_KINDS.dbUpdate, JOB_KINDS.discover, JOB_KINDS.rescan, JOB_KINDS.prune]) {
    assert.equal(jobs.filter((j) => j.kind === kind).length, ticks.size, kind);
  }
  const created = a.stats().created + b.stats().created;
  assert.equal(created, jobs.length);
  // Both fired on the same ticks: the later of the two found each tick's jobs queued already.
  assert.ok(a.stats().existing + b.stats().existing >= 3 * 3);
});

test('a db-update job that cannot reach its feeds emits db.update_failed and goes back to the queue', async () => {
  const saved = { ...process.env };
  for (const f of DEFAULT_FEEDS) {
    process.env[`CUSTOMS_FEED_${f.name.toUpperCase().replaceAll('-', '_')}`] = 'http://127.0.0.1:9/unreachable';
  }
  const dbFile = await buildTestDb(join(root, 'db'));
  const ctx = serverContext(store, root, dbFile);
  const pool = startWorkerPool(ctx, { pollMs: 20, cacheDir: false });
  try {
    const { job } = await store.jobs.enqueue({ kind: JOB_KINDS.dbUpdate, idempotencyKey: 'dbu-1', payload: null });
    const failed = await until(
      'the failure event',
      async () => (await store.events.list({ type: EVENT_TYPES.dbUpdateFailed })).at(0),
      30_000,
    );
    assert.match(JSON.stringify(failed.data), /VULNDB_FEED_UNREACHABLE|127\.0\.0\.1:9/);
    await until('the job back in the queue', async () => {
      const j = await store.jobs.get(job.id);
      return j?.state === 'queued' && j.attempts === 1 ? j : undefined;
    });
  } finally {
    await pool.stop();
    process.env = saved;
  }
});

test('the scheduled prune job deletes Harbor scan requests and once-keys past the retention (default 30 days)', async () => {
  const DAY = 86_400_000;
  const digest = `sha256:${'c'.repeat(64)}`;
  // Its own store: the jobs the replicas above queued are not this pool's to run.
  const store = await openStore(join(root, 'prune-store'));
  for (let i = 0; i < 3; i++)
    await store.harborScans.add({ id: `prune-${i}`, registryUrl: 'https://harbor.example', repository: 'r', digest });
  for (let i = 0; i < 4; i++)
    await store.notifier.appendOnce(`prune-key-${i}`, { type: 'runtime.alert', subject: 'c', data: null });
  // The worker's clock runs 10 days ahead: the rows are 10 days old to it.
  const ctx = { ...serverContext(store, root, join(root, 'none.db')), now: () => Date.now() + 10 * DAY };
  assert.throws(
    () => tickJobs(new Date(0), [JOB_KINDS.prune], { retentionDays: 3 }).map((j) => retentionOf(j.payload)),
    {
      code: 'USAGE_BAD_ARGUMENT',
    },
  );
  const pool = startWorkerPool(ctx, { pollMs: 20, cacheDir: false });
  const run = async (tick: Date, retentionDays?: number) => {
    const [job] = tickJobs(tick, [JOB_KINDS.prune], retentionDays !== undefined ? { retentionDays } : {});
    assert.ok(job);
    const { job: queued } = await store.jobs.enqueue(job);
    const done = await until('the prune job', async () => {
      const j = await store.jobs.get(queued.id);
      return j?.state === 'succeeded' ? j : undefined;
    });
    return done.result as PruneResult;
  };
  try {
    assert.equal(DEFAULT_RETENTION_DAYS, 30);
    const kept = await run(new Date(Date.UTC(2026, 0, 1)));
    assert.deepEqual([kept.retentionDays, kept.harborScans, kept.onceKeys], [30, 0, 0]);
    const pruned = await run(new Date(Date.UTC(2026, 0, 2)), 9);
    assert.equal(pruned.retentionDays, 9);
    assert.deepEqual([pruned.harborScans, pruned.onceKeys], [3, 4]);
  } finally {
    await pool.stop();
  }
  try {
    for (let i = 0; i < 3; i++) assert.equal(await store.harborScans.get(`prune-${i}`), undefined);
    assert.ok(await store.notifier.appendOnce('prune-key-0', { type: 'runtime.alert', subject: 'c', data: null }));
  } finally {
    await store.close();
  }
});
