/**
 * openStore(target): the state store behind one repository interface.
 * A postgres:// (or postgresql://) URL opens PostgreSQL; anything else is a
 * data directory holding the embedded SQLite store (state.db). The schema is
 * migrated forward on open; a store migrated by a newer customs is refused.
 */
import type { Backend } from './backend.js';
import { auditLog } from './audit-log.js';
import { registryHookSecrets } from './registry-hooks.js';
import { tokenRepository } from './api-tokens.js';
import { eventLog } from './events.js';
import { findingRepository } from './findings.js';
import { imageRepository } from './images.js';
import { harborScanRepository } from './harbor-scans.js';
import { jobQueue } from './job-queue.js';
import { listings } from './listings.js';
import { migrate } from './migrate.js';
import { deliveryRepository, notifierState, subscriptionRepository } from './notifications.js';
import { packageIndex } from './package-index.js';
import { policyRepository } from './policies.js';
import { isPostgresUrl, openPostgresBackend } from './postgres-backend.js';
import { registryRepository } from './registries.js';
import { rematchRepository } from './rematch.js';
import { runtimeRepository } from './runtime-nodes.js';
import { retentionRepository } from './retention.js';
import type { Store } from './repository.js';
import { scanRepository } from './scans.js';
import type { SecretKey } from './secret-box.js';
import { openSqliteBackend } from './sqlite-backend.js';
import { DEFAULT_QUEUE_OPTIONS, type QueueOptions, type StoreContext } from './store-context.js';
import { verdictRepository } from './verdicts.js';
import { sessionRepository, userRepository } from './web-users.js';
import { dashboardStats } from './dashboard-stats.js';
import { registryStatusRepository } from './registry-status.js';
import { vexDocumentRepository } from './vex-documents.js';

export interface StoreOptions {
  /** Seals registry credentials (parseSecretKey); without it they cannot be stored or read. */
  readonly secretKey?: SecretKey;
  /** Clock in ms since the epoch (default Date.now). */
  readonly now?: () => number;
  readonly queue?: Partial<QueueOptions>;
  /** PostgreSQL connections (default 10). */
  readonly poolSize?: number;
}

/** Open the backend for a target without migrating (openStore migrates). */
export async function openBackend(target: string, opts: Pick<StoreOptions, 'poolSize'> = {}): Promise<Backend> {
  return isPostgresUrl(target)
    ? openPostgresBackend(target, opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {})
    : openSqliteBackend(target);
}

/** The repositories over an open, migrated backend. */
export function createStore(backend: Backend, opts: StoreOptions = {}): Store {
  const ctx: StoreContext = {
    backend,
    now: opts.now ?? Date.now,
    ...(opts.secretKey !== undefined ? { secretKey: opts.secretKey } : {}),
    queue: { ...DEFAULT_QUEUE_OPTIONS, ...opts.queue },
  };
  return {
    dialect: backend.dialect,
    location: backend.location,
    registries: registryRepository(ctx),
    images: imageRepository(ctx),
    scans: scanRepository(ctx),
    packages: packageIndex(ctx),
    findings: findingRepository(ctx),
    rematch: rematchRepository(ctx),
    verdicts: verdictRepository(ctx),
    policies: policyRepository(ctx),
    jobs: jobQueue(ctx),
    events: eventLog(ctx),
    tokens: tokenRepository(ctx),
    audit: auditLog(ctx),
    listings: listings(ctx),
    hookSecrets: registryHookSecrets(ctx),
    webhooks: subscriptionRepository(ctx),
    deliveries: deliveryRepository(ctx),
    notifier: notifierState(ctx),
    harborScans: harborScanRepository(ctx),
    users: userRepository(ctx),
    sessions: sessionRepository(ctx),
    stats: dashboardStats(ctx),
    runtime: runtimeRepository(ctx),
    registryStatus: registryStatusRepository(ctx),
    vex: vexDocumentRepository(ctx),
    retention: retentionRepository(ctx),
    close: () => backend.close(),
  };
}

export async function openStore(target: string, opts: StoreOptions = {}): Promise<Store> {
  const backend = await openBackend(target, opts);
  try {
    await migrate(backend, opts.now ?? Date.now);
  } catch (e) {
    await backend.close();
    throw e;
  }
  return createStore(backend, opts);
}
