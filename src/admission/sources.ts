/**
 * Verdicts, scan requests and decision events from the state store
 * (`--store`) or from a customs server (`--server URL --token T`), behind
 * the ports the rules use.
 */
import { CustomsError, type Digest } from '../core/index.js';
import { formatReference, parseNormalizedReference } from '../image/index.js';
import type { VerdictStatus } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { DecisionEvent } from './admission-controller.js';
import type { ScanQueue, VerdictSource } from './ports.js';

/**
 * `image` pinned to `digest` (registry/repository@digest): the scan job's
 * reference payload, so the worker scans exactly what was admitted.
 */
export function pinned(image: string, digest: Digest): string {
  const ref = parseNormalizedReference(image);
  return formatReference({ domain: ref.domain, path: ref.path, digest });
}

/** The event type of a decision in the store's event log (and the server's event stream). */
export const ADMISSION_EVENT = 'admission.decision';

/** The store's event types after which an image's cached outcomes are dropped. */
export const INVALIDATING_EVENTS = ['verdict.changed', 'scan.recorded', 'scan.finished'] as const;

export function storeVerdicts(store: Store): VerdictSource {
  return { latest: async (digest) => (await store.verdicts.latest(digest))?.status };
}

export function storeQueue(store: Store): ScanQueue {
  return {
    enqueue: async (image, digest) => {
      // One job per digest from admission; the worker scans with its own DB and plan.
      await store.jobs.enqueue({
        kind: 'scan',
        idempotencyKey: `admission|${digest}`,
        payload: { image: pinned(image, digest) },
      });
    },
  };
}

/**
 * Follows the store's event log: each verdict or scan event names an image
 * whose cached outcomes are dropped. Starts after the newest event, polls
 * every `intervalMs` until the signal aborts.
 */
export async function followStoreEvents(
  store: Store,
  onImage: (digest: string) => void,
  signal: AbortSignal,
  intervalMs = 1000,
): Promise<void> {
  let after = 0;
  for (;;) {
    const batch = await store.events.list({ afterId: after, limit: 1000 });
    if (batch.length === 0) break;
    after = (batch.at(-1) as { id: number }).id;
  }
  const tick = async (): Promise<void> => {
    const events = await store.events.list({ afterId: after, limit: 1000 });
    for (const e of events) {
      after = e.id;
      if ((INVALIDATING_EVENTS as readonly string[]).includes(e.type) && e.subject.startsWith('sha256:'))
        onImage(e.subject);
    }
  };
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, intervalMs).unref());
    if (signal.aborted) break;
    await tick().catch(() => {});
  }
}

/**
 * Decisions appended to the store's event log without holding the request:
 * a bounded queue written in the background; beyond `max` pending, events
 * are dropped and counted (the JSON log line still has them).
 */
export function storeDecisionSink(
  store: Store,
  max = 10_000,
): { push(e: DecisionEvent): void; dropped(): number; flush(): Promise<void> } {
  const pending: DecisionEvent[] = [];
  let dropped = 0;
  let running: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const e = pending.shift() as DecisionEvent;
      const subject = e.images[0]?.digest ?? `${e.kind}/${e.namespace}/${e.name}`;
      await store.events.append({ type: ADMISSION_EVENT, subject, data: e }).catch(() => {
        dropped++;
      });
    }
    running = undefined;
  };
  return {
    push(e) {
      if (pending.length >= max) {
        dropped++;
        return;
      }
      pending.push(e);
      running ??= drain();
    },
    dropped: () => dropped,
    flush: async () => {
      while (running) await running;
    },
  };
}

/**
 * A customs server's API (docs/admission.md "With a server"): the latest
 * verdict from GET /api/v1/images/{digest}/verdicts?limit=1 (404: never
 * seen), scan requests to POST /api/v1/admission/scans, decisions to
 * POST /api/v1/admission/decisions; a ci token.
 */
export class ServerClient implements VerdictSource, ScanQueue {
  private readonly base: string;

  constructor(
    base: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', accept: 'application/json' };
  }

  async latest(digest: Digest, signal: AbortSignal): Promise<VerdictStatus | undefined> {
    const res = await this.fetchFn(`${this.base}/api/v1/images/${encodeURIComponent(digest)}/verdicts?limit=1`, {
      headers: this.headers(),
      signal,
    });
    // 404: the server has never seen the image, so it has no verdict.
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw new CustomsError(
        'ADMISSION_SERVER_ERROR',
        `server ${this.base} answered HTTP ${res.status} for ${digest}'s verdict`,
      );
    const body = (await res.json()) as { items?: { status?: unknown }[] };
    const status = body.items?.[0]?.status;
    if (status === undefined) return undefined;
    if (status === 'pass' || status === 'warn' || status === 'fail') return status;
    throw new CustomsError(
      'ADMISSION_SERVER_ERROR',
      `server ${this.base} sent verdict status ${String(status)} for ${digest}`,
    );
  }

  async enqueue(image: string, digest: Digest): Promise<void> {
    const res = await this.fetchFn(`${this.base}/api/v1/admission/scans`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ image: pinned(image, digest) }),
    });
    if (!res.ok)
      throw new CustomsError(
        'ADMISSION_SERVER_ERROR',
        `server ${this.base} refused the scan request (HTTP ${res.status})`,
      );
  }

  async postEvent(e: DecisionEvent): Promise<void> {
    const subject = e.images[0]?.digest ?? `${e.kind}/${e.namespace}/${e.name}`;
    const res = await this.fetchFn(`${this.base}/api/v1/admission/decisions`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ subject, data: e }),
    });
    if (!res.ok)
      throw new CustomsError(
        'ADMISSION_SERVER_ERROR',
        `server ${this.base} refused the decision event (HTTP ${res.status})`,
      );
  }
}
