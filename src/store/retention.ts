/**
 * Retention of what would otherwise grow for ever (docs/store.md "Retention"):
 * the Harbor scan requests (one row per request Harbor ever sent; Harbor reads
 * a report within minutes of asking for it) and the once-keys that keep the
 * notifier's per-CVE digests and the runtime sensors' re-sent alerts from
 * being appended twice (a key matters while its window or a re-send can still
 * come: minutes). Rows are deleted in batches, each its own short
 * transaction, so a large backlog never holds the write lock for long.
 */
import type { RetentionRepository } from './repository.js';
import type { StoreContext } from './store-context.js';

/** Rows per delete. */
const BATCH = 1000;

/** The job states after which a Harbor scan request's row is no longer read by its job. */
const OVER = ['succeeded', 'failed'];

export function retentionRepository(ctx: StoreContext): RetentionRepository {
  const { backend } = ctx;

  /** Delete up to BATCH rows of the ids `select` names until none is left; how many were deleted. */
  const inBatches = async (deleteBatch: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await deleteBatch();
      total += n;
      if (n < BATCH) return total;
    }
  };

  return {
    async prune(opts) {
      // A request whose job is still queued or running is kept, however old: its job reads the row.
      const harborScans = await inBatches(async () => {
        const r = await backend.write((trx) =>
          trx
            .deleteFrom('harbor_scans')
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('harbor_scans as h')
                .leftJoin('jobs as j', 'j.id', 'h.job_id')
                .select('h.id')
                .where('h.created_at', '<', opts.harborScansBefore)
                .where((w) => w.or([w('h.job_id', 'is', null), w('j.id', 'is', null), w('j.state', 'in', OVER)]))
                .limit(BATCH),
            )
            .executeTakeFirst(),
        );
        return Number(r.numDeletedRows);
      });
      const onceKeys = await inBatches(async () => {
        const r = await backend.write((trx) =>
          trx
            .deleteFrom('event_once')
            .where('once_key', 'in', (eb) =>
              eb
                .selectFrom('event_once as o')
                .select('o.once_key')
                .where('o.created_at', '<', opts.onceKeysBefore)
                .limit(BATCH),
            )
            .executeTakeFirst(),
        );
        return Number(r.numDeletedRows);
      });
      return { harborScans, onceKeys };
    },
  };
}
