/**
 * The worker loop: N slots each claim a job of a kind this pool has a handler
 * for, heartbeat its lease while the handler runs, and complete or fail it
 * (the queue retries with backoff). Stopping (stop() or the server context's
 * signal, i.e. SIGTERM) stops claiming at once; jobs in hand run to their end
 * for `graceMs`, then are aborted and released back to the queue (queued at
 * once, the attempt not counted), so another worker takes them.
 *
 * A worker that dies without stopping (SIGKILL, a lost machine) holds its
 * leases until they expire; the next claim anywhere requeues them
 * (store/job-queue.ts). docs/workers.md.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomsError, dbPath, defaultConfig, toCustomsError } from '../../core/index.js';
import { type Lease, SqliteLayerCache } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { JOB_KINDS, type JobHandler, type JobRun } from '../jobs.js';
import { discoverJob } from '../registry/index.js';
import { rescanJobHandler } from '../rescan/index.js';
import { dbUpdateJob } from './db-update-job.js';
import { pruneJob } from './prune-job.js';
import { type Schedule, type ScheduleOptions, startSchedule } from './schedule.js';
import { scanJob } from './scan-job.js';
import { VulnDbHandle } from './vulndb-handle.js';

export interface WorkerPoolOptions {
  /** Jobs run at once (default 1). */
  readonly concurrency?: number;
  /** Handlers by job kind, added to (or replacing) the built-in ones (scan, discover, db-update). */
  readonly handlers?: Readonly<Record<string, JobHandler>>;
  /** The vulnerability DB file (default ctx.dbPath, else customs.db in CUSTOMS_DB_DIR). */
  readonly dbPath?: string;
  /** The layer cache directory (default DATA_DIR/cache); false: no cache. */
  readonly cacheDir?: string | false;
  /** Lease length (default 60 s); heartbeats every third of it. */
  readonly leaseMs?: number;
  /** Wait between claims when the queue is empty (default 1 s). */
  readonly pollMs?: number;
  /** How long stop() lets running jobs finish before handing them back (default 30 s). */
  readonly graceMs?: number;
  /** The lease owner prefix (default host:pid). */
  readonly name?: string;
  /** Queue the scheduled jobs (db-update, discover, rescan) on this cron schedule; every replica may. */
  readonly schedule?: ScheduleOptions;
}

export interface WorkerStats {
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Attempts that lost their lease (another worker took the job). */
  readonly leaseLost: number;
  readonly dbVersion: string;
  /** Seconds per finished job, by kind (count and sum, for a Prometheus summary). */
  readonly durations: Readonly<Record<string, { count: number; sum: number }>>;
}

export interface WorkerPool {
  /** Stop claiming, let running jobs finish (or hand them back after the grace time), close the DB. */
  stop(): Promise<void>;
  stats(): WorkerStats;
  /** Job kinds this pool runs. */
  readonly kinds: readonly string[];
}

/** Errors that a retry cannot fix: the job fails for good at once. */
const PERMANENT = new Set(['USAGE_BAD_ARGUMENT', 'USAGE_BAD_FLAG', 'IMAGE_REFERENCE_INVALID', 'POLICY_INVALID']);

export const BUILTIN_JOB_HANDLERS: Readonly<Record<string, JobHandler>> = {
  [JOB_KINDS.scan]: scanJob,
  [JOB_KINDS.discover]: discoverJob,
  [JOB_KINDS.dbUpdate]: dbUpdateJob,
  [JOB_KINDS.rescan]: rescanJobHandler,
  [JOB_KINDS.prune]: pruneJob,
};

export function startWorkerPool(ctx: ServerContext, opts: WorkerPoolOptions = {}): WorkerPool {
  // First: a bad cron expression fails here, before anything is opened.
  const schedule: Schedule | undefined = opts.schedule ? startSchedule(ctx, opts.schedule) : undefined;
  const handlers: Record<string, JobHandler> = { ...BUILTIN_JOB_HANDLERS, ...opts.handlers };
  const kinds = Object.keys(handlers).sort();
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const leaseMs = opts.leaseMs ?? 60_000;
  const pollMs = opts.pollMs ?? 1000;
  const graceMs = opts.graceMs ?? 30_000;
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const db = new VulnDbHandle(opts.dbPath ?? ctx.dbPath ?? dbPath(defaultConfig().dbDir));
  const cacheDir = opts.cacheDir === undefined ? join(ctx.dataDir, 'cache') : opts.cacheDir;
  const cache = cacheDir === false ? undefined : new SqliteLayerCache(cacheDir, { now: () => new Date(ctx.now()) });

  const stopping = new AbortController();
  /** Aborted when the grace time is over: running handlers are cancelled. */
  const hardStop = new AbortController();
  const onContextAbort = (): void => void stop();
  ctx.signal.addEventListener('abort', onContextAbort, { once: true });

  let running = 0;
  let succeeded = 0;
  let failed = 0;
  let leaseLost = 0;
  const durations: Record<string, { count: number; sum: number }> = {};

  const runLease = async (first: Lease, worker: string): Promise<void> => {
    const job = first.job;
    const handler = handlers[job.kind];
    let lease = first;
    const abort = new AbortController();
    const onHard = (): void => abort.abort(new CustomsError('ABORTED', 'the worker is shutting down'));
    hardStop.signal.addEventListener('abort', onHard, { once: true });
    let lost = false;
    const beat = setInterval(
      () => {
        ctx.store.jobs.heartbeat(lease, leaseMs).then(
          (l) => {
            lease = l;
          },
          (e: unknown) => {
            const err = toCustomsError(e);
            if (err.code === 'STORE_LEASE_LOST') {
              lost = true;
              abort.abort(err);
            }
            ctx.log.warn({ job: job.id, kind: job.kind, error: err.message }, 'heartbeat failed');
          },
        );
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    const pinned = db.pin();
    const started = performance.now();
    running++;
    const log = ctx.log;
    try {
      if (!handler) throw new CustomsError('USAGE_BAD_ARGUMENT', `no handler for job kind ${job.kind}`);
      log.info({ job: job.id, kind: job.kind, attempt: job.attempts, worker }, 'job started');
      const run: JobRun = {
        ctx,
        job,
        lease: () => lease,
        leaseMs,
        signal: abort.signal,
        log,
        worker,
        db: pinned.db,
        dbVersion: pinned.db?.version ?? 'none',
        ...(cache ? { cache } : {}),
      };
      const result = await handler(run);
      clearInterval(beat);
      await ctx.store.jobs.complete(lease, result ?? null);
      succeeded++;
      log.info({ job: job.id, kind: job.kind, ms: Math.round(performance.now() - started) }, 'job succeeded');
    } catch (e) {
      clearInterval(beat);
      const err = toCustomsError(e);
      if (lost || err.code === 'STORE_LEASE_LOST') {
        leaseLost++;
        log.warn({ job: job.id, kind: job.kind, error: err.message }, 'job lease lost; another worker retries it');
      } else {
        if (hardStop.signal.aborted) {
          // Shutdown, not a failure: back to the queue at once, the attempt not counted.
          await ctx.store.jobs.release(lease, `released by ${worker} on shutdown`).then(
            () => log.warn({ job: job.id, kind: job.kind }, 'job handed back on shutdown'),
            (e2: unknown) =>
              log.error(
                { job: job.id, kind: job.kind, error: toCustomsError(e2).message },
                'could not hand a job back',
              ),
          );
          return;
        }
        failed++;
        const permanent = PERMANENT.has(err.code);
        const message = err.message;
        await ctx.store.jobs.fail(lease, message, { retry: !permanent }).then(
          (j) => log.warn({ job: job.id, kind: job.kind, state: j.state, error: err.message }, 'job failed'),
          (e2: unknown) =>
            log.error({ job: job.id, kind: job.kind, error: toCustomsError(e2).message }, 'could not record a failure'),
        );
      }
    } finally {
      running--;
      pinned.release();
      hardStop.signal.removeEventListener('abort', onHard);
      const d = durations[job.kind] ?? { count: 0, sum: 0 };
      durations[job.kind] = { count: d.count + 1, sum: d.sum + (performance.now() - started) / 1000 };
    }
  };

  const slot = async (i: number): Promise<void> => {
    const worker = `${name}/${i}`;
    while (!stopping.signal.aborted) {
      let lease: Lease | undefined;
      try {
        lease = await ctx.store.jobs.claim({ worker, kinds, leaseMs });
      } catch (e) {
        ctx.log.error({ worker, error: toCustomsError(e).message }, 'claim failed');
      }
      if (lease) {
        await runLease(lease, worker);
        continue;
      }
      await sleep(pollMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };

  const slots = Array.from({ length: concurrency }, (_, i) => slot(i));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping.abort();
      schedule?.stop();
      const grace = setTimeout(() => hardStop.abort(), graceMs);
      try {
        await Promise.all(slots);
      } finally {
        clearTimeout(grace);
        ctx.signal.removeEventListener('abort', onContextAbort);
        db.close();
        cache?.close();
      }
    })();
    return stopped;
  };

  return {
    stop,
    kinds,
    stats: () => ({ running, succeeded, failed, leaseLost, dbVersion: db.version(), durations: { ...durations } }),
  };
}
