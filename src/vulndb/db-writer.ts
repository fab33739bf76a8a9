/**
 * Builds a DB file from feed parsers' output. The file is written under a
 * temporary name and only becomes the DB by an atomic rename after it is
 * complete and fsynced (build-db.ts); until then readers see the old one.
 */
import { closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { writeChangeHashes } from './change-hashes.js';
import { packageKey } from './ecosystem.js';
import type { EnrichmentPart, FeedSink } from './feeds/sink.js';
import { CREATE_INDEXES, CREATE_TABLES, SCHEMA_VERSION } from './schema.js';
import type { Advisory, DbMetadata, DbSourceInfo } from './types.js';

export interface SourceSink extends FeedSink {
  /** Close this source's accounting; `timestamp` is the feed's own date when it has one. */
  finish(timestamp?: string): DbSourceInfo;
}

export class DbWriter {
  private readonly db: Database.Database;
  private readonly insertAdvisory: Database.Statement;
  private readonly insertAffected: Database.Statement;
  private readonly insertAlias: Database.Statement;
  private readonly upsertNvd: Database.Statement;
  private readonly upsertKev: Database.Statement;
  private readonly upsertEpss: Database.Statement;
  private readonly ecosystems = new Set<string>();
  /** (feed family, advisory ID) already stored: the same GHSA sits in several ecosystems' all.zip. */
  private readonly seen = new Set<string>();
  private readonly sources: DbSourceInfo[] = [];
  private advisories = 0;
  private closed = false;

  constructor(readonly path: string) {
    this.db = new Database(path);
    // A scratch file until it is renamed into place: no journal, no per-commit sync (fsync at the end).
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -65536');
    this.db.exec(CREATE_TABLES);
    this.insertAdvisory = this.db.prepare('INSERT INTO advisory (id, source, withdrawn, json) VALUES (?, ?, ?, ?)');
    this.insertAffected = this.db.prepare('INSERT INTO affected (ecosystem, name, advisory, idx) VALUES (?, ?, ?, ?)');
    this.insertAlias = this.db.prepare('INSERT INTO alias (id, advisory) VALUES (?, ?)');
    this.upsertNvd = this.db.prepare(
      'INSERT INTO enrichment (cve, nvd, published) VALUES (?, ?, ?) ON CONFLICT (cve) DO UPDATE SET nvd = excluded.nvd, published = coalesce(excluded.published, published)',
    );
    this.upsertKev = this.db.prepare(
      'INSERT INTO enrichment (cve, kev) VALUES (?, ?) ON CONFLICT (cve) DO UPDATE SET kev = excluded.kev',
    );
    this.upsertEpss = this.db.prepare(
      'INSERT INTO enrichment (cve, epss_score, epss_percentile, epss_date) VALUES (?, ?, ?, ?) ON CONFLICT (cve) DO UPDATE SET epss_score = excluded.epss_score, epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date',
    );
    this.db.exec('BEGIN');
  }

  private addAdvisory(a: Advisory): boolean {
    const key = `${a.source.split(':')[0]}\u0000${a.id}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const row = this.insertAdvisory.run(
      a.id,
      a.source,
      a.withdrawn !== undefined ? 1 : 0,
      JSON.stringify(a),
    ).lastInsertRowid;
    a.affected.forEach((p, i) => {
      this.insertAffected.run(p.ecosystem, packageKey(p.ecosystem, p.name), row, i);
      this.ecosystems.add(p.ecosystem);
    });
    // Upstream IDs too: a DSA answers "what does CVE-… affect" as much as its aliases do.
    for (const id of new Set([a.id, ...a.aliases, ...(a.upstream ?? [])])) this.insertAlias.run(id, row);
    this.advisories++;
    return true;
  }

  private addEnrichment(e: EnrichmentPart): void {
    if (e.nvd) this.upsertNvd.run(e.cve, JSON.stringify(e.nvd.severity), e.nvd.published ?? null);
    if (e.kev) this.upsertKev.run(e.cve, JSON.stringify(e.kev));
    if (e.epss) this.upsertEpss.run(e.cve, e.epss.score, e.epss.percentile, e.epss.date);
  }

  /** A sink counting one source's records and skips. `fetchedAt` is used when the feed has no date of its own. */
  source(name: string, url: string, fetchedAt: string): SourceSink {
    let records = 0;
    let skipped = 0;
    const reasons: Record<string, number> = {};
    return {
      advisory: (a) => {
        if (this.addAdvisory(a)) records++;
      },
      enrichment: (e) => {
        this.addEnrichment(e);
        records++;
      },
      skip: (reason) => {
        skipped++;
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      },
      finish: (timestamp) => {
        const info: DbSourceInfo = {
          name,
          url,
          timestamp: timestamp ?? fetchedAt,
          records,
          skipped,
          ...(skipped > 0 ? { skipReasons: reasons } : {}),
        };
        this.sources.push(info);
        return info;
      },
    };
  }

  /** Index, write metadata, commit, close and fsync. The file is then complete. */
  finish(builtAt: Date): DbMetadata {
    this.db.exec(CREATE_INDEXES);
    const ins = this.db.prepare('INSERT INTO ecosystem (name) VALUES (?)');
    for (const e of [...this.ecosystems].sort()) ins.run(e);
    const cves = (this.db.prepare('SELECT count(*) AS n FROM enrichment').get() as { n: number }).n;
    const meta: DbMetadata = {
      schemaVersion: SCHEMA_VERSION,
      builtAt: builtAt.toISOString(),
      sources: this.sources,
      advisories: this.advisories,
      cves,
    };
    const put = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    put.run('schema_version', String(SCHEMA_VERSION));
    put.run('built_at', meta.builtAt);
    put.run('sources', JSON.stringify(meta.sources));
    put.run('advisories', String(this.advisories));
    put.run('cves', String(cves));
    writeChangeHashes(this.db);
    this.db.exec('COMMIT');
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.db.exec('ANALYZE');
    this.db.close();
    this.closed = true;
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return meta;
  }

  /** Give up: close and delete the partial file. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        this.db.close();
      } catch {
        // already broken; the file goes anyway
      }
    }
    rmSync(this.path, { force: true });
  }
}
