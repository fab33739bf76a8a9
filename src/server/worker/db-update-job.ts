/**
 * The `db-update` job: update the vulnerability DB file this worker matches
 * with (`customs db update` into its directory: feeds from CUSTOMS_FEED_* as
 * the CLI reads them). The new file is renamed over the old one, so every
 * worker reading that file swaps to it before its next job
 * (vulndb-handle.ts). Emits db.updated, or db.update_failed before the
 * failure goes back to the queue for a retry.
 */
import { dirname } from 'node:path';
import { createContext, defaultConfig, toCustomsError } from '../../core/index.js';
import { updateVulnDb } from '../../vulndb/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { dbVersionOf, type JobHandler } from '../jobs.js';

export const dbUpdateJob: JobHandler = async (run) => {
  const path = run.db?.path ?? run.ctx.dbPath;
  const dbDir = path !== undefined ? dirname(path) : defaultConfig().dbDir;
  const context = createContext({ signal: run.signal, config: { dbDir } });
  try {
    const meta = await updateVulnDb(context);
    const version = dbVersionOf(meta);
    await run.ctx.store.events.append({
      type: EVENT_TYPES.dbUpdated,
      subject: dbDir,
      data: { version, previous: run.dbVersion, advisories: meta.advisories ?? null, worker: run.worker },
    });
    return { version, previous: run.dbVersion };
  } catch (e) {
    const err = toCustomsError(e);
    await run.ctx.store.events.append({
      type: EVENT_TYPES.dbUpdateFailed,
      subject: dbDir,
      data: { error: err.message, code: err.code, attempt: run.job.attempts, worker: run.worker },
    });
    throw err;
  }
};
