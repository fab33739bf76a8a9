/**
 * The schedule: a cron expression (croner syntax: 5 fields, or 6 with
 * seconds) that queues `db-update`, `discover` and `rescan` jobs once per
 * tick. Every replica and worker may run the schedule: a tick's jobs are keyed
 * by the tick's own time (`schedule|KIND|<ISO tick>`), which croner computes
 * from the expression alone, so replicas enqueue the same keys and the queue
 * keeps one job per kind and tick (store/job-queue.ts idempotency).
 *
 * The DB update runs first (highest priority), the rescan after it; discovery
 * between them; the prune of what is kept only for a while (prune-job.ts) last.
 */
import { Cron } from 'croner';
import { CustomsError, toCustomsError } from '../../core/index.js';
import type { JobInput } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { JOB_KINDS, type JobKind } from '../jobs.js';

export const SCHEDULED_KINDS: readonly JobKind[] = [
  JOB_KINDS.dbUpdate,
  JOB_KINDS.discover,
  JOB_KINDS.rescan,
  JOB_KINDS.prune,
];
const PRIORITY: Readonly<Record<string, number>> = {
  [JOB_KINDS.dbUpdate]: 30,
  [JOB_KINDS.discover]: 20,
  [JOB_KINDS.rescan]: 10,
  [JOB_KINDS.prune]: 0,
};
/** setTimeout's longest delay is ~24.8 days; a later tick is re-armed in steps. */
const MAX_DELAY = 2 ** 31 - 1;

export interface ScheduleOptions {
  /** The cron expression, e.g. "0 3 * * *" (03:00 every day). */
  readonly cron: string;
  /** IANA time zone of the expression (default UTC). */
  readonly timezone?: string;
  /** Kinds queued per tick (default db-update, discover, rescan, prune). */
  readonly kinds?: readonly string[];
  /** Days the prune job keeps Harbor scan requests and once-keys (default 30: prune-job.ts). */
  readonly retentionDays?: number;
}

export interface Schedule {
  /** The next tick, if any. */
  next(): Date | undefined;
  /** Jobs this process created, and ticks whose jobs another replica had created already. */
  stats(): { readonly ticks: number; readonly created: number; readonly existing: number };
  stop(): void;
}

/** The croner job for an expression; SCHEDULE_INVALID-style usage error naming it. */
export function parseSchedule(cron: string, timezone = 'UTC'): Cron {
  try {
    return new Cron(cron, { paused: true, timezone });
  } catch (e) {
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `schedule ${JSON.stringify(cron)}: ${(e as Error).message}; use a cron expression such as "0 3 * * *" (minute hour day month weekday, UTC)`,
      e,
    );
  }
}

/** The jobs of one tick. */
export function tickJobs(
  tick: Date,
  kinds: readonly string[] = SCHEDULED_KINDS,
  opts: { readonly retentionDays?: number } = {},
): JobInput[] {
  const at = tick.toISOString();
  return kinds.map((kind) => ({
    kind,
    idempotencyKey: `schedule|${kind}|${at}`,
    payload: {
      scheduledAt: at,
      ...(kind === JOB_KINDS.prune && opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}),
    },
    priority: PRIORITY[kind] ?? 0,
  }));
}

export function startSchedule(ctx: ServerContext, opts: ScheduleOptions): Schedule {
  const cron = parseSchedule(opts.cron, opts.timezone);
  const kinds = opts.kinds ?? SCHEDULED_KINDS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let ticks = 0;
  let created = 0;
  let existing = 0;

  const fire = async (tick: Date): Promise<void> => {
    ticks++;
    for (const job of tickJobs(
      tick,
      kinds,
      opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {},
    )) {
      try {
        const q = await ctx.store.jobs.enqueue(job);
        if (q.created) created++;
        else existing++;
      } catch (e) {
        ctx.log.error({ kind: job.kind, tick: tick.toISOString(), error: toCustomsError(e).message }, 'schedule');
      }
    }
    ctx.log.info({ tick: tick.toISOString(), kinds }, 'scheduled jobs queued');
  };

  const arm = (after: Date): void => {
    if (stopped) return;
    const next = cron.nextRun(after);
    if (!next) return;
    const wait = next.getTime() - ctx.now();
    timer = setTimeout(
      () => {
        if (stopped) return;
        if (wait > MAX_DELAY) return arm(after);
        void fire(next).finally(() => arm(next));
      },
      Math.max(0, Math.min(wait, MAX_DELAY)),
    );
    timer.unref?.();
  };

  const onAbort = (): void => stop();
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  arm(new Date(ctx.now()));
  return {
    next: () => cron.nextRun(new Date(ctx.now())) ?? undefined,
    stats: () => ({ ticks, created, existing }),
    stop,
  };
}
