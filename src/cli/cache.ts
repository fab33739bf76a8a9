import { SqliteLayerCache } from '../store/index.js';

export function openLayerCache(dir: string): SqliteLayerCache {
  return new SqliteLayerCache(dir);
}
