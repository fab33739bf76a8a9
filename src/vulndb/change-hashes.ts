/**
 * What changed between two DB versions, from content hashes written at build
 * time (docs/rescans.md). A server that stored the findings of many images
 * with one DB version re-matches, after an update, only the packages under
 * the (ecosystem, package key) pairs whose advisories changed.
 *
 * advisory_hash: per advisory, SHA-256 of its stored JSON and of the
 *   enrichment (NVD ratings, publication date, CISA KEV) of every CVE it
 *   names (its ID, aliases and upstream IDs — the IDs a finding merges and
 *   enriches by). EPSS is left out on purpose: it moves every day for every
 *   CVE and is not part of a stored finding's fingerprint (docs/store.md), so
 *   hashing it would turn every daily update into a full re-match.
 * key_hash: per (ecosystem, package key), SHA-256 of the advisories stated
 *   about it in the order the reader returns them (advisory row, statement
 *   index), each as (advisory uid, statement index, advisory hash). Order is
 *   included because merging (match/merge-findings.ts) keeps the feed's order
 *   among ratings of one rank.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CustomsError } from '../core/index.js';
import { CHANGE_HASH_VERSION } from './schema.js';

/** An advisory's identity across DB versions: the writer stores each (feed family, ID) once. */
export const advisoryUid = (id: string, source: string): string => `${source.split(':')[0]}/${id}`;

/** Fill advisory_hash and key_hash of a DB being written (DbWriter.finish, inside its transaction). */
export function writeChangeHashes(db: Database.Database): void {
  const enrichmentOf = new Map<number, string[]>();
  const enrichRows = db
    .prepare(
      `SELECT al.advisory AS advisory, e.cve AS cve, e.nvd AS nvd, e.published AS published, e.kev AS kev
         FROM alias al JOIN enrichment e ON e.cve = al.id
        ORDER BY al.advisory, e.cve`,
    )
    .iterate() as IterableIterator<{
    advisory: number;
    cve: string;
    nvd: string | null;
    published: string | null;
    kev: string | null;
  }>;
  for (const r of enrichRows) {
    const parts = enrichmentOf.get(r.advisory) ?? [];
    parts.push(JSON.stringify([r.cve, r.nvd, r.published, r.kev]));
    enrichmentOf.set(r.advisory, parts);
  }
  const advisories: { row: number; uid: string; hash: string }[] = [];
  const rows = db
    .prepare('SELECT rowid AS row, id, source, json FROM advisory ORDER BY rowid')
    .iterate() as IterableIterator<{
    row: number;
    id: string;
    source: string;
    json: string;
  }>;
  for (const r of rows) {
    const h = createHash('sha256').update(r.json);
    for (const e of enrichmentOf.get(r.row) ?? []) h.update('\n').update(e);
    advisories.push({ row: r.row, uid: advisoryUid(r.id, r.source), hash: h.digest('hex') });
  }
  const putAdvisory = db.prepare('INSERT INTO advisory_hash (advisory, uid, hash) VALUES (?, ?, ?)');
  for (const a of advisories) putAdvisory.run(a.row, a.uid, a.hash);

  const keys: { ecosystem: string; name: string; hash: string }[] = [];
  let current: { ecosystem: string; name: string; h: ReturnType<typeof createHash> } | undefined;
  const statements = db
    .prepare(
      `SELECT f.ecosystem AS ecosystem, f.name AS name, f.idx AS idx, h.uid AS uid, h.hash AS hash
         FROM affected f JOIN advisory_hash h ON h.advisory = f.advisory
        ORDER BY f.ecosystem, f.name, f.advisory, f.idx`,
    )
    .iterate() as IterableIterator<{ ecosystem: string; name: string; idx: number; uid: string; hash: string }>;
  for (const s of statements) {
    if (current === undefined || current.ecosystem !== s.ecosystem || current.name !== s.name) {
      if (current) keys.push({ ecosystem: current.ecosystem, name: current.name, hash: current.h.digest('hex') });
      current = { ecosystem: s.ecosystem, name: s.name, h: createHash('sha256') };
    }
    current.h.update(`${s.uid}\u0000${s.idx}\u0000${s.hash}\n`);
  }
  if (current) keys.push({ ecosystem: current.ecosystem, name: current.name, hash: current.h.digest('hex') });
  const putKey = db.prepare('INSERT INTO key_hash (ecosystem, name, hash) VALUES (?, ?, ?)');
  for (const k of keys) putKey.run(k.ecosystem, k.name, k.hash);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('change_hashes', String(CHANGE_HASH_VERSION));
}

/** One (ecosystem or distro release, package key) whose advisories differ between two DB versions. */
export interface KeyChange {
  /** The DB's ecosystem key: "Debian:12", "npm" … (the store's package-index namespace). */
  readonly namespace: string;
  /** The package key as the DB folds it (vulndb packageKey). */
  readonly name: string;
  /** Advisory IDs stated about the key only in the newer DB. */
  readonly added: readonly string[];
  /** Advisory IDs stated in both whose content (or enrichment) differs. */
  readonly changed: readonly string[];
  /** Advisory IDs gone from the key in the newer DB, or marked withdrawn there. */
  readonly withdrawn: readonly string[];
}

export type DbChanges =
  | { readonly mode: 'keys'; readonly keys: readonly KeyChange[] }
  /** The two DBs cannot be compared key by key: everything must be re-matched, for `reason`. */
  | { readonly mode: 'full'; readonly reason: string };

function open(path: string): Database.Database {
  if (!existsSync(path))
    throw new CustomsError('VULNDB_MISSING', `no vulnerability DB at ${path}; give an existing DB file`);
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new CustomsError('VULNDB_CORRUPT', `cannot open ${path}: ${(e as Error).message}`, e);
  }
}

/** Why `db` cannot be compared key by key, or undefined when it can. */
function hashVersionProblem(db: Database.Database, path: string): string | undefined {
  let v: string | undefined;
  try {
    v = db.prepare("SELECT value FROM meta WHERE key = 'change_hashes'").pluck().get() as string | undefined;
  } catch (e) {
    throw new CustomsError('VULNDB_CORRUPT', `${path} is not a customs vulnerability DB (${(e as Error).message})`, e);
  }
  if (v === undefined) return `${path} was built without change hashes (by an older customs)`;
  if (Number(v) !== CHANGE_HASH_VERSION)
    return `${path} has change hashes of version ${v}, this customs compares version ${CHANGE_HASH_VERSION}`;
  return undefined;
}

interface KeyAdvisory {
  readonly id: string;
  readonly withdrawn: number;
  readonly hash: string;
}

/**
 * The keys whose advisories were added, changed or withdrawn between `oldPath`
 * and `newPath` (both DB files), with the advisory IDs; or `mode: 'full'` with
 * the reason when either DB has no (or other) change hashes.
 */
export function changedKeys(oldPath: string, newPath: string): DbChanges {
  const older = open(oldPath);
  let newer: Database.Database | undefined;
  try {
    newer = open(newPath);
    const problem = hashVersionProblem(older, oldPath) ?? hashVersionProblem(newer, newPath);
    if (problem !== undefined) return { mode: 'full', reason: problem };
    const hashesOf = (db: Database.Database): Map<string, string> => {
      const m = new Map<string, string>();
      const it = db.prepare('SELECT ecosystem, name, hash FROM key_hash').raw().iterate() as IterableIterator<
        [string, string, string]
      >;
      for (const [e, n, h] of it) m.set(`${e}\u0000${n}`, h);
      return m;
    };
    const before = hashesOf(older);
    const after = hashesOf(newer);
    const differing: string[] = [];
    for (const [k, h] of after) if (before.get(k) !== h) differing.push(k);
    for (const k of before.keys()) if (!after.has(k)) differing.push(k);
    differing.sort();
    const sql = `SELECT DISTINCT h.uid AS uid, a.id AS id, a.withdrawn AS withdrawn, h.hash AS hash
                   FROM affected f JOIN advisory a ON a.rowid = f.advisory JOIN advisory_hash h ON h.advisory = f.advisory
                  WHERE f.ecosystem = ? AND f.name = ?`;
    const oldStmt = older.prepare(sql);
    const newStmt = newer.prepare(sql);
    const read = (stmt: Database.Statement, e: string, n: string): Map<string, KeyAdvisory> =>
      new Map(
        (stmt.all(e, n) as (KeyAdvisory & { uid: string })[]).map((r) => [
          r.uid,
          { id: r.id, withdrawn: r.withdrawn, hash: r.hash },
        ]),
      );
    const keys: KeyChange[] = differing.map((k) => {
      const [namespace = '', name = ''] = k.split('\u0000');
      const was = read(oldStmt, namespace, name);
      const now = read(newStmt, namespace, name);
      const added = new Set<string>();
      const changed = new Set<string>();
      const withdrawn = new Set<string>();
      for (const [uid, a] of now) {
        const b = was.get(uid);
        if (a.withdrawn !== 0) {
          // Published already withdrawn: it never affected anything.
          if (b !== undefined && b.withdrawn === 0) withdrawn.add(a.id);
        } else if (b === undefined) added.add(a.id);
        else if (b.hash !== a.hash) changed.add(a.id);
      }
      for (const [uid, b] of was) if (!now.has(uid)) withdrawn.add(b.id);
      const sorted = (s: Set<string>): string[] => [...s].sort();
      return { namespace, name, added: sorted(added), changed: sorted(changed), withdrawn: sorted(withdrawn) };
    });
    return { mode: 'keys', keys };
  } finally {
    newer?.close();
    older.close();
  }
}
