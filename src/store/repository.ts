/**
 * The state store's one repository interface: everything the server, the
 * worker and the sensor change goes through it, whatever the backend
 * (SQLite or PostgreSQL, open-store.ts). docs/store.md describes the
 * semantics of each area.
 */
import type { Dialect } from './backend.js';
import type { DashboardStats } from './dashboard-stats.js';
import type { RegistryStatusRepository } from './registry-status.js';
import type { VexDocumentRepository } from './vex-documents.js';
import type { SessionRepository, UserRepository } from './web-users.js';
import type {
  RunningCount,
  RuntimeContainer,
  RuntimeNode,
  RuntimeReportInput,
  RuntimeReportOutcome,
} from './runtime-types.js';
import type {
  DeliveryFailure,
  DeliveryInput,
  DeliveryLease,
  DeliveryRecord,
  DeliveryState,
  HarborScanInput,
  HarborScanRecord,
  Subscription,
  SubscriptionInput,
  SubscriptionPatch,
} from './notification-types.js';
import type {
  AuditInput,
  AuditRecord,
  ClaimOptions,
  Enqueued,
  EventInput,
  EventRecord,
  ExceptionInput,
  ExceptionRecord,
  FailOptions,
  FindingHistoryDay,
  FindingRecord,
  FindingSpread,
  ImageInput,
  ImageQuery,
  ImageRecord,
  ImageSummary,
  ImageWithFinding,
  InventoryPackage,
  IssuedToken,
  JobInput,
  JobListQuery,
  JobRecord,
  JobState,
  Lease,
  ListedRepository,
  LogQuery,
  PageQuery,
  PackageFacts,
  PackageHit,
  PackageKey,
  PolicyInput,
  PolicyRecord,
  Registry,
  RegistryCredentials,
  RegistryInput,
  RegistryPatch,
  RematchApplied,
  RematchImage,
  RematchUpdate,
  RepositoryRecord,
  ScanInput,
  ScanRecord,
  ScanRecorded,
  TagChange,
  TagHistoryEntry,
  TagRecord,
  TokenInput,
  TokenRecord,
  VerdictInput,
  VerdictRecord,
} from './types.js';

export interface RegistryRepository {
  /** STORE_CONFLICT when the name exists; credentials need the store key. */
  add(input: RegistryInput): Promise<Registry>;
  update(id: number, patch: RegistryPatch): Promise<Registry | undefined>;
  get(id: number): Promise<Registry | undefined>;
  byName(name: string): Promise<Registry | undefined>;
  list(): Promise<Registry[]>;
  /** Removes the registry with its repositories and tags. */
  remove(id: number): Promise<boolean>;
  /** The opened credentials; STORE_SECRET_INVALID when the store key does not open them. */
  credentials(id: number): Promise<RegistryCredentials | undefined>;
}

export interface ImageRepository {
  /** The repository, created when new. */
  ensureRepository(registryId: number, name: string): Promise<RepositoryRecord>;
  repositories(registryId: number): Promise<RepositoryRecord[]>;
  /** Point a tag at a digest; a move is recorded in the tag's history and as a tag.moved event. */
  setTag(repositoryId: number, tag: string, digest: string): Promise<TagChange>;
  tags(repositoryId: number): Promise<TagRecord[]>;
  /** Oldest first. */
  tagHistory(repositoryId: number, tag: string): Promise<TagHistoryEntry[]>;
  /** Tags (of any repository) that point at a digest. */
  tagsOf(digest: string): Promise<TagRecord[]>;
  /** Insert or update by digest. */
  put(input: ImageInput): Promise<ImageRecord>;
  get(digest: string): Promise<ImageRecord | undefined>;
}

export interface ScanRepository {
  /**
   * In one transaction: store the scan document, replace the image's inventory,
   * and upsert its findings (new / changed / fixed); a scan.recorded event.
   * The image row is created when missing.
   */
  record(input: ScanInput): Promise<ScanRecorded>;
  latest(imageDigest: string): Promise<ScanRecord | undefined>;
}

export interface PackageIndex {
  inventory(imageDigest: string): Promise<InventoryPackage[]>;
  /** Images holding a package of this name (or source name), in one namespace or all. */
  imagesWithPackage(name: string, namespace?: string): Promise<PackageHit[]>;
  /** Images holding any of these keys (by name or source name). */
  imagesWithPackageKeys(keys: readonly PackageKey[]): Promise<PackageHit[]>;
}

export interface FindingRepository {
  forImage(imageDigest: string, opts?: { readonly includeFixed?: boolean }): Promise<FindingRecord[]>;
  /** Open findings with this ID (CVE, rule) on any image. */
  withId(findingId: string): Promise<FindingRecord[]>;
}

/** What rescans read and write (rematch.ts, docs/rescans.md). */
export interface RematchRepository {
  /** Images holding any of these keys (by name or source name), with those rows only: through the package index. */
  imagesUnderKeys(keys: readonly PackageKey[]): Promise<RematchImage[]>;
  /** Every row of up to `limit` inventories after image id `afterImageId`, by image id (a full re-match). */
  inventoryPage(afterImageId: number, limit: number): Promise<RematchImage[]>;
  /** Package facts by id. */
  packageFacts(ids: readonly number[]): Promise<Map<number, PackageFacts>>;
  /** "registry/repository" names whose tags point at each digest. */
  repositoriesOf(digests: readonly string[]): Promise<Map<string, string[]>>;
  /** Append events, many per transaction (a rescan's digests). */
  appendEvents(events: readonly EventInput[]): Promise<void>;
  /** Apply the re-matched vulnerabilities of a batch of images in one transaction. */
  applyRematch(batch: readonly RematchUpdate[]): Promise<RematchApplied[]>;
}

export interface VerdictRepository {
  record(input: VerdictInput): Promise<VerdictRecord>;
  latest(imageDigest: string): Promise<VerdictRecord | undefined>;
  /** Newest first. */
  list(imageDigest: string, limit?: number): Promise<VerdictRecord[]>;
}

export interface PolicyRepository {
  /** Create, or replace the body (revision + 1 when it changed). */
  put(input: PolicyInput): Promise<PolicyRecord>;
  get(name: string): Promise<PolicyRecord | undefined>;
  list(): Promise<PolicyRecord[]>;
  remove(name: string): Promise<boolean>;
  addException(input: ExceptionInput): Promise<ExceptionRecord>;
  /** STORE_CONFLICT when revoked or already approved. */
  approveException(id: number, approvedBy: string): Promise<ExceptionRecord>;
  revokeException(id: number): Promise<boolean>;
  /** Approved, not revoked, not expired at `at` (default now); for one policy (with the global ones) or all. */
  activeExceptions(opts?: { readonly policy?: string; readonly at?: number }): Promise<ExceptionRecord[]>;
  exceptions(): Promise<ExceptionRecord[]>;
}

export interface JobQueue {
  /** A duplicate idempotency key returns the existing job with created = false. */
  enqueue(input: JobInput): Promise<Enqueued>;
  /** The next ready job, leased to the worker; undefined when none is ready. Expired leases are reclaimed first. */
  claim(opts: ClaimOptions): Promise<Lease | undefined>;
  /** Extend the lease; STORE_LEASE_LOST when it is no longer this worker's. */
  heartbeat(lease: Lease, leaseMs?: number): Promise<Lease>;
  /** Store the result once and finish; STORE_LEASE_LOST when the lease is lost or the job already finished. */
  complete(lease: Lease, result: unknown): Promise<JobRecord>;
  /** Retry with backoff while attempts remain, else fail for good. STORE_LEASE_LOST as for complete. */
  fail(lease: Lease, error: string, opts?: FailOptions): Promise<JobRecord>;
  /**
   * Hand a job back unfinished (a worker shutting down): queued again at once, the
   * attempt not counted, no backoff. STORE_LEASE_LOST as for complete.
   */
  release(lease: Lease, reason: string): Promise<JobRecord>;
  /** Requeue or fail the running jobs whose lease expired; returns how many. */
  reclaimExpired(): Promise<number>;
  get(id: number): Promise<JobRecord | undefined>;
  list(opts?: { readonly state?: JobState; readonly limit?: number }): Promise<JobRecord[]>;
}

export interface EventLog {
  append(input: EventInput): Promise<EventRecord>;
  /** Events after a cursor, oldest first; optionally of one type. */
  list(query?: LogQuery & { readonly type?: string }): Promise<EventRecord[]>;
}

export interface TokenRepository {
  /** A new random token; only its SHA-256 is stored. */
  issue(input: TokenInput): Promise<IssuedToken>;
  /** The token's record when it is valid (known, not revoked, not expired); records its use. */
  verify(token: string): Promise<TokenRecord | undefined>;
  revoke(id: number): Promise<boolean>;
  list(): Promise<TokenRecord[]>;
}

export interface AuditLog {
  append(input: AuditInput): Promise<AuditRecord>;
  list(query?: LogQuery & { readonly actor?: string }): Promise<AuditRecord[]>;
}

/** Paged reads for the HTTP API (listings.ts): ordered by id, paged by afterId. */
export interface Listings {
  /** The highest migration applied (readiness: equals SCHEMA_VERSION once migrated). */
  schemaVersion(): Promise<number>;
  /**
   * Changes when anything a listing shows may have changed (an event, a tag set, a
   * verdict): a cheap key for caching answers.
   */
  generation(): Promise<string>;
  repositories(q?: PageQuery & { readonly registryId?: number }): Promise<ListedRepository[]>;
  repository(id: number): Promise<RepositoryRecord | undefined>;
  images(q?: ImageQuery): Promise<ImageSummary[]>;
  /** Images with an open finding of this ID (CVE, rule), through the findings index. */
  imagesWithFinding(findingId: string, q?: PageQuery): Promise<ImageWithFinding[]>;
  /** How many images and which repositories an open finding ID reaches. */
  findingSpread(findingId: string): Promise<FindingSpread>;
  /** Per UTC day from `from` to `to` (ms): findings opened, fixed, and open at the day's end. */
  findingHistory(q: { readonly from: number; readonly to: number }): Promise<FindingHistoryDay[]>;
  jobs(q?: JobListQuery): Promise<JobRecord[]>;
  jobCounts(): Promise<Record<JobState, number>>;
}

/** The shared secret a registry's push notifications (or Harbor webhooks) carry; only its SHA-256 is kept. */
export interface RegistryHookSecrets {
  /** Set (or replace) the secret: the one given (at least 16 characters), or a new random one; returned once. */
  set(registryId: number, secret?: string): Promise<string>;
  /** Whether `presented` is the registry's secret (constant-time); false when none is set. */
  verify(registryId: number, presented: string): Promise<boolean>;
  has(registryId: number): Promise<boolean>;
  remove(registryId: number): Promise<boolean>;
}

export interface SubscriptionRepository {
  /** STORE_CONFLICT when the name exists; a secret needs the store key. */
  add(input: SubscriptionInput): Promise<Subscription>;
  update(id: number, patch: SubscriptionPatch): Promise<Subscription | undefined>;
  get(id: number): Promise<Subscription | undefined>;
  list(): Promise<Subscription[]>;
  /** Removes the subscription with its deliveries. */
  remove(id: number): Promise<boolean>;
  /** The opened secret; STORE_SECRET_INVALID when the store key does not open it. */
  secret(id: number): Promise<string | undefined>;
}

export interface DeliveryRepository {
  /** One delivery per (subscription, dedup key): a second create returns the first with created = false. */
  create(input: DeliveryInput): Promise<{ readonly delivery: DeliveryRecord; readonly created: boolean }>;
  /** Replace the payload with fn(payload) while the delivery is pending and unsent; false otherwise. */
  updatePending(id: number, fn: (payload: unknown) => unknown): Promise<boolean>;
  /** Lease due deliveries (pending and due, or sending with an expired lease): attempts + 1 each. */
  claim(opts: { readonly leaseMs: number; readonly limit?: number }): Promise<DeliveryLease[]>;
  /** STORE_LEASE_LOST when the lease is no longer this sender's. */
  succeed(lease: DeliveryLease, status: number): Promise<DeliveryRecord>;
  /** Back to pending until retryAt, or dead (the dead-letter list) without retryAt. STORE_LEASE_LOST as for succeed. */
  fail(lease: DeliveryLease, failure: DeliveryFailure): Promise<DeliveryRecord>;
  /** A dead delivery back to pending, attempts reset; STORE_CONFLICT when it is not dead; undefined when unknown. */
  retry(id: number): Promise<DeliveryRecord | undefined>;
  /** Delete deliveries delivered before `before` (dead ones stay for a human); returns how many. */
  prune(before: number): Promise<number>;
  get(id: number): Promise<DeliveryRecord | undefined>;
  /** Oldest first, after a cursor. */
  list(
    query?: LogQuery & { readonly state?: DeliveryState; readonly subscriptionId?: number },
  ): Promise<DeliveryRecord[]>;
}

export interface NotifierState {
  /** The last event id a named reader finished (0 when none). */
  cursor(name: string): Promise<number>;
  /** Move the cursor forward (never back). */
  advance(name: string, eventId: number): Promise<void>;
  /** Append an event unless one with this key was appended before (by any process); undefined then. */
  appendOnce(key: string, input: EventInput): Promise<EventRecord | undefined>;
}

export interface HarborScanRepository {
  /** The authorization is sealed (needs the store key). STORE_CONFLICT for a known id. */
  add(input: HarborScanInput): Promise<HarborScanRecord>;
  get(id: string): Promise<HarborScanRecord | undefined>;
  /** Record the scan job (enqueued after the request is stored, so the job always finds it). */
  setJob(id: string, jobId: number): Promise<void>;
  /** The opened pull authorization, while it is kept. */
  authorization(id: string): Promise<string | undefined>;
  /** Forget the pull authorization (after the scan job used it). */
  dropAuthorization(id: string): Promise<void>;
  /** Forget every pull authorization of requests made before `before` (abandoned ones); returns how many. */
  dropAuthorizationsBefore(before: number): Promise<number>;
}

/** What is kept only for a while: old Harbor scan requests and once-keys (retention.ts, docs/store.md "Retention"). */
export interface RetentionRepository {
  /**
   * Delete Harbor scan requests made before `harborScansBefore` whose job is over (or gone),
   * and once-keys set before `onceKeysBefore`; how many of each.
   */
  prune(opts: { readonly harborScansBefore: number; readonly onceKeysBefore: number }): Promise<{
    readonly harborScans: number;
    readonly onceKeys: number;
  }>;
}

/** What the runtime sensors report: nodes, their containers, and which run a stored image (runtime-nodes.ts). */
export interface RuntimeRepository {
  /**
   * Apply one report in one transaction: a newer report (by sentAt) of the node replaces its
   * containers when it carries an inventory; alerts and actions are appended once per key.
   * A report no newer than the node's last is a duplicate: only unseen alerts and actions count.
   */
  report(input: RuntimeReportInput): Promise<RuntimeReportOutcome>;
  /** Bind a node to another token, or (null) unbind it so its next reporter binds it; undefined when no such node. */
  setNodeOwner(name: string, tokenId: number | null): Promise<RuntimeNode | undefined>;
  nodes(q?: PageQuery): Promise<RuntimeNode[]>;
  node(name: string): Promise<RuntimeNode | undefined>;
  containers(
    q?: PageQuery & { readonly node?: string; readonly imageDigest?: string; readonly state?: string },
  ): Promise<RuntimeContainer[]>;
  /** Running containers per stored image id (images with none are absent). */
  runningByImage(imageIds: readonly number[]): Promise<Map<number, RunningCount>>;
  /** Running containers of every image with this finding open, and the nodes they run on. */
  runningWithFinding(findingId: string): Promise<RunningCount>;
}

export interface Store {
  readonly dialect: Dialect;
  /** The SQLite file or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly registries: RegistryRepository;
  readonly images: ImageRepository;
  readonly scans: ScanRepository;
  readonly packages: PackageIndex;
  readonly findings: FindingRepository;
  readonly rematch: RematchRepository;
  readonly verdicts: VerdictRepository;
  readonly policies: PolicyRepository;
  readonly jobs: JobQueue;
  readonly events: EventLog;
  readonly tokens: TokenRepository;
  readonly audit: AuditLog;
  readonly listings: Listings;
  readonly hookSecrets: RegistryHookSecrets;
  readonly webhooks: SubscriptionRepository;
  readonly deliveries: DeliveryRepository;
  readonly notifier: NotifierState;
  readonly harborScans: HarborScanRepository;
  /** Dashboard users and their sessions (web-users.ts). */
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  /** The dashboard overview's aggregates (dashboard-stats.ts). */
  readonly stats: DashboardStats;
  readonly runtime: RuntimeRepository;
  /** Each registry's last discovery run and push notification (registry-status.ts). */
  readonly registryStatus: RegistryStatusRepository;
  /** VEX documents the central policy applies (vex-documents.ts). */
  readonly vex: VexDocumentRepository;
  readonly retention: RetentionRepository;
  close(): Promise<void>;
}
