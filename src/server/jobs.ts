/**
 * The job kinds of the server's queue (store.jobs), their payloads and
 * idempotency keys, and what a job handler receives. Producers (discovery,
 * push hooks, the schedule, the API) enqueue through these helpers; the
 * workers (worker/) run a handler per kind. docs/workers.md describes the queue.
 */
import { existsSync } from 'node:fs';
import type { LayerCache } from '../analyze/index.js';
import { sha256 } from '../core/index.js';
import { DEFAULT_SCAN_PLAN } from '../engine/index.js';
import type { Enqueued, JobRecord, Lease, Store } from '../store/index.js';
import { scanJobKey } from '../store/index.js';
import { openVulnDb, type VulnDbReader } from '../vulndb/index.js';
import type { ServerContext, ServerLog } from './context.js';

export const JOB_KINDS = {
  /** Scan one image and record the result (payload ScanPayload). */
  scan: 'scan',
  /** Walk a registry's catalog and tags, record tags, enqueue scans of new digests (payload DiscoverPayload). */
  discover: 'discover',
  /** Update the vulnerability DB the workers match with. */
  dbUpdate: 'db-update',
  /** Re-match stored inventories after a DB update. */
  rescan: 'rescan',
  /** Delete what is kept only for a while: old Harbor scan requests and once-keys (worker/prune-job.ts). */
  prune: 'prune',
} as const;
export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS];

/** An image of a stored registry, by manifest digest (the tag it was seen under, when known). */
export interface RegistryScanPayload {
  readonly registryId: number;
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
}

/** Any image reference customs can read (`customs help targets`); its digest is learnt when scanned. */
export interface ReferenceScanPayload {
  readonly image: string;
}

export type ScanPayload = RegistryScanPayload | ReferenceScanPayload;

export interface DiscoverPayload {
  /** One registry; absent: every stored registry. */
  readonly registryId?: number;
}

/**
 * The scanner plan the workers run: every scanner, built-in rules. Its hash is
 * part of a scan job's key, so changing the plan scans every image again.
 */
export const SERVER_SCAN_PLAN = DEFAULT_SCAN_PLAN;
export const SCAN_PLAN_HASH: string = sha256(JSON.stringify({ scanners: [...SERVER_SCAN_PLAN.scanners].sort() })).slice(
  'sha256:'.length,
  'sha256:'.length + 16,
);

/** A DB version string: schema and build time say which data a result was matched with. */
export function dbVersionOf(meta: { readonly schemaVersion: number; readonly builtAt: string }): string {
  return `${meta.schemaVersion}:${meta.builtAt}`;
}

/** The version of the DB file at `path`, read and closed; "none" when there is no DB. */
export function dbVersionAt(path: string | undefined): string {
  if (path === undefined || !existsSync(path)) return 'none';
  const db = openVulnDb(path);
  try {
    return dbVersionOf(db.metadata);
  } finally {
    db.close();
  }
}

/** The idempotency key of a scan: by digest when known, else by the reference as given. */
export function scanKey(payload: ScanPayload, dbVersion: string): string {
  if ('digest' in payload) return scanJobKey(payload.digest, dbVersion, SCAN_PLAN_HASH);
  return scanJobKey(`ref:${payload.image}`, dbVersion, SCAN_PLAN_HASH);
}

export async function enqueueScan(
  store: Store,
  payload: ScanPayload,
  dbVersion: string,
  opts: { readonly priority?: number } = {},
): Promise<Enqueued> {
  return store.jobs.enqueue({
    kind: JOB_KINDS.scan,
    idempotencyKey: scanKey(payload, dbVersion),
    payload,
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
  });
}

/** What a job handler is given for one claimed job. */
export interface JobRun {
  readonly ctx: ServerContext;
  readonly job: JobRecord;
  /** The current lease (renewed by heartbeats). */
  lease(): Lease;
  /** The lease length a heartbeat renews to. */
  readonly leaseMs: number;
  /** Aborted when the lease is lost or the worker must stop now: stop and throw. */
  readonly signal: AbortSignal;
  readonly log: ServerLog;
  /** Who runs it (host:pid/slot), as the lease records. */
  readonly worker: string;
  /** The vulnerability DB this worker matches with, pinned for the job (see worker/vulndb-handle.ts). */
  readonly db: PinnedDb | undefined;
  /** The DB version to key new scan jobs with. */
  readonly dbVersion: string;
  /** The layer cache (a SQLite file in a directory workers on one disk share). */
  readonly cache?: LayerCache;
}

export interface PinnedDb {
  readonly reader: VulnDbReader;
  readonly path: string;
  readonly version: string;
}

/** Runs one job; what it returns is stored as the job's result. Throwing fails the attempt (retried with backoff). */
export type JobHandler = (run: JobRun) => Promise<unknown>;
