/**
 * Records of the state store, as the repository interface (repository.ts)
 * takes and returns them. Times are milliseconds since the Unix epoch; ids
 * are integers the store assigns.
 */
import type { Package } from '../core/index.js';
import type { VerdictStatus } from '../policy/index.js';
import type { FindingKindName } from '../result/index.js';

// ---- registries, repositories, tags, images ----

export interface RegistryTls {
  /** Plain HTTP (loopback and test registries only). */
  readonly insecure: boolean;
  /** Accept any certificate (self-signed registries without a CA to pin). */
  readonly skipVerify: boolean;
  /** Extra CA certificate(s), PEM, to trust for this registry. */
  readonly caCertPem?: string;
}

/** Which repositories of a registry to watch: glob patterns ("*" within a path segment, "**" across). */
export interface RepositorySelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Platforms (os/arch[/variant]) to scan of a multi-platform image; default linux/amd64. */
  readonly platforms?: readonly string[];
}

/** Registry credentials; stored sealed (AES-256-GCM), opened only by `registries.credentials()`. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryInput {
  readonly name: string;
  readonly url: string;
  readonly tls?: RegistryTls;
  readonly selection?: RepositorySelection;
  readonly credentials?: RegistryCredentials;
}

export interface RegistryPatch {
  readonly url?: string;
  readonly tls?: RegistryTls;
  readonly selection?: RepositorySelection;
  /** null removes the credentials. */
  readonly credentials?: RegistryCredentials | null;
}

export interface Registry {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  readonly tls: RegistryTls;
  readonly selection: RepositorySelection;
  readonly hasCredentials: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RepositoryRecord {
  readonly id: number;
  readonly registryId: number;
  readonly name: string;
  readonly createdAt: number;
}

export interface TagRecord {
  readonly repositoryId: number;
  readonly tag: string;
  readonly digest: string;
  readonly updatedAt: number;
}

/** What setting a tag did: created it, moved it from `previousDigest`, or nothing (same digest). */
export interface TagChange {
  readonly created: boolean;
  readonly moved: boolean;
  readonly previousDigest?: string;
}

export interface TagHistoryEntry {
  readonly digest: string;
  /** The digest the tag pointed at before; absent when the tag was created. */
  readonly previousDigest?: string;
  readonly at: number;
}

export interface ImageLayer {
  /** Digest of the layer blob as stored in the registry (compressed). */
  readonly digest: string;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids). */
  readonly diffId: string;
  readonly size: number;
  readonly mediaType?: string;
}

export interface ImageInput {
  /** Manifest digest (sha256:…). */
  readonly digest: string;
  readonly configDigest?: string;
  /** The image config JSON as parsed (stored as JSON text). */
  readonly config?: unknown;
  /** os/arch[/variant]. */
  readonly platform?: string;
  readonly layers?: readonly ImageLayer[];
}

export interface ImageRecord {
  readonly id: number;
  readonly digest: string;
  readonly configDigest?: string;
  readonly config?: unknown;
  readonly platform?: string;
  readonly layers: readonly ImageLayer[];
  /** When the inventory was last replaced; absent when the image was never scanned. */
  readonly inventoryAt?: number;
  readonly createdAt: number;
}

// ---- inventories and the package index ----

/** A package of an image's inventory. */
export interface InventoryPackage {
  /** purl type: deb, rpm, apk, npm, pypi … */
  readonly ecosystem: string;
  /**
   * The vulnerability DB's ecosystem key: the distro release for OS packages
   * ("Debian:12", "Alpine:v3.19"), the ecosystem for language packages ("npm", "PyPI").
   */
  readonly namespace: string;
  readonly name: string;
  /** OS packages: the source package, when it differs from the binary name. */
  readonly sourceName?: string;
  readonly version: string;
  readonly purl: string;
  /** diffID of the layer that introduced the package. */
  readonly layer: string;
  /** The package as the inventory gave it, for re-matching without the image (rescans; docs/rescans.md). */
  readonly facts?: PackageFacts;
}

/** An inventory package without its layer (a column of its own) and file list (never matched on). */
export type PackageFacts = Omit<Package, 'files' | 'layer'>;

/** A key of the package index: (ecosystem or distro release, name). */
export interface PackageKey {
  readonly namespace: string;
  readonly name: string;
}

/** An image that holds a package the query asked for. */
export interface PackageHit {
  readonly imageDigest: string;
  readonly namespace: string;
  /** The indexed name that matched: the package's name, or its source package's. */
  readonly name: string;
  readonly matchedBy: 'name' | 'source';
  readonly version: string;
  readonly purl: string;
  readonly layer: string;
}

// ---- scans, findings, verdicts ----

/** One finding of a scan, as extracted from its scan document (scan-document.ts). */
export interface FindingInput {
  /** The finding's reference: "CVE-…@<packageId>", "<rule>@<location>" (result/findings.ts). */
  readonly ref: string;
  /** vuln | secret | misconfig | malware, as the result model names them. */
  readonly kind: FindingKindName;
  /** CVE / advisory / rule / check ID. */
  readonly findingId: string;
  readonly severity: string;
  readonly packagePurl?: string;
  /** Hash of the fields whose change makes the finding "changed" (severity, fix state …). */
  readonly fingerprint: string;
  /** The finding as the scan document has it. */
  readonly data: unknown;
}

export interface FindingRecord extends FindingInput {
  readonly imageDigest: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** When a scan first no longer reported it; absent while open. */
  readonly fixedAt?: number;
}

/** What recording a scan changed in an image's findings (refs, sorted). */
export interface FindingChanges {
  /** Not open before (never seen, or seen and fixed since). */
  readonly new: readonly string[];
  /** Open before, with another fingerprint now. */
  readonly changed: readonly string[];
  /** Open before, absent from this scan. */
  readonly fixed: readonly string[];
  readonly unchanged: number;
}

export interface ScanInput {
  readonly imageDigest: string;
  /** The scan result JSON (schema/scan-result-v1.json), stored as is. */
  readonly document: unknown;
  /** The image's full inventory; replaces the previous one. */
  readonly packages: readonly InventoryPackage[];
  readonly dbVersion?: string;
  readonly jobId?: number;
  /**
   * The verdict judged on this scan: recorded in the scan's own transaction (with its
   * scanId), so no scan is ever stored without the verdict its caller meant to record.
   */
  readonly verdict?: Omit<VerdictInput, 'imageDigest' | 'scanId'>;
}

export interface ScanRecorded {
  readonly scanId: number;
  readonly imageId: number;
  readonly findings: FindingChanges;
  /** The verdict recorded with the scan, when the input had one. */
  readonly verdict?: VerdictRecord;
}

export interface ScanRecord {
  readonly id: number;
  readonly imageDigest: string;
  readonly jobId?: number;
  readonly dbVersion?: string;
  readonly document: unknown;
  readonly createdAt: number;
}

export interface VerdictInput {
  readonly imageDigest: string;
  readonly scanId?: number;
  readonly status: VerdictStatus;
  /** Name of the stored policy evaluated. */
  readonly policy?: string;
  /** The verdict as the policy engine produced it. */
  readonly document: unknown;
}

export interface VerdictRecord extends VerdictInput {
  readonly id: number;
  readonly createdAt: number;
}

// ---- policies and exceptions ----

export interface PolicyInput {
  readonly name: string;
  /** The policy file's text (YAML or JSON), as uploaded. */
  readonly body: string;
  readonly updatedBy: string;
}

export interface PolicyRecord extends PolicyInput {
  readonly id: number;
  /** 1 on creation, +1 on every change of the body. */
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ExceptionInput {
  /** The policy it belongs to; absent for an exception to every policy. */
  readonly policy?: string;
  /** What it waives: a finding ID (CVE-…, rule ID) or a finding ref. */
  readonly finding: string;
  /** Which images: a repository glob, an image digest, or "*". */
  readonly scope: string;
  readonly owner: string;
  readonly reason: string;
  readonly expiresAt: number;
  readonly createdBy: string;
}

export interface ExceptionRecord extends ExceptionInput {
  readonly id: number;
  readonly approvedBy?: string;
  readonly approvedAt?: number;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

// ---- jobs ----

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobInput {
  readonly kind: string;
  /** Enqueuing a job whose key exists returns the existing job (see scanJobKey). */
  readonly idempotencyKey: string;
  readonly payload: unknown;
  /** Higher runs first (default 0). */
  readonly priority?: number;
  /** Attempts before the job fails for good (default from the queue options). */
  readonly maxAttempts?: number;
  /** Not before this time (default now). */
  readonly runAfter?: number;
}

export interface JobRecord {
  readonly id: number;
  readonly kind: string;
  readonly idempotencyKey: string;
  readonly payload: unknown;
  readonly state: JobState;
  readonly priority: number;
  /** Claims so far (each claim is one attempt, including ones whose worker died). */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAfter: number;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: number;
  readonly lastError?: string;
  readonly result?: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number;
}

export interface Enqueued {
  readonly job: JobRecord;
  /** False when a job with the same idempotency key existed (and is returned). */
  readonly created: boolean;
}

/** A claimed job: the token proves the lease in heartbeat, complete and fail. */
export interface Lease {
  readonly job: JobRecord;
  readonly token: string;
  readonly expiresAt: number;
}

export interface ClaimOptions {
  /** Who claims (host:pid, pod name); recorded as lease_owner. */
  readonly worker: string;
  /** Only jobs of these kinds (default any). */
  readonly kinds?: readonly string[];
  /** Lease length (default from the queue options). */
  readonly leaseMs?: number;
}

export interface FailOptions {
  /** False: fail for good now, whatever attempts remain (default true). */
  readonly retry?: boolean;
}

// ---- events, tokens, audit ----

export interface EventInput {
  /** Dotted type: tag.moved, scan.recorded … */
  readonly type: string;
  /** What it is about: an image digest, "registry/repo:tag", a job id. */
  readonly subject: string;
  readonly data: unknown;
}

export interface EventRecord extends EventInput {
  readonly id: number;
  readonly createdAt: number;
}

export const TOKEN_ROLES = ['admin', 'ci', 'viewer'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface TokenInput {
  readonly name: string;
  readonly role: TokenRole;
  readonly createdBy: string;
  readonly expiresAt?: number;
}

export interface TokenRecord {
  readonly id: number;
  readonly name: string;
  readonly role: TokenRole;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt?: number;
  readonly lastUsedAt?: number;
  readonly revokedAt?: number;
}

export interface IssuedToken {
  /** The secret, shown once: only its SHA-256 is stored. */
  readonly token: string;
  readonly record: TokenRecord;
}

export interface AuditInput {
  /** Who: a token name, a user, "system". */
  readonly actor: string;
  /** What: a verb such as registry.add, token.revoke, exception.approve. */
  readonly action: string;
  /** On what: an id or name. */
  readonly target: string;
  /** From where: the client address (and user agent), or "cli". */
  readonly source: string;
  readonly detail?: unknown;
}

export interface AuditRecord extends AuditInput {
  readonly id: number;
  readonly at: number;
}

/** A page of an append-only log: entries with id > afterId, oldest first. */
export interface LogQuery {
  readonly afterId?: number;
  readonly limit?: number;
}

// ---- listings (the API's paged reads, listings.ts) ----

/** A page of a listing: rows with an id greater than `afterId`, in id order. */
export interface PageQuery {
  readonly afterId?: number;
  /** Rows per page: 1 to 1000, default 100. */
  readonly limit?: number;
}

export interface ListedRepository extends RepositoryRecord {
  /** The registry's name. */
  readonly registry: string;
  readonly tagCount: number;
}

/** A tag pointing at an image, with where it lives. */
export interface ImageTagRef {
  readonly registry: string;
  readonly repository: string;
  readonly repositoryId: number;
  readonly tag: string;
}

export type SeverityCounts = Record<'critical' | 'high' | 'medium' | 'low' | 'unknown', number>;

export interface ImageSummary {
  readonly id: number;
  readonly digest: string;
  readonly platform?: string;
  readonly createdAt: number;
  readonly inventoryAt?: number;
  readonly openFindings: SeverityCounts;
  /** The latest verdict's status; absent when never judged. */
  readonly verdict?: VerdictStatus;
  readonly tags: readonly ImageTagRef[];
}

export interface ImageQuery extends PageQuery {
  readonly registryId?: number;
  /** Repository name (in any registry, or in `registryId`). */
  readonly repository?: string;
  /** Distro of the inventory: "debian" or "debian:12" (case-insensitive), as its OS packages' namespace says. */
  readonly os?: string;
  /** Holds a package of this name (or source package name), through the package index. */
  readonly package?: string;
  /** Has an open finding of this severity or above. */
  readonly severity?: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  /** The latest verdict has this status. */
  readonly verdict?: VerdictStatus;
}

/** An image with an open finding of the asked ID, and what it matched. */
export interface ImageWithFinding extends ImageSummary {
  readonly refs: readonly string[];
  /** purls of the affected packages. */
  readonly packages: readonly string[];
  readonly severity: string;
}

/** How far one finding ID reaches across the stored images. */
export interface FindingSpread {
  readonly images: number;
  readonly repositories: readonly {
    readonly id: number;
    readonly registry: string;
    readonly name: string;
    readonly images: number;
  }[];
}

/** One UTC day of the findings history. */
export interface FindingHistoryDay {
  /** YYYY-MM-DD. */
  readonly day: string;
  readonly opened: SeverityCounts;
  readonly fixed: SeverityCounts;
  /** Open at the end of the day. */
  readonly open: SeverityCounts;
}

export interface JobListQuery extends PageQuery {
  readonly state?: JobState;
  readonly kind?: string;
}

// ---- rescans (rematch.ts) ----

/** An image with the inventory rows a rescan re-matches. */
export interface RematchImage {
  readonly imageId: number;
  readonly digest: string;
  /** When its inventory was replaced: a rescan's result applies only to this inventory. */
  readonly inventoryAt: number | null;
  readonly rows: readonly {
    readonly seq: number;
    /** The package index namespace: the DB ecosystem key (for OS packages, the image's distro release). */
    readonly namespace: string;
    readonly layer: string;
    /** The row's package facts, or null when it was stored without them (before rescans existed). */
    readonly factsId: number | null;
  }[];
}

/** The re-matched vulnerabilities of one image. */
export interface RematchUpdate {
  readonly imageId: number;
  /** As read with the rows (RematchImage.inventoryAt); an image scanned since is left alone. */
  readonly inventoryAt: number | null;
  /** The ids of the packages that were re-matched: only their findings change. */
  readonly packageIds: readonly string[];
  /** Vulnerabilities as a scan result document holds them (schema/scan-result-v1.json). */
  readonly vulnerabilities: readonly unknown[];
  /**
   * The purls of the re-matched packages, when only some were: the stored findings
   * of other purls are then not read (findings_by_package index).
   */
  readonly packagePurls?: readonly string[];
}

export interface RematchFinding {
  readonly ref: string;
  readonly findingId: string;
  readonly severity: string;
  /** For a changed finding: the severity it had. */
  readonly previousSeverity?: string;
}

export interface RematchApplied {
  readonly imageId: number;
  /** True when the image was scanned or removed since its rows were read: nothing was changed. */
  readonly skipped: boolean;
  readonly new: readonly RematchFinding[];
  readonly changed: readonly RematchFinding[];
  /** No longer reported: fixed_at set (the caller tells withdrawn from fixed). */
  readonly closed: readonly RematchFinding[];
}
