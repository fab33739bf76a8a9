/**
 * The `prune` job (docs/workers.md "Retention"), queued by the schedule with
 * the other daily jobs: deletes Harbor scan requests and once-keys older than
 * the retention (default DEFAULT_RETENTION_DAYS days; `CUSTOMS_RETENTION_DAYS`
 * on `customs serve` and `customs worker`). Both tables otherwise grow with
 * every Harbor scan request and every runtime alert, for ever.
 */
import { CustomsError } from '../../core/index.js';
import type { JobHandler } from '../jobs.js';

/** Harbor reads a report within minutes, a once-key matters for minutes: 30 days is a wide margin. */
export const DEFAULT_RETENTION_DAYS = 30;
/**
 * The shortest retention: an `exception.expiring` once-key is set up to 7 days before the
 * expiry it announces (the notifier's warning window); pruned sooner, the same warning
 * would be appended again while the exception is still in that window.
 */
export const MIN_RETENTION_DAYS = 8;
const DAY_MS = 86_400_000;

const valid = (days: number): boolean => Number.isSafeInteger(days) && days >= MIN_RETENTION_DAYS;

/** CUSTOMS_RETENTION_DAYS: a whole number of days, at least MIN_RETENTION_DAYS. */
export function parseRetentionDays(text: string): number {
  const days = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !valid(days))
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `retention ${JSON.stringify(text)} is not a number of days of at least ${MIN_RETENTION_DAYS}; give one, e.g. CUSTOMS_RETENTION_DAYS=30`,
    );
  return days;
}

/** The retention a prune job runs with: its payload's `retentionDays`, else the default. */
export function retentionOf(payload: unknown): number {
  const days = (payload as { retentionDays?: unknown } | null)?.retentionDays;
  if (days === undefined) return DEFAULT_RETENTION_DAYS;
  if (typeof days !== 'number' || !valid(days))
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `a prune job's retentionDays must be a whole number of at least ${MIN_RETENTION_DAYS}, not ${JSON.stringify(days)}`,
    );
  return days;
}

export interface PruneResult {
  readonly retentionDays: number;
  /** Rows created before this time (ms) were pruned. */
  readonly before: number;
  readonly harborScans: number;
  readonly onceKeys: number;
}

export const pruneJob: JobHandler = async (run): Promise<PruneResult> => {
  const retentionDays = retentionOf(run.job.payload);
  const before = run.ctx.now() - retentionDays * DAY_MS;
  const pruned = await run.ctx.store.retention.prune({ harborScansBefore: before, onceKeysBefore: before });
  run.log.info({ retentionDays, ...pruned }, 'pruned Harbor scan requests and once-keys past the retention');
  return { retentionDays, before, ...pruned };
};
