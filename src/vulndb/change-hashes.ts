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
  const byRow = new Map<number, { uid: string; id: string; withdrawn: number; hash: string; keys: string[][] }>();
  const rows = db
    .prepare('SELECT rowid AS row, id, source, withdrawn, json FROM advisory ORDER BY rowid')
    .iterate() as IterableIterator<{ row: number; id: string; source: string; withdrawn: number; json: string }>;
  for (const r of rows) {
    const h = createHash('sha256').update(r.json);
    for (const e of enrichmentOf.get(r.row) ?? []) h.update('\n').update(e);
    byRow.set(r.row, {
      uid: advisoryUid(r.id, r.source),
      id: r.id,
      withdrawn: r.withdrawn,
      hash: h.digest('hex'),
      keys: [],
    });
  }

  const keys: { ecosystem: string; name: string; hash: string }[] = [];
  let current: { ecosystem: string; name: string; h: ReturnType<typeof createHash> } | undefined;
  const statements = db
    .prepare(`SELECT ecosystem, name, advisory, idx FROM affected ORDER BY ecosystem, name, advisory, idx`)
    .iterate() as IterableIterator<{ ecosystem: string; name: string; advisory: number; idx: number }>;
  for (const s of statements) {
    const a = byRow.get(s.advisory);
    if (a === undefined) continue;
    if (current === undefined || current.ecosystem !== s.ecosystem || current.name !== s.name) {
      if (current) keys.push({ ecosystem: current.ecosystem, name: current.name, hash: current.h.digest('hex') });
      current = { ecosystem: s.ecosystem, name: s.name, h: createHash('sha256') };
    }
    current.h.update(`${a.uid}\u0000${s.idx}\u0000${a.hash}\n`);
    const last = a.keys[a.keys.length - 1];
    if (last === undefined || last[0] !== s.ecosystem || last[1] !== s.name) a.keys.push([s.ecosystem, s.name]);
  }
  if (current) keys.push({ ecosystem: current.ecosystem, name: current.name, hash: current.h.digest('hex') });
  const putAdvisory = db.prepare('INSERT INTO advisory_hash (uid, id, withdrawn, hash, keys) VALUES (?, ?, ?, ?, ?)');
  for (const a of byRow.values()) putAdvisory.run(a.uid, a.id, a.withdrawn, a.hash, JSON.stringify(a.keys));
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
    // Both files in one connection: the differences are two joins over the hash tables' primary keys.
    newer.prepare('ATTACH DATABASE ? AS old').run(oldPath);
    const differing = newer
      .prepare(
        `SELECT n.ecosystem, n.name FROM main.key_hash n LEFT JOIN old.key_hash o ON o.ecosystem = n.ecosystem AND o.name = n.name
          WHERE o.hash IS NULL OR o.hash <> n.hash
         UNION
         SELECT o.ecosystem, o.name FROM old.key_hash o
          WHERE NOT EXISTS (SELECT 1 FROM main.key_hash n WHERE n.ecosystem = o.ecosystem AND n.name = o.name)
         ORDER BY 1, 2`,
      )
      .raw()
      .all() as [string, string][];
    const changes = new Map<string, { added: Set<string>; changed: Set<string>; withdrawn: Set<string> }>();
    for (const [e, n] of differing)
      changes.set(`${e}\u0000${n}`, { added: new Set(), changed: new Set(), withdrawn: new Set() });
    const advisories = newer
      .prepare(
        `SELECT n.id AS id, n.withdrawn AS withdrawn, n.keys AS keys, o.withdrawn AS oldWithdrawn, o.keys AS oldKeys
           FROM main.advisory_hash n LEFT JOIN old.advisory_hash o ON o.uid = n.uid
          WHERE o.uid IS NULL OR o.hash <> n.hash
         UNION ALL
         SELECT o.id, NULL, NULL, o.withdrawn, o.keys FROM old.advisory_hash o
          WHERE NOT EXISTS (SELECT 1 FROM main.advisory_hash n WHERE n.uid = o.uid)`,
      )
      .all() as {
      id: string;
      withdrawn: number | null;
      keys: string | null;
      oldWithdrawn: number | null;
      oldKeys: string | null;
    }[];
    for (const a of advisories) {
      const was = a.oldWithdrawn === null ? undefined : a.oldWithdrawn !== 0;
      const now = a.withdrawn === null ? undefined : a.withdrawn !== 0;
      // Gone, or withdrawn now but not before: withdrawn. Published already withdrawn: it never affected anything.
      let kind: 'added' | 'changed' | 'withdrawn' | undefined;
      if (now === undefined || (now && was === false)) kind = 'withdrawn';
      else if (now) kind = undefined;
      else if (was === undefined) kind = 'added';
      else kind = 'changed';
      if (kind === undefined) continue;
      const keys = [
        ...(JSON.parse(a.keys ?? '[]') as [string, string][]),
        ...(JSON.parse(a.oldKeys ?? '[]') as [string, string][]),
      ];
      for (const [e, n] of keys) changes.get(`${e}\u0000${n}`)?.[kind].add(a.id);
    }
    const sorted = (s: Set<string>): string[] => [...s].sort();
    const keys: KeyChange[] = differing.map(([namespace, name]) => {
      const c = changes.get(`${namespace}\u0000${name}`) as {
        added: Set<string>;
        changed: Set<string>;
        withdrawn: Set<string>;
      };
      // An advisory both gone from and added to a key under one uid cannot happen; one ID in two lists is two feeds' records.
      return { namespace, name, added: sorted(c.added), changed: sorted(c.changed), withdrawn: sorted(c.withdrawn) };
    });
    return { mode: 'keys', keys };
  } finally {
    newer?.close();
    older.close();
  }
}
