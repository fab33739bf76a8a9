import type { Context } from '../core/index.js';
import type { CleanResult, SqliteLayerCache } from '../store/index.js';

/**
 * Opens the layer cache; the store (and its native SQLite module) loads only
 * when a command needs it. A damaged cache is moved aside and rebuilt, with
 * one warning through `ctx.log`.
 */
export async function openLayerCache(dir: string, ctx?: Pick<Context, 'log' | 'now'>): Promise<SqliteLayerCache> {
  const { SqliteLayerCache } = await import('../store/index.js');
  return new SqliteLayerCache(dir, ctx ? { log: ctx.log, now: ctx.now } : {});
}

/** `customs cache clean`: works on a damaged cache too (its files are deleted). */
export async function cleanLayerCache(dir: string): Promise<CleanResult> {
  const store = await import('../store/index.js');
  return store.cleanLayerCache(dir);
}
