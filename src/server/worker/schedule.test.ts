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
    ],
  );
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
  for (const kind of [JOB_KINDS.dbUpdate, JOB_KINDS.discover, JOB_KINDS.rescan]) {
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
