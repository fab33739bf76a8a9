/**
 * The job handler for kind `rescan`, as the worker pool registers handlers:
 * `(ctx, payload, signal) => result`. Payload: `{ "from": OLD_DB_PATH, "to"?:
 * NEW_DB_PATH }` — the DB file the stored findings were matched with and the
 * one to match with now (default: the server's current DB, ctx.dbPath).
 * The result is the rescan's report (rescan.ts), stored with the job.
 */
import { CustomsError } from '../../core/index.js';
import type { ServerContext } from '../context.js';
import { type RescanReport, rescan } from './rescan.js';

export const RESCAN_JOB_KIND = 'rescan';

export interface RescanPayload {
  readonly from: string;
  readonly to?: string;
}

/** Validate a job payload (it comes from the queue as JSON). */
export function parseRescanPayload(payload: unknown, ctx: Pick<ServerContext, 'dbPath'>): { from: string; to: string } {
  const p = payload as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      'a rescan job needs a payload {"from": OLD_DB_PATH, "to"?: NEW_DB_PATH}',
    );
  if (typeof p.from !== 'string' || p.from === '')
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      'a rescan job payload needs "from": the path of the DB the stored findings were matched with',
    );
  if (p.to !== undefined && (typeof p.to !== 'string' || p.to === ''))
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      'a rescan job payload\'s "to" must be the path of a DB file (or absent: the server\'s DB)',
    );
  const to = (p.to as string | undefined) ?? ctx.dbPath;
  if (to === undefined)
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      'a rescan job without "to" needs a server DB (none is installed: run customs db update)',
    );
  return { from: p.from, to };
}

export async function rescanJob(ctx: ServerContext, payload: unknown, signal: AbortSignal): Promise<RescanReport> {
  const { from, to } = parseRescanPayload(payload, ctx);
  return rescan(ctx, { from, to, signal: AbortSignal.any([signal, ctx.signal]) });
}
