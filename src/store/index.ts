export * from './layer-cache.js';
export type * from './repository.js';
export type * from './types.js';
export type * from './notification-types.js';
export type * from './runtime-types.js';
export { WEBHOOK_FORMATS, DELIVERY_STATES } from './notification-types.js';
export { JOB_STATES, TOKEN_ROLES } from './types.js';
export { openStore, type StoreOptions } from './open-store.js';
export { sealSecret, openSecret, parseSecretKey, type SecretKey } from './secret-box.js';
export { scanJobKey } from './job-queue.js';
export { inventoryPackagesOf, type InventoryLike } from './inventory-rows.js';
export { SCHEMA_VERSION } from './migrations.js';
export type { Dialect } from './backend.js';
export type {
  SessionInput,
  SessionRecord,
  SessionRepository,
  UserInput,
  UserRecord,
  UserRepository,
} from './web-users.js';
export { MIN_PASSWORD_LENGTH } from './web-users.js';
export type { DashboardStats, FindingReach, InventoryCounts } from './dashboard-stats.js';
export type {
  DiscoveryRun,
  PushSeen,
  RegistryStatus,
  RegistryStatusRepository,
} from './registry-status.js';
export { MAX_DISCOVERY_ERRORS } from './registry-status.js';
export type { VexDocumentInput, VexDocumentRecord, VexDocumentRepository } from './vex-documents.js';
