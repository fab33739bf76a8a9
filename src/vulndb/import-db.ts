/**
 * `customs db import PATH...`: build the DB from local files (air-gapped), or
 * install an exported bundle. Feed formats are detected per file (load-feed.ts).
 */
import { fileURLToPath } from 'node:url';
import type { Context } from '../core/index.js';
import { buildDb } from './build-db.js';
import { importVulnDbBundle, isDbBundle } from './bundle.js';
import { loadPaths } from './load-feed.js';
import type { DbMetadata } from './types.js';

export async function importVulnDb(paths: readonly string[], ctx: Context): Promise<DbMetadata> {
  const [only] = paths;
  if (paths.length === 1 && only !== undefined && (await isDbBundle(only)))
    return importVulnDbBundle(only, ctx.config.dbDir);
  return buildDb(
    ctx.config.dbDir,
    async (writer) => {
      const infos = await loadPaths(writer, paths, { fetchedAt: ctx.now().toISOString(), signal: ctx.signal });
      for (const info of infos)
        ctx.log({ kind: 'info', message: `${info.name}: ${info.records} records, ${info.skipped} skipped` });
    },
    { now: ctx.now, signal: ctx.signal },
  );
}

/** The project's own small feed files (test/feeds): what `make demo` imports when the public feeds are unreachable. */
export function defaultFeedsDir(): string {
  // dist/vulndb/import-db.js and src/vulndb/import-db.ts are both two levels below the repository root.
  return fileURLToPath(new URL('../../test/feeds/', import.meta.url));
}

/** Build the DB from test/feeds (offline demo data about real CVEs). */
export function importDefaultFeeds(ctx: Context): Promise<DbMetadata> {
  return importVulnDb([defaultFeedsDir()], ctx);
}
