/**
 * Test support for the workers and registry discovery: a vulnerability DB
 * built from test/feeds, a small image holding an npm package pushed to a
 * real docker-registry with skopeo, a ServerContext over a store, and a log
 * that keeps its lines.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, dbPath } from '../../../core/index.js';
import { type ImageFixture, writeOciLayout } from '../../../image/test-support/image-fixtures.js';
import { pushLayout, type TestRegistry } from '../../../image/test-support/test-registry.js';
import type { Store } from '../../../store/index.js';
import { importVulnDb } from '../../../vulndb/index.js';
import type { ServerContext, ServerLog } from '../../context.js';

/** test/feeds of the checkout, found upwards from here (dist/ and dist-test/ sit at different depths). */
function findFeeds(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'feeds', 'osv');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return join(dir, 'test', 'feeds');
    const up = dirname(dir);
    if (up === dir) throw new Error('test/feeds not found above the compiled tests');
    dir = up;
  }
}

export const FEEDS = findFeeds();

/** Build (or rebuild: a new file renamed over the old) the DB in `dir`; its customs.db path. */
export async function buildTestDb(dir: string, builtAt = new Date()): Promise<string> {
  await importVulnDb([join(FEEDS, 'osv')], createContext({ config: { dbDir: dir, feedUrls: {} }, now: () => builtAt }));
  return dbPath(dir);
}

/** An image with lodash VERSION in node_modules (GHSA-35jh-r3h4-6jhm affects < 4.17.21). */
export function lodashImage(version: string, extra: Partial<ImageFixture> = {}): ImageFixture {
  return {
    layers: [
      {
        files: [
          { path: 'app/package.json', data: JSON.stringify({ name: 'app', version: '1.0.0' }) },
          {
            path: 'app/node_modules/lodash/package.json',
            data: JSON.stringify({ name: 'lodash', version }),
          },
        ],
      },
    ],
    ...extra,
  };
}

/** Push images to `repo:tag` (several: a multi-platform index); the manifest digests. */
export async function pushImage(
  reg: TestRegistry,
  repoTag: string,
  images: readonly ImageFixture[],
): Promise<{ digests: string[]; indexDigest?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-push-'));
  try {
    const nested = images.length > 1;
    const built = writeOciLayout(
      dir,
      images.map((image) => ({ image })),
      nested ? { nested: true } : {},
    );
    await pushLayout(reg, dir, repoTag, { all: nested });
    return {
      digests: built.images.map((i) => i.manifestDigest),
      ...(built.indexDigest !== undefined ? { indexDigest: built.indexDigest } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface KeptLog extends ServerLog {
  readonly lines: { level: string; obj: object; msg?: string }[];
}

export function keptLog(): KeptLog {
  const lines: KeptLog['lines'] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export function serverContext(store: Store, dataDir: string, dbFile: string, signal?: AbortSignal): ServerContext {
  return {
    store,
    log: keptLog(),
    dbPath: dbFile,
    dataDir,
    signal: signal ?? new AbortController().signal,
    now: () => Date.now(),
  };
}

/** Poll until `check` returns a value (not undefined), or fail after `ms`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
