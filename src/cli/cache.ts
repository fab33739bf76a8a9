/**
 * The layer cache of the CLI. This module loads the store (and its native SQLite module),
 * so its users import it when a command runs (image-command.ts, commands/cache.ts), never
 * at start-up. It imports the store's layer cache by name: a bundle that tree-shakes (the
 * image commands' entry, scripts/bundle.mjs) then holds the layer cache, not the whole store.
 */
import type { Context } from '../core/index.js';
import { SqliteLayerCache } from '../store/index.js';

/** `customs cache clean`: works on a damaged cache too (its files are deleted). */
export { cleanLayerCache } from '../store/index.js';

/**
 * Opens the layer cache. A damaged cache is moved aside and rebuilt, with one warning
 * through `ctx.log`.
 */
export function openLayerCache(dir: string, ctx?: Pick<Context, 'log' | 'now'>): SqliteLayerCache {
  return new SqliteLayerCache(dir, ctx ? { log: ctx.log, now: ctx.now } : {});
}
