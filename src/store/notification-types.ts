/**
 * Types of the notification and Harbor-adapter areas of the store
 * (notifications.ts, harbor-scans.ts); docs/store.md "Notifications".
 */

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface SubscriptionInput {
  readonly name: string;
  readonly url: string;
  readonly format: WebhookFormat;
  /** Event types delivered; empty = every type. */
  readonly eventTypes: readonly string[];
  /** The HMAC key of the signature header; sealed at rest, never read back by the API. */
  readonly secret?: string;
  readonly enabled?: boolean;
  readonly createdBy: string;
}

export interface SubscriptionPatch {
  readonly url?: string;
  readonly format?: WebhookFormat;
  readonly eventTypes?: readonly string[];
  /** null removes the secret. */
  readonly secret?: string | null;
  readonly enabled?: boolean;
}

export interface Subscription {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly eventTypes: readonly string[];
  readonly hasSecret: boolean;
  readonly enabled: boolean;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryInput {
  readonly subscriptionId: number;
  /** Unique per subscription: "event:<id>" or "digest:<type>:<key>:<window>". A second create is a no-op. */
  readonly dedupKey: string;
  readonly eventType: string;
  readonly eventId?: number;
  readonly subject: string;
  readonly payload: unknown;
  /** Not sent before (a digest waits for its window to close); default now. */
  readonly notBefore?: number;
}

export interface DeliveryRecord {
  readonly id: number;
  readonly subscriptionId: number;
  readonly dedupKey: string;
  readonly eventType: string;
  readonly eventId?: number;
  readonly subject: string;
  readonly payload: unknown;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastStatus?: number;
  readonly lastError?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deliveredAt?: number;
}

/** A delivery leased to one notifier for one attempt. */
export interface DeliveryLease {
  readonly delivery: DeliveryRecord;
  readonly token: string;
  readonly expiresAt: number;
}

export interface DeliveryFailure {
  readonly error: string;
  readonly status?: number;
  /** When to try again; absent = give up (the delivery goes to the dead-letter list). */
  readonly retryAt?: number;
}

export interface HarborScanInput {
  readonly id: string;
  readonly registryUrl: string;
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
  readonly mimeType?: string;
  /** The Authorization header value Harbor sent for pulling; sealed, dropped after the scan. */
  readonly authorization?: string;
}

export interface HarborScanRecord {
  readonly id: string;
  readonly registryUrl: string;
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
  readonly mimeType?: string;
  readonly hasAuthorization: boolean;
  /** The scan job, once enqueued. */
  readonly jobId?: number;
  readonly createdAt: number;
}
