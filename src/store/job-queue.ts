/**
 * The job queue, in the store's own tables: enqueue is idempotent by key,
 * a claim leases one ready job to a worker (attempts + 1), the worker
 * heartbeats to extend the lease, and completes (the result is stored once)
 * or fails (retried with exponential backoff until max attempts). A job
 * whose lease expires (its worker died, even by SIGKILL) is reclaimed on the
 * next claim: requeued with backoff, or failed when no attempt is left.
 *
 * Claims never hand one job to two workers: on PostgreSQL the candidate row
 * is selected FOR UPDATE SKIP LOCKED (concurrent claimers skip it instead of
 * waiting), on SQLite the claim runs in a BEGIN IMMEDIATE transaction (one
 * writer at a time across processes).
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import type { Db, JobsTable } from './db-schema.js';
import { appendEvent, pageSize } from './events.js';
import type { JobQueue } from './repository.js';
import type { QueueOptions, StoreContext } from './store-context.js';
import type { JobRecord, JobState, Lease } from './types.js';

/** The idempotency key of a scan job: the same image, DB and scanner plan give the same job. */
export function scanJobKey(imageDigest: string, dbVersion: string, planHash: string): string {
  return `scan|${imageDigest}|${dbVersion}|${planHash}`;
}

/** Delay before attempt `attempts + 1` after `attempts` failed ones: base · 2^(attempts−1), capped. */
export function backoffMs(opts: QueueOptions, attempts: number): number {
  return Math.min(opts.backoffBaseMs * 2 ** Math.max(0, attempts - 1), opts.backoffMaxMs);
}

export const toJob = (r: Selectable<JobsTable>): JobRecord => ({
  id: r.id,
  kind: r.kind,
  idempotencyKey: r.idempotency_key,
  payload: JSON.parse(r.payload) as unknown,
  state: r.state as JobState,
  priority: r.priority,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAfter: r.run_after,
  ...(r.lease_owner !== null ? { leaseOwner: r.lease_owner } : {}),
  ...(r.lease_expires_at !== null ? { leaseExpiresAt: r.lease_expires_at } : {}),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  ...(r.result !== null ? { result: JSON.parse(r.result) as unknown } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
});

const NO_LEASE = { lease_owner: null, lease_token: null, lease_expires_at: null } as const;

export function jobQueue(ctx: StoreContext): JobQueue {
  const { backend, queue: opts } = ctx;
  const postgres = backend.dialect === 'postgres';

  const failedEvent = (trx: Db, at: number, job: Selectable<JobsTable>, error: string) =>
    appendEvent(trx, backend.dialect, at, {
      type: 'job.failed',
      subject: `job:${job.id}`,
      data: { id: job.id, kind: job.kind, attempts: job.attempts, error },
    });

  /** Requeue (with backoff) or fail the running jobs whose lease expired at `now`. */
  const reclaim = async (trx: Db, now: number): Promise<number> => {
    const expired = await trx
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'running')
      .where('lease_expires_at', '<=', now)
      .orderBy('id')
      .$if(postgres, (q) => q.forUpdate().skipLocked())
      .execute();
    for (const job of expired) {
      const error = `lease of ${job.lease_owner ?? 'a worker'} expired (attempt ${job.attempts} of ${job.max_attempts})`;
      const last = job.attempts >= job.max_attempts;
      await trx
        .updateTable('jobs')
        .set({
          ...NO_LEASE,
          state: last ? 'failed' : 'queued',
          last_error: error,
          updated_at: now,
          ...(last ? { finished_at: now } : { run_after: now + backoffMs(opts, job.attempts) }),
        })
        .where('id', '=', job.id)
        .execute();
      if (last) await failedEvent(trx, now, job, error);
    }
    return expired.length;
  };

  /** The job row of a lease still held, locked on PostgreSQL; else STORE_LEASE_LOST saying why. */
  const held = async (trx: Db, lease: Lease, action: string): Promise<Selectable<JobsTable>> => {
    const row = await trx
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', lease.job.id)
      .$if(postgres, (q) => q.forUpdate())
      .executeTakeFirst();
    if (row && row.state === 'running' && row.lease_token === lease.token) return row;
    const why = !row
      ? 'it no longer exists'
      : row.state === 'running'
        ? `its lease expired and it is now leased to ${row.lease_owner ?? 'another worker'}`
        : row.state === 'queued'
          ? 'its lease expired and it was requeued'
          : `it has ${row.state} already`;
    throw new CustomsError(
      'STORE_LEASE_LOST',
      `cannot ${action} job ${lease.job.id} for ${lease.job.leaseOwner ?? 'this worker'}: ${why}`,
    );
  };

  return {
    enqueue: (input) =>
      backend.write(async (trx) => {
        const now = ctx.now();
        const inserted = await trx
          .insertInto('jobs')
          .values({
            kind: input.kind,
            idempotency_key: input.idempotencyKey,
            payload: JSON.stringify(input.payload ?? null),
            state: 'queued',
            priority: input.priority ?? 0,
            attempts: 0,
            max_attempts: Math.max(1, input.maxAttempts ?? opts.maxAttempts),
            run_after: input.runAfter ?? now,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) return { job: toJob(inserted), created: true };
        const existing = await trx
          .selectFrom('jobs')
          .selectAll()
          .where('idempotency_key', '=', input.idempotencyKey)
          .executeTakeFirstOrThrow();
        return { job: toJob(existing), created: false };
      }),

    claim: (claim) =>
      backend.write(async (trx) => {
        const now = ctx.now();
        await reclaim(trx, now);
        const kinds = claim.kinds;
        if (kinds !== undefined && kinds.length === 0) return undefined;
        const candidate = await trx
          .selectFrom('jobs')
          .select('id')
          .where('state', '=', 'queued')
          .where('run_after', '<=', now)
          .$if(kinds !== undefined, (q) => q.where('kind', 'in', [...(kinds ?? [])]))
          .orderBy('priority', 'desc')
          .orderBy('run_after')
          .orderBy('id')
          .limit(1)
          .$if(postgres, (q) => q.forUpdate().skipLocked())
          .executeTakeFirst();
        if (!candidate) return undefined;
        const token = randomUUID();
        const expiresAt = now + (claim.leaseMs ?? opts.leaseMs);
        const row = await trx
          .updateTable('jobs')
          .set((eb) => ({
            state: 'running',
            attempts: eb(eb.ref('attempts'), '+', 1),
            lease_owner: claim.worker,
            lease_token: token,
            lease_expires_at: expiresAt,
            updated_at: now,
          }))
          .where('id', '=', candidate.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { job: toJob(row), token, expiresAt };
      }),

    heartbeat: (lease, leaseMs) =>
      backend.write(async (trx) => {
        await held(trx, lease, 'extend the lease of');
        const now = ctx.now();
        const expiresAt = now + (leaseMs ?? opts.leaseMs);
        const row = await trx
          .updateTable('jobs')
          .set({ lease_expires_at: expiresAt, updated_at: now })
          .where('id', '=', lease.job.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { job: toJob(row), token: lease.token, expiresAt };
      }),

    complete: (lease, result) =>
      backend.write(async (trx) => {
        await held(trx, lease, 'complete');
        const now = ctx.now();
        const row = await trx
          .updateTable('jobs')
          .set({
            ...NO_LEASE,
            state: 'succeeded',
            result: JSON.stringify(result ?? null),
            finished_at: now,
            updated_at: now,
          })
          .where('id', '=', lease.job.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toJob(row);
      }),

    fail: (lease, error, failOpts = {}) =>
      backend.write(async (trx) => {
        const job = await held(trx, lease, 'fail');
        const now = ctx.now();
        const retry = failOpts.retry !== false && job.attempts < job.max_attempts;
        const row = await trx
          .updateTable('jobs')
          .set({
            ...NO_LEASE,
            state: retry ? 'queued' : 'failed',
            last_error: error,
            updated_at: now,
            ...(retry ? { run_after: now + backoffMs(opts, job.attempts) } : { finished_at: now }),
          })
          .where('id', '=', job.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        if (!retry) await failedEvent(trx, now, row, error);
        return toJob(row);
      }),

    release: (lease, reason) =>
      backend.write(async (trx) => {
        const job = await held(trx, lease, 'release');
        const now = ctx.now();
        const row = await trx
          .updateTable('jobs')
          .set({
            ...NO_LEASE,
            state: 'queued',
            attempts: Math.max(0, job.attempts - 1),
            last_error: reason,
            run_after: now,
            updated_at: now,
          })
          .where('id', '=', job.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toJob(row);
      }),

    reclaimExpired: () => backend.write((trx) => reclaim(trx, ctx.now())),

    async get(id) {
      const row = await backend.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async list(query = {}) {
      const state = query.state;
      const rows = await backend.db
        .selectFrom('jobs')
        .selectAll()
        .$if(state !== undefined, (q) => q.where('state', '=', state ?? 'queued'))
        .orderBy('id')
        .limit(pageSize(query.limit))
        .execute();
      return rows.map(toJob);
    },
  };
}
