/**
 * The job handler for kind `rescan`. Payload: `{ "from"?: OLD_DB_PATH, "to"?:
 * NEW_DB_PATH }` — the DB file the stored findings were matched with and the
 * one to match with now (default: the worker's pinned DB, else the server's,
 * ctx.dbPath). Without `from` (the scheduled rescan after `db-update`), the
 * baseline is the DB of the last rescan: `rescanned.db` beside the DB, a hard
 * link to the file that rescan matched with, so it survives the update
 * renaming a new file over `customs.db`. The first such run has no baseline:
 * it records one and re-matches nothing (the stored findings came from scans
 * with the current DB). The result is the rescan's report (rescan.ts).
 */
import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CustomsError } from '../../core/index.js';
import type { ServerContext } from '../context.js';
import type { JobHandler } from '../jobs.js';
import { type RescanReport, rescan } from './rescan.js';

export const RESCAN_JOB_KIND = 'rescan';
/** The DB file of the last rescan, beside the DB. */
export const RESCAN_BASELINE = 'rescanned.db';

export interface RescanPayload {
  readonly from?: string;
  readonly to?: string;
}

/** Validate a job payload (it comes from the queue as JSON; other fields, e.g. scheduledAt, are ignored). */
export function parseRescanPayload(
  payload: unknown,
  ctx: Pick<ServerContext, 'dbPath'>,
): { from: string | undefined; to: string } {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (typeof p !== 'object' || Array.isArray(p))
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      'a rescan job payload is an object {"from"?: OLD_DB_PATH, "to"?: NEW_DB_PATH}',
    );
  for (const field of ['from', 'to'] as const) {
    const v = p[field];
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      throw new CustomsError(
        'USAGE_BAD_ARGUMENT',
        `a rescan job payload's "${field}" must be the path of a DB file, or absent`,
      );
  }
  const to = (p.to as string | undefined) ?? ctx.dbPath;
  if (to === undefined)
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      'a rescan job without "to" needs a server DB (none is installed: run customs db update)',
    );
  return { from: p.from as string | undefined, to };
}

/** Make `dbFile` the baseline of the next rescan (a hard link beside it, replaced atomically). */
export function keepBaseline(dbFile: string): string {
  const target = join(dirname(dbFile), RESCAN_BASELINE);
  const tmp = `${target}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  linkSync(dbFile, tmp);
  renameSync(tmp, target);
  return target;
}

export type RescanJobResult = RescanReport | { readonly mode: 'baseline'; readonly baseline: string };

export async function rescanJob(ctx: ServerContext, payload: unknown, signal: AbortSignal): Promise<RescanJobResult> {
  const { from, to } = parseRescanPayload(payload, ctx);
  const baseline = join(dirname(to), RESCAN_BASELINE);
  if (from === undefined && !existsSync(baseline)) {
    ctx.log.info({ to, baseline }, 'first rescan: recording the DB as the baseline of the next one');
    return { mode: 'baseline', baseline: keepBaseline(to) };
  }
  const report = await rescan(ctx, { from: from ?? baseline, to, signal: AbortSignal.any([signal, ctx.signal]) });
  if (from === undefined) keepBaseline(to);
  return report;
}

/** The handler as the worker pool registers it (`handlers: { rescan: rescanJobHandler }`). */
export const rescanJobHandler: JobHandler = (run) => {
  const p = (run.job.payload ?? {}) as Record<string, unknown>;
  const to = run.db?.path;
  return rescanJob(
    run.ctx,
    typeof p === 'object' && p.to === undefined && to !== undefined ? { ...p, to } : p,
    run.signal,
  );
};
