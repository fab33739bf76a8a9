/**
 * What the admission rules ask of the rest of customs, as interfaces: the
 * CLI wires them to the registry client (src/image), the trust policy
 * (src/sign), the state store or the server; tests inject their own.
 */
import type { Digest } from '../core/index.js';
import type { VerdictStatus } from '../policy/index.js';

/** Tag → digest (a registry HEAD; image.resolveDigest). */
export interface DigestResolver {
  resolve(image: string, signal: AbortSignal): Promise<Digest>;
}

export const TRUST_STATUSES = ['verified', 'unverified', 'invalid'] as const;
export type TrustStatus = (typeof TRUST_STATUSES)[number];

export interface TrustOutcome {
  readonly status: TrustStatus;
  /** Why: which keys or identities were tried, what failed. */
  readonly reasons: readonly string[];
}

/** Checks an image against the trust policy (signatures, attestations). */
export interface TrustVerifier {
  verify(image: string, digest: Digest, signal: AbortSignal): Promise<TrustOutcome>;
}

/** An image's latest policy verdict, from the store or the server; undefined when it was never judged. */
export interface VerdictSource {
  latest(digest: Digest, signal: AbortSignal): Promise<VerdictStatus | undefined>;
}

/** Asks for a scan of an image that has no verdict yet (cold path "allow-and-queue"). */
export interface ScanQueue {
  enqueue(image: string, digest: Digest): Promise<void>;
}

/** Scans and judges an image now (cold path "scan-inline"); aborted at the rule's deadline. */
export interface InlineScanner {
  scan(image: string, digest: Digest, signal: AbortSignal): Promise<VerdictStatus>;
}
