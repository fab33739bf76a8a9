/**
 * Build a new DB beside the current one and swap it in atomically: the new
 * file is written under a temporary name in the same directory, fsynced, then
 * renamed over customs.db (rename(2) is atomic within a file system) and the
 * directory fsynced so the rename survives a crash. Readers that opened the
 * old file keep reading it; an interrupted build (error, abort, kill) leaves
 * the old DB as it was and at most a temporary file, removed by the next build.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CustomsError, DB_FILE, dbPath } from '../core/index.js';
import { DbWriter } from './db-writer.js';
import type { DbMetadata } from './types.js';

/** Temporary files beside the DB: `.customs.db.<random hex>.building`. */
const TEMP = new RegExp(`^\\.${DB_FILE.replaceAll('.', '\\.')}\\.[0-9a-f]+\\.building$`);
/** A temporary file untouched this long belongs to a build that died. */
const STALE_MS = 60 * 60 * 1000;

/** A fresh temporary name for a DB being written in `dbDir`; renamed over the DB when complete. */
export function tempDbPath(dbDir: string): string {
  return join(dbDir, `.${DB_FILE}.${randomBytes(6).toString('hex')}.building`);
}

async function removeStaleTemps(dir: string, now: number): Promise<void> {
  for (const n of await readdir(dir)) {
    if (!TEMP.test(n)) continue;
    const p = join(dir, n);
    const st = await stat(p).catch(() => undefined);
    if (st && now - st.mtimeMs > STALE_MS) await rm(p, { force: true });
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Run `fill` against a fresh writer and, if it completes, make the result the DB
 * in `dbDir`. Any error (or `signal` abort) leaves the previous DB untouched.
 */
export async function buildDb(
  dbDir: string,
  fill: (writer: DbWriter) => Promise<void>,
  opts: { now: () => Date; signal?: AbortSignal },
): Promise<DbMetadata> {
  await mkdir(dbDir, { recursive: true });
  await removeStaleTemps(dbDir, opts.now().getTime());
  const temp = tempDbPath(dbDir);
  const writer = new DbWriter(temp);
  let meta: DbMetadata;
  try {
    await fill(writer);
    if (opts.signal?.aborted) throw new CustomsError('ABORTED', 'DB build cancelled; the previous DB is unchanged');
    meta = writer.finish(opts.now());
    await rename(temp, dbPath(dbDir));
  } catch (e) {
    writer.abort();
    throw e;
  }
  fsyncDir(dbDir);
  return meta;
}
