import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CustomsError } from '../core/index.js';
import type { LayerCache, LayerResult } from '../analyze/index.js';

const SCHEMA = 1;

/**
 * The per-layer analysis cache in the embedded store: one SQLite file under
 * the cache dir, keyed by diffID + analyzer versions. WAL mode so concurrent
 * scans can share it. A cache that cannot be opened is an error naming the
 * file; a row that cannot be decoded is a miss.
 */
export class SqliteLayerCache implements LayerCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { result: string }>;
  private readonly putStmt: Database.Statement<[string, string, number]>;

  constructor(dir: string) {
    const file = join(dir, 'layers.db');
    try {
      mkdirSync(dir, { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);' +
          'CREATE TABLE IF NOT EXISTS layers (key TEXT PRIMARY KEY, result TEXT NOT NULL, created INTEGER NOT NULL);',
      );
      const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as
        | { value: string }
        | undefined;
      if (row && row.value !== String(SCHEMA)) this.db.exec('DELETE FROM layers');
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA));
    } catch (e) {
      throw new CustomsError('STORE_ERROR', `cannot open the layer cache ${file}: ${(e as Error).message}`, e);
    }
    this.getStmt = this.db.prepare('SELECT result FROM layers WHERE key = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO layers (key, result, created) VALUES (?, ?, ?)');
  }

  get(key: string): LayerResult | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.result) as LayerResult;
    } catch {
      return undefined;
    }
  }

  put(key: string, result: LayerResult): void {
    this.putStmt.run(key, JSON.stringify(result), Date.now());
  }

  clear(): number {
    return this.db.prepare('DELETE FROM layers').run().changes;
  }

  close(): void {
    this.db.close();
  }
}
