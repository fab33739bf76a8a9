import type { SqliteLayerCache } from '../store/index.js';

/** Opens the layer cache; the store (and its native SQLite module) loads only when a command needs it. */
export async function openLayerCache(dir: string): Promise<SqliteLayerCache> {
  const { SqliteLayerCache } = await import('../store/index.js');
  return new SqliteLayerCache(dir);
}
