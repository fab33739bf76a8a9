/** What every repository of one open store shares. */
import type { Backend } from './backend.js';
import type { SecretKey } from './secret-box.js';

export interface QueueOptions {
  /** Lease length when a claim does not say (default 60 s). */
  readonly leaseMs: number;
  /** Attempts when a job does not say (default 3). */
  readonly maxAttempts: number;
  /** Backoff after the first failed attempt; doubles per attempt (default 5 s). */
  readonly backoffBaseMs: number;
  /** Longest backoff (default 10 min). */
  readonly backoffMaxMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  leaseMs: 60_000,
  maxAttempts: 3,
  backoffBaseMs: 5_000,
  backoffMaxMs: 600_000,
};

export interface StoreContext {
  readonly backend: Backend;
  /** The clock (ms since the epoch); injected so tests control time. */
  readonly now: () => number;
  /** Seals registry credentials; without it credentials cannot be stored or read. */
  readonly secretKey?: SecretKey;
  readonly queue: QueueOptions;
}
