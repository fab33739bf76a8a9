import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRegistry, type TestRegistry } from '../../image/test-support/test-registry.js';
import { openStore, type Store } from '../../store/index.js';
import { failInserts, INJECTED_FAILURE } from '../../store/test-support/inject-failure.js';
import { EVENT_TYPES } from '../event-types.js';
import { dbVersionAt, enqueueScan, JOB_KINDS, type JobHandler } from '../jobs.js';
import { discoverRegistry } from '../registry/index.js';
import { parseHealthListen, startHealthServer } from './health.js';
import { startWorkerPool } from './pool.js';
import { scanJob } from './scan-job.js';
import { VulnDbHandle } from './vulndb-handle.js';
import { buildTestDb, keptLog, lodashImage, pushImage, serverContext, until } from './test-support/fixtures.js';

let reg: TestRegistry;
let root: string;
let store: Store;
let dbFile: string;
let registryId: number;
let appDigest: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'customs-worker-'));
  reg = await startRegistry();
  store = await openStore(join(root, 'store'));
  dbFile = await buildTestDb(join(root, 'db'), new Date('2026-01-01T00:00:00Z'));
  const pushed = await pushImage(reg, 'team/app:1', [lodashImage('4.17.15')]);
  appDigest = pushed.digests[0] ?? '';
  registryId = (await store.registries.add({ name: 'local', url: `http://${reg.host}` })).id;
});

after(async () => {
  await store?.close();
  await reg?.stop();
  rmSync(root, { recursive: true, force: true });
});

const registryRecord = async () => {
  const r = await store.registries.get(registryId);
  assert.ok(r);
  return r;
};

const jobsDone = async (n: number) =>
  until(`${n} succeeded jobs`, async () => {
    const done = await store.jobs.list({ state: 'succeeded' });
    return done.length >= n ? done : undefined;
  });

test('a scan job is scanned through the engine, recorded once, judged, and emits image.new and scan.finished', async () => {
  const ctx = serverContext(store, root, dbFile);
  const summary = await discoverRegistry(ctx, await registryRecord(), {
    signal: ctx.signal,
    dbVersion: dbVersionAt(dbFile),
  });
  assert.deepEqual(
    { repositories: summary.repositories, tags: summary.tags, queued: summary.queued, errors: summary.errors },
    { repositories: 1, tags: 1, queued: 1, errors: [] },
  );
  const pool = startWorkerPool(ctx, { concurrency: 2, pollMs: 20 });
  try {
    const [job] = await jobsDone(1);
    assert.equal(job?.kind, JOB_KINDS.scan);
    assert.equal((job?.result as { digest?: string } | undefined)?.digest, appDigest);
  } finally {
    await pool.stop();
  }
  const scan = await store.scans.latest(appDigest);
  assert.equal(scan?.dbVersion, dbVersionAt(dbFile));
  const findings = await store.findings.forImage(appDigest);
  assert.ok(
    findings.some((f) => f.findingId === 'CVE-2021-23337' || f.findingId === 'GHSA-35jh-r3h4-6jhm'),
    JSON.stringify(findings.map((f) => f.findingId)),
  );
  // No stored policy: the gate's default (any finding fails).
  assert.equal((await store.verdicts.latest(appDigest))?.status, 'fail');
  const events = await store.events.list();
  assert.equal(events.filter((e) => e.type === EVENT_TYPES.imageNew && e.subject === appDigest).length, 1);
  const finished = events.filter((e) => e.type === EVENT_TYPES.scanFinished);
  assert.equal(finished.length, 1);
  const severities = (finished[0]?.data as { severities?: Record<string, number> } | undefined)?.severities;
  assert.ok((severities?.high ?? 0) > 0, JSON.stringify(severities));
  // The image row holds what the scan read.
  const image = await store.images.get(appDigest);
  assert.equal(image?.layers.length, 1);
  assert.equal(image?.platform, 'linux/amd64');

  // Discovery again: the digest is scanned, nothing is queued.
  const again = await discoverRegistry(ctx, await registryRecord(), {
    signal: ctx.signal,
    dbVersion: dbVersionAt(dbFile),
  });
  assert.equal(again.queued, 0);
});

test('a replaced DB file is swapped in before the next job, never during one', async () => {
  const ctx = serverContext(store, root, dbFile);
  const first = dbVersionAt(dbFile);
  const versions: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let started = 0;
  const probe: JobHandler = async (run) => {
    started++;
    versions.push(run.dbVersion);
    if (started === 1) await gate;
    // The reader pinned by the job still answers after the file was replaced.
    assert.ok(run.db?.reader.metadata.builtAt);
    versions.push(run.db?.version ?? 'none');
    return null;
  };
  const pool = startWorkerPool(ctx, { concurrency: 1, pollMs: 20, handlers: { probe } });
  try {
    await store.jobs.enqueue({ kind: 'probe', idempotencyKey: 'probe-1', payload: null });
    await until('the first probe to start', async () => (started === 1 ? true : undefined));
    await buildTestDb(join(root, 'db'), new Date('2026-02-01T00:00:00Z'));
    const second = dbVersionAt(dbFile);
    assert.notEqual(second, first);
    release();
    await store.jobs.enqueue({ kind: 'probe', idempotencyKey: 'probe-2', payload: null });
    await until('both probes', async () => (versions.length === 4 ? true : undefined));
    assert.deepEqual(versions, [first, first, second, second]);
  } finally {
    await pool.stop();
  }
  // The new DB version makes a new scan job for the same digest; the worker records it with the new version.
  const pool2 = startWorkerPool(ctx, { concurrency: 1, pollMs: 20 });
  try {
    const q = await enqueueScan(
      store,
      { registryId, repository: 'team/app', digest: appDigest, tag: '1' },
      dbVersionAt(dbFile),
    );
    assert.equal(q.created, true);
    await until('the rescan', async () => ((await store.jobs.get(q.job.id))?.state === 'succeeded' ? true : undefined));
  } finally {
    await pool2.stop();
  }
  assert.equal((await store.scans.latest(appDigest))?.dbVersion, dbVersionAt(dbFile));
  // A rescan is a built-in kind: the scheduled job (no "from") first records the DB as its baseline.
  const pool3 = startWorkerPool(ctx, { concurrency: 1, pollMs: 20 });
  try {
    assert.ok(pool3.kinds.includes(JOB_KINDS.rescan), pool3.kinds.join(', '));
    const r = await store.jobs.enqueue({ kind: JOB_KINDS.rescan, idempotencyKey: 'rescan-1', payload: {} });
    await until('the scheduled rescan', async () =>
      (await store.jobs.get(r.job.id))?.state === 'succeeded' ? true : undefined,
    );
    assert.deepEqual((await store.jobs.get(r.job.id))?.result, {
      mode: 'baseline',
      baseline: join(dirname(dbFile), 'rescanned.db'),
    });
  } finally {
    await pool3.stop();
  }
});

test('a failing job is retried by the queue; a bad payload fails for good at once', async () => {
  const ctx = serverContext(store, root, dbFile);
  let calls = 0;
  const flaky: JobHandler = async () => {
    calls++;
    if (calls === 1) throw new Error('transient');
    return { ok: true };
  };
  const log = keptLog();
  const pool = startWorkerPool({ ...ctx, log }, { concurrency: 1, pollMs: 20, handlers: { flaky } });
  try {
    const { job } = await store.jobs.enqueue({ kind: 'flaky', idempotencyKey: 'flaky-1', payload: null, runAfter: 0 });
    const bad = await store.jobs.enqueue({ kind: JOB_KINDS.scan, idempotencyKey: 'bad-scan', payload: { nope: 1 } });
    await until('the bad scan to fail', async () =>
      (await store.jobs.get(bad.job.id))?.state === 'failed' ? true : undefined,
    );
    const failed = await store.jobs.get(bad.job.id);
    assert.equal(failed?.attempts, 1);
    assert.match(failed?.lastError ?? '', /needs \{"image"/);
    // First attempt failed: requeued with backoff (5 s by default) — the job is queued again with its error.
    await until('the flaky job to be requeued', async () => {
      const j = await store.jobs.get(job.id);
      return j?.state === 'queued' && j.attempts === 1 ? j : undefined;
    });
    assert.equal((await store.jobs.get(job.id))?.lastError, 'transient');
  } finally {
    await pool.stop();
  }
  assert.ok(log.lines.some((l) => l.msg === 'job failed'));
});

test('stop() stops claiming, lets jobs in hand finish, and hands back what outlives the grace time uncounted', async () => {
  const ctx = serverContext(store, root, dbFile);
  let quickDone = false;
  const slow: JobHandler = (run) =>
    new Promise((_, reject) => run.signal.addEventListener('abort', () => reject(run.signal.reason), { once: true }));
  const quick: JobHandler = async () => {
    await new Promise((r) => setTimeout(r, 300));
    quickDone = true;
    return 'done';
  };
  const pool = startWorkerPool(ctx, { concurrency: 2, pollMs: 20, graceMs: 800, handlers: { slow, quick } });
  const s = await store.jobs.enqueue({ kind: 'slow', idempotencyKey: 'slow-1', payload: null });
  const q = await store.jobs.enqueue({ kind: 'quick', idempotencyKey: 'quick-1', payload: null });
  await until('both running', async () => (pool.stats().running === 2 ? true : undefined));
  await pool.stop();
  assert.equal(quickDone, true);
  assert.equal((await store.jobs.get(q.job.id))?.state, 'succeeded');
  const back = await store.jobs.get(s.job.id);
  assert.deepEqual([back?.state, back?.attempts], ['queued', 0]);
  assert.match(back?.lastError ?? '', /released by .* on shutdown/);
  // Stopped: nothing more is claimed.
  const later = await store.jobs.enqueue({ kind: 'quick', idempotencyKey: 'quick-2', payload: null });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await store.jobs.get(later.job.id))?.state, 'queued');
});

test('/healthz, /readyz and /metrics of a worker', async () => {
  const ac = new AbortController();
  const ctx = serverContext(store, root, dbFile, ac.signal);
  const pool = startWorkerPool(ctx, { pollMs: 20, handlers: { noop: async () => null } });
  const health = await startHealthServer({ host: '127.0.0.1', port: 0 }, pool, store, ac.signal);
  try {
    await store.jobs.enqueue({ kind: 'noop', idempotencyKey: 'noop-1', payload: null });
    await until('the noop job', async () => (pool.stats().succeeded >= 1 ? true : undefined));
    const get = (p: string) => fetch(`http://${health.address}${p}`);
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/readyz')).status, 200);
    const metrics = await (await get('/metrics')).text();
    assert.match(metrics, /customs_worker_jobs_total\{outcome="succeeded"\} [1-9]/);
    assert.match(metrics, /customs_worker_vulndb_info\{version="1:[^"]+"\} 1/);
    assert.match(metrics, /customs_worker_job_seconds_count\{kind="noop"\} 1/);
    ac.abort();
    assert.equal((await get('/readyz')).status, 503);
    assert.equal((await get('/nope')).status, 404);
  } finally {
    await pool.stop();
    await health.close();
  }
  assert.throws(() => parseHealthListen('nope'), { code: 'USAGE_BAD_FLAG' });
  assert.deepEqual(parseHealthListen('9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseHealthListen('[::1]:80'), { host: '::1', port: 80 });
});

test('the verdict follows the central policy and its approved exceptions; a change emits verdict.changed', async () => {
  const ctx = serverContext(store, root, dbFile);
  assert.equal((await store.verdicts.latest(appDigest))?.status, 'fail');
  await store.policies.put({
    name: 'baseline',
    updatedBy: 'test',
    body: [
      'apiVersion: customs/v1',
      'kind: Policy',
      'rules:',
      '  - id: no-high',
      '    action: fail',
      '    message: High vulnerabilities fail.',
      '    vulnerabilities: {minSeverity: high}',
    ].join('\n'),
  });
  const ex = await store.policies.addException({
    finding: 'CVE-2021-23337',
    scope: '*',
    owner: 'app-team',
    reason: 'template strings are never user input here',
    expiresAt: Date.now() + 86_400_000,
    createdBy: 'test',
  });
  await store.policies.approveException(ex.id, 'security');
  const scanAgain = async (key: string) => {
    const q = await enqueueScan(store, { registryId, repository: 'team/app', digest: appDigest }, key);
    const pool = startWorkerPool(ctx, { pollMs: 20 });
    try {
      await until('the scan', async () => ((await store.jobs.get(q.job.id))?.state === 'succeeded' ? true : undefined));
    } finally {
      await pool.stop();
    }
  };
  await scanAgain('policy-1');
  const verdict = await store.verdicts.latest(appDigest);
  assert.deepEqual([verdict?.status, verdict?.policy], ['pass', 'baseline']);
  const changed = await store.events.list({ type: EVENT_TYPES.verdictChanged });
  assert.deepEqual(
    changed.map((e) => [e.subject, (e.data as { from: string }).from, (e.data as { to: string }).to]),
    [[appDigest, 'fail', 'pass']],
  );
  // Revoked: the rule fails the image again.
  await store.policies.revokeException(ex.id);
  await scanAgain('policy-2');
  assert.equal((await store.verdicts.latest(appDigest))?.status, 'fail');
  assert.equal((await store.events.list({ type: EVENT_TYPES.verdictChanged })).length, 2);
  // No new image.new for a digest seen before.
  assert.equal((await store.events.list({ type: EVENT_TYPES.imageNew })).length, 1);
});

test('an attempt that recorded its scan and died before completing: the retry completes with that scan, recorded once', async () => {
  const ctx = serverContext(store, root, dbFile);
  const { digests } = await pushImage(reg, 'team/once:1', [lodashImage('4.17.11')]);
  const digest = digests[0] ?? '';
  const q = await enqueueScan(store, { registryId, repository: 'team/once', digest }, dbVersionAt(dbFile));
  // The first attempt: claimed with a short lease, scanned and recorded, never completed (its process died).
  const lease = await store.jobs.claim({ worker: 'doomed', kinds: [JOB_KINDS.scan], leaseMs: 300 });
  assert.equal(lease?.job.id, q.job.id);
  if (!lease) return;
  const db = new VulnDbHandle(dbFile);
  const pinned = db.pin();
  try {
    await scanJob({
      ctx,
      job: lease.job,
      lease: () => lease,
      leaseMs: 300,
      signal: new AbortController().signal,
      log: keptLog(),
      worker: 'doomed',
      db: pinned.db,
      dbVersion: pinned.db?.version ?? 'none',
    });
  } finally {
    pinned.release();
    db.close();
  }
  const pool = startWorkerPool(ctx, { pollMs: 20 });
  try {
    const done = await until('the retry', async () => {
      const j = await store.jobs.get(q.job.id);
      return j?.state === 'succeeded' ? j : undefined;
    });
    assert.equal(done.attempts, 2);
    assert.equal((done.result as { reused?: boolean }).reused, true);
  } finally {
    await pool.stop();
  }
  const recorded = (await store.events.list({ type: EVENT_TYPES.scanRecorded })).filter((e) => e.subject === digest);
  assert.equal(recorded.length, 1);
});

test('a scan job naming a plain image reference learns its digest from the scan', async () => {
  const ctx = serverContext(store, root, dbFile);
  const q = await enqueueScan(store, { image: `registry:${reg.host}/team/app:1` }, dbVersionAt(dbFile));
  assert.match(q.job.idempotencyKey, /^scan\|ref:registry:/);
  const pool = startWorkerPool(ctx, { pollMs: 20 });
  try {
    const done = await until('the reference scan', async () => {
      const j = await store.jobs.get(q.job.id);
      return j?.state === 'succeeded' ? j : undefined;
    });
    assert.equal((done.result as { digest?: string }).digest, appDigest);
  } finally {
    await pool.stop();
  }
  assert.equal((await store.scans.latest(appDigest))?.jobId, q.job.id);
});

test('a scan job whose verdict cannot be written records no scan; its retry records scan and verdict together', async () => {
  const ctx = serverContext(store, root, dbFile);
  const { digests } = await pushImage(reg, 'team/judged:1', [lodashImage('4.17.10')]);
  const digest = digests[0] ?? '';
  const q = await enqueueScan(store, { registryId, repository: 'team/judged', digest }, dbVersionAt(dbFile));
  const lease = await store.jobs.claim({ worker: 'unlucky', kinds: [JOB_KINDS.scan], leaseMs: 300 });
  assert.equal(lease?.job.id, q.job.id);
  if (!lease) return;
  const db = new VulnDbHandle(dbFile);
  const pinned = db.pin();
  // The database refuses the verdict row: the attempt dies where a crash between the two writes would.
  const restore = await failInserts(store, 'verdicts');
  try {
    await assert.rejects(
      scanJob({
        ctx,
        job: lease.job,
        lease: () => lease,
        leaseMs: 300,
        signal: new AbortController().signal,
        log: keptLog(),
        worker: 'unlucky',
        db: pinned.db,
        dbVersion: pinned.db?.version ?? 'none',
      }),
      new RegExp(INJECTED_FAILURE),
    );
  } finally {
    await restore();
    pinned.release();
    db.close();
  }
  assert.equal(await store.scans.latest(digest), undefined, 'a scan was stored without its verdict');
  const pool = startWorkerPool(ctx, { pollMs: 20 });
  try {
    const done = await until('the retry', async () => {
      const j = await store.jobs.get(q.job.id);
      return j?.state === 'succeeded' ? j : undefined;
    });
    assert.equal((done.result as { reused?: boolean }).reused, undefined, 'the retry scanned and judged afresh');
  } finally {
    await pool.stop();
  }
  const scan = await store.scans.latest(digest);
  const verdict = await store.verdicts.latest(digest);
  assert.ok(scan && verdict, 'scan and verdict both recorded');
  assert.equal(verdict.scanId, scan.id);
});
