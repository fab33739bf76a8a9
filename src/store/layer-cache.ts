import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type LayerCache, type LayerResult, type MergedFacts, mergedFromJson, mergedToJson } from '../analyze/index.js';
import { CustomsError, hasFields, type LogSink, sha256 } from '../core/index.js';
import { switchToWal } from './sqlite-wal.js';

/**
 * 2: rows carry the sha256 of their JSON, so a damaged row reads as a miss.
 * 3: rows say what they hold: a layer's result or an image's merge (`kind`).
 */
const SCHEMA = 3;

/** What a row holds. */
type RowKind = 'layer' | 'image' | 'memo';
const FILE = 'layers.db';
/** How long an open or a write waits for another process's lock. */
const BUSY_TIMEOUT_MS = 5000;
/** SQLite's companions of a WAL-mode database (sqlite.org/tempfiles.html). */
const COMPANIONS = ['-wal', '-shm', '-journal'] as const;
const ASIDE = `${FILE}.corrupt-`;

export interface LayerCacheOptions {
  /** Where the one warning about a damaged cache goes (ctx.log). */
  readonly log?: LogSink;
  /** Clock for the name a damaged file is moved aside to (ctx.now). */
  readonly now?: () => Date;
}

/** A database customs did not write, or one it cannot read: the cache is rebuilt. */
class ForeignCache extends Error {}

/**
 * SQLite result codes that mean the file itself is damaged or not a database
 * (sqlite.org/rescode.html: SQLITE_CORRUPT and its extended codes,
 * SQLITE_NOTADB). Busy, read-only, full or I/O errors are not: the file may
 * be fine and another process may be using it.
 */
function isDamage(e: unknown): boolean {
  if (e instanceof ForeignCache) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The shape every cached row must have before it replaces an analysis (parse at the boundary). */
function isLayerResult(v: unknown): v is LayerResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const arrays = ['findings', 'symlinks', 'whiteouts', 'opaqueDirs', 'unknowns'] as const;
  if (typeof r.diffID !== 'string' || !arrays.every((k) => Array.isArray(r[k]))) return false;
  if (r.touched !== undefined && !Array.isArray(r.touched)) return false;
  const stats = r.stats as Record<string, unknown> | null | undefined;
  if (typeof stats !== 'object' || stats === null) return false;
  if (typeof stats.entries !== 'number' || typeof stats.bytes !== 'number') return false;
  return (r.findings as unknown[]).every((f) => hasFields(f, { path: 'string', analyzer: 'string', result: 'object' }));
}

function removeWithCompanions(file: string): void {
  for (const f of [file, ...COMPANIONS.map((s) => file + s)]) rmSync(f, { force: true });
}

interface Opened {
  readonly db: Database.Database;
  readonly get: Database.Statement<[string, RowKind], { result: string; digest: string }>;
  readonly put: Database.Statement<[string, RowKind, string, string, number]>;
  /** Inode of the file opened: a damaged file is moved aside only if it is still the one at the path. */
  readonly ino: number;
}

/**
 * The per-layer analysis cache in the embedded store: one SQLite file under
 * the cache dir, keyed by diffID + analyzer versions (layerCacheKey). WAL
 * mode so concurrent scans can share it.
 *
 * The cache is disposable, and restored CI caches, full disks and killed
 * processes do leave damaged files: a file that is not a database, is
 * corrupt, or holds another schema is moved aside (`layers.db.corrupt-<time>`,
 * kept for a post-mortem, removed by `customs cache clean`), one warning goes
 * to the log, and an empty cache takes its place. A row whose checksum or
 * shape is wrong is a miss. Reads and writes never fail a scan: a write the
 * disk refuses is skipped with a warning. Only a cache directory that cannot
 * be created or a fresh database that cannot be opened is a STORE_ERROR.
 */
export class SqliteLayerCache implements LayerCache {
  readonly file: string;
  private opened: Opened | undefined;
  private warned = false;
  private readonly log: LogSink;
  private readonly now: () => Date;

  constructor(
    readonly dir: string,
    opts: LayerCacheOptions = {},
  ) {
    this.file = join(dir, FILE);
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? (() => new Date());
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new CustomsError('STORE_ERROR', `cannot create the cache directory ${dir}: ${messageOf(e)}`, e);
    }
    try {
      this.opened = this.open();
    } catch (e) {
      if (!isDamage(e)) {
        throw new CustomsError('STORE_ERROR', `cannot open the layer cache ${this.file}: ${messageOf(e)}`, e);
      }
      this.moveAside(e, undefined);
      try {
        this.opened = this.open();
      } catch (e2) {
        throw new CustomsError('STORE_ERROR', `cannot open the layer cache ${this.file}: ${messageOf(e2)}`, e2);
      }
    }
  }

  private open(): Opened {
    const db = new Database(this.file);
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      switchToWal(db, BUSY_TIMEOUT_MS);
      // Read the schema and create it in one write transaction: another process creating the same
      // new cache is seen either not at all or whole, never as tables without a schema (which would
      // read as a foreign file and be moved aside under it).
      db.transaction(() => {
        const tables = (
          db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
        ).map((t) => t.name);
        const schema = tables.includes('meta')
          ? (db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined)?.value
          : undefined;
        if (tables.length > 0 && (schema === undefined || !/^\d+$/.test(schema))) {
          throw new ForeignCache(`it holds tables (${tables.slice(0, 5).join(', ')}) but no customs schema`);
        }
        if (schema !== String(SCHEMA)) {
          // An older layout of this cache: its rows are not worth converting.
          db.exec('DROP TABLE IF EXISTS layers');
        }
        db.exec(
          'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);' +
            'CREATE TABLE IF NOT EXISTS layers (key TEXT PRIMARY KEY, kind TEXT NOT NULL, result TEXT NOT NULL, digest TEXT NOT NULL, created INTEGER NOT NULL);',
        );
        db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA));
      }).immediate();
      return {
        db,
        get: db.prepare('SELECT result, digest FROM layers WHERE key = ? AND kind = ?'),
        put: db.prepare('INSERT OR REPLACE INTO layers (key, kind, result, digest, created) VALUES (?, ?, ?, ?, ?)'),
        ino: statSync(this.file).ino,
      };
    } catch (e) {
      try {
        db.close();
      } catch {
        // closing a damaged database may fail too
      }
      throw e;
    }
  }

  private warn(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log({ kind: 'warn', message });
  }

  /** Move a damaged cache file (and its WAL) aside; another process may have done it already. */
  private moveAside(reason: unknown, ino: number | undefined): void {
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    const aside = join(this.dir, `${ASIDE}${stamp}`);
    let current: number | undefined;
    try {
      current = lstatSync(this.file).ino;
    } catch {
      current = undefined;
    }
    if (current !== undefined && (ino === undefined || current === ino)) {
      try {
        renameSync(this.file, aside);
        if (existsSync(this.file + COMPANIONS[0])) renameSync(this.file + COMPANIONS[0], aside + COMPANIONS[0]);
        for (const s of COMPANIONS.slice(1)) rmSync(this.file + s, { force: true });
      } catch (e) {
        // Cannot move it (read-only directory?): remove it; if that fails too, opening again says why.
        removeWithCompanions(this.file);
        this.warn(
          `the layer cache ${this.file} was damaged (${messageOf(reason)}) and could not be moved aside (${messageOf(e)}); it was removed and is rebuilt`,
        );
        return;
      }
    }
    this.warn(
      `the layer cache ${this.file} was damaged (${messageOf(reason)}); moved it to ${aside} and rebuilding it (customs cache clean removes the old copy)`,
    );
  }

  /** A database error during a scan: damage → rebuild; anything else → skip this operation, warn once. */
  private failed(e: unknown, op: 'read' | 'write'): void {
    const cur = this.opened;
    if (!isDamage(e)) {
      this.warn(
        `the layer cache ${this.file} could not ${op} a cached analysis (${messageOf(e)}); the scan goes on without it`,
      );
      return;
    }
    this.opened = undefined;
    try {
      cur?.db.close();
    } catch {
      // damaged
    }
    this.moveAside(e, cur?.ino);
    try {
      this.opened = this.open();
    } catch (e2) {
      this.warn(`the layer cache ${this.file} could not be rebuilt (${messageOf(e2)}); the scan goes on without it`);
    }
  }

  get(key: string): LayerResult | undefined {
    const value = this.read(key, 'layer');
    return isLayerResult(value) ? value : undefined;
  }

  put(key: string, result: LayerResult): void {
    this.write(key, 'layer', result);
  }

  /** An image's merge is a row of the same table, under its own key (mergedCacheKey). */
  getMerged(key: string): MergedFacts | undefined {
    const value = this.read(key, 'image');
    return value === undefined ? undefined : mergedFromJson(value);
  }

  putMerged(key: string, merged: MergedFacts): void {
    this.write(key, 'image', mergedToJson(merged));
  }

  /**
   * A memo kept between runs (core/persisted-memos.ts), by name: whatever JSON the memo
   * saved, when its checksum holds; the memo checks its shape.
   */
  readMemo(name: string): unknown {
    return this.read(name, 'memo');
  }

  writeMemo(name: string, value: unknown): void {
    this.write(name, 'memo', value);
  }

  /** A row's JSON, when its checksum holds. */
  private read(key: string, kind: RowKind): unknown {
    const cur = this.opened;
    if (!cur) return undefined;
    let row: { result: string; digest: string } | undefined;
    try {
      row = cur.get.get(key, kind);
    } catch (e) {
      this.failed(e, 'read');
      return undefined;
    }
    if (!row || sha256(row.result) !== row.digest) return undefined;
    try {
      return JSON.parse(row.result);
    } catch {
      return undefined;
    }
  }

  private write(key: string, kind: RowKind, value: unknown): void {
    const cur = this.opened;
    if (!cur) return;
    const text = JSON.stringify(value);
    try {
      cur.put.run(key, kind, text, sha256(text), Date.now());
    } catch (e) {
      this.failed(e, 'write');
    }
  }

  clear(): number {
    return this.opened?.db.prepare('DELETE FROM layers').run().changes ?? 0;
  }

  close(): void {
    this.opened?.db.close();
    this.opened = undefined;
  }
}

export interface CleanResult {
  /** Layer results deleted from a readable cache. */
  readonly removedLayers: number;
  /** Image merges deleted from a readable cache. */
  readonly removedImages: number;
  /** Files deleted: an unreadable cache and copies moved aside earlier. */
  readonly removedFiles: readonly string[];
  /** Bytes the cache files took before and after. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

function sizeOf(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    if (n !== FILE && !n.startsWith(`${FILE}-`) && !n.startsWith(ASIDE)) continue;
    try {
      const st = lstatSync(join(dir, n));
      if (st.isFile()) total += st.size;
    } catch {
      // vanished
    }
  }
  return total;
}

/**
 * `customs cache clean`: empty the cache whatever state it is in. A readable
 * cache is emptied and VACUUMed (SQLite keeps freed pages otherwise, so the
 * file would not shrink); a file that cannot be read as this cache — not a
 * database, corrupt, another schema, locked past the timeout — is deleted with
 * its WAL; copies moved aside earlier are deleted too.
 */
export function cleanLayerCache(dir: string): CleanResult {
  const file = join(dir, FILE);
  const bytesBefore = sizeOf(dir);
  const removedFiles: string[] = [];
  let removedLayers = 0;
  let removedImages = 0;
  if (existsSync(file)) {
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { fileMustExist: true });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (row?.value !== String(SCHEMA)) throw new ForeignCache('not this version of the cache');
      const counts = db.prepare('SELECT kind, COUNT(*) AS n FROM layers GROUP BY kind').all() as {
        kind: string;
        n: number;
      }[];
      removedLayers = counts.find((c) => c.kind === 'layer')?.n ?? 0;
      removedImages = counts.find((c) => c.kind === 'image')?.n ?? 0;
      db.prepare('DELETE FROM layers').run();
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      db = undefined;
    } catch {
      try {
        db?.close();
      } catch {
        // damaged
      }
      removeWithCompanions(file);
      removedFiles.push(file);
    }
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no cache dir: nothing to clean
  }
  for (const n of names) {
    if (!n.startsWith(ASIDE)) continue;
    const p = join(dir, n);
    try {
      rmSync(p, { force: true });
      removedFiles.push(p);
    } catch (e) {
      throw new CustomsError('STORE_ERROR', `cannot remove ${p}: ${messageOf(e)}`, e);
    }
  }
  if (existsSync(file) && removedFiles.includes(file)) {
    throw new CustomsError('STORE_ERROR', `cannot remove the layer cache ${file}; delete it by hand`);
  }
  return { removedLayers, removedImages, removedFiles, bytesBefore, bytesAfter: sizeOf(dir) };
}
