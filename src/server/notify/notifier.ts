/**
 * The notifier loop (docs/notifications.md). Each round it
 *  1. reads the event log after its cursor and plans deliveries: one per
 *     (event, subscription), or for `finding.new` one per (CVE, time window,
 *     subscription) — the digest — which collects every image the CVE reached
 *     in the window and is sent once the window closes;
 *  2. now and then emits `exception.expiring` for approved exceptions that
 *     expire within 7 days, once per exception and expiry;
 *  3. claims due deliveries and sends them, retrying with backoff and
 *     dead-lettering after the last attempt.
 *
 * Every step is safe with several server replicas on one store: deliveries
 * are unique per (subscription, key) so planning twice creates nothing
 * twice, the cursor only moves forward, the expiry event is appended once
 * per key, and a delivery is leased to one sender at a time. A sender that
 * dies after the receiver answered but before recording it leaves the lease
 * to expire, and the delivery is sent again: delivery is at least once, and
 * receivers dedup on X-Customs-Delivery.
 */
import type { AddressClass } from '../../image/index.js';
import type { DeliveryLease, DeliveryRecord, EventRecord, Subscription } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { withoutWebhookUrl } from './mask-url.js';
import { type CveDigest, cveOf, type DeliveryPayload, digestPartOf, jsonBody, slackBody } from './messages.js';
import { DEFAULT_REFUSED, makeAgent, type SendOutcome, send } from './sender.js';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signBody,
  TIMESTAMP_HEADER,
} from './signature.js';

const DAY_MS = 86_400_000;

export interface NotifierOptions {
  /** The shared cursor's name (default "webhooks"). */
  readonly name?: string;
  /** Pause between rounds (default 1 s). */
  readonly pollMs?: number;
  /** Events read per page (default 500). */
  readonly batch?: number;
  /** Deliveries sent at once (default 4). */
  readonly concurrency?: number;
  /** How long a claimed delivery is this sender's (default 60 s; longer than timeoutMs). */
  readonly leaseMs?: number;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts before a delivery is dead-lettered (default 8). */
  readonly maxAttempts?: number;
  /** Backoff between attempts (default 10 s doubling, at most 1 h). */
  readonly backoff?: BackoffOptions;
  /** finding.new events of one CVE within this window become one message (default 60 s). */
  readonly digestWindowMs?: number;
  /** Wait after a window closes for late events before sending its digest (default 2 × pollMs). */
  readonly digestSettleMs?: number;
  /** How often exceptions are checked for expiry (default 1 h). */
  readonly exceptionCheckMs?: number;
  /** `exception.expiring` this long before expiry (default 7 days). */
  readonly expiringWithinMs?: number;
  /** Delivered deliveries are deleted after this long (default 30 days; dead ones stay). */
  readonly retentionMs?: number;
  /** Receiver address classes refused (default link-local and reserved). */
  readonly refusedAddresses?: readonly AddressClass[];
  /** Jitter source (tests). */
  readonly random?: () => number;
  /** Run rounds every pollMs (default true); false: only when tick() is called (tests). */
  readonly loop?: boolean;
}

export interface Notifier {
  /** One round now (tests; the loop calls it every pollMs). */
  tick(): Promise<void>;
  /** Stop the loop and wait for the round in flight. */
  stop(): Promise<void>;
}

type Resolved = Required<Omit<NotifierOptions, 'random' | 'loop'>> & { readonly random: () => number };

function resolve(o: NotifierOptions): Resolved {
  const pollMs = o.pollMs ?? 1000;
  const timeoutMs = o.timeoutMs ?? 10_000;
  return {
    name: o.name ?? 'webhooks',
    pollMs,
    batch: o.batch ?? 500,
    concurrency: o.concurrency ?? 4,
    // A lease shorter than a request could expire mid-send and let another replica send it again.
    leaseMs: Math.max(o.leaseMs ?? 60_000, 2 * timeoutMs),
    timeoutMs,
    maxAttempts: o.maxAttempts ?? 8,
    backoff: o.backoff ?? { baseMs: 10_000, maxMs: 3_600_000 },
    digestWindowMs: o.digestWindowMs ?? 60_000,
    digestSettleMs: o.digestSettleMs ?? 2 * pollMs,
    exceptionCheckMs: o.exceptionCheckMs ?? 3_600_000,
    expiringWithinMs: o.expiringWithinMs ?? 7 * DAY_MS,
    retentionMs: o.retentionMs ?? 30 * DAY_MS,
    refusedAddresses: o.refusedAddresses ?? DEFAULT_REFUSED,
    random: o.random ?? Math.random,
  };
}

const wants = (s: Subscription, e: EventRecord): boolean =>
  s.enabled && e.createdAt >= s.createdAt && (s.eventTypes.length === 0 || s.eventTypes.includes(e.type));

export function startNotifier(ctx: ServerContext, options: NotifierOptions = {}): Notifier {
  const opts = resolve(options);
  const { store, log } = ctx;
  const agent = makeAgent(opts.refusedAddresses);
  let lastExceptionCheck = Number.NEGATIVE_INFINITY;

  /** "registry/repository" names of the repositories an image is tagged in. */
  const repositoriesOf = async (image: string): Promise<string[]> => {
    const names = new Set<string>();
    for (const t of await store.images.tagsOf(image)) {
      const repo = await store.listings.repository(t.repositoryId);
      const registry = repo ? await store.registries.get(repo.registryId) : undefined;
      names.add(repo && registry ? `${registry.name}/${repo.name}` : `repository:${t.repositoryId}`);
    }
    return [...names].sort();
  };

  const planEvent = async (subs: readonly Subscription[], e: EventRecord): Promise<void> => {
    const targets = subs.filter((s) => wants(s, e));
    if (targets.length === 0) return;
    const cve = e.type === EVENT_TYPES.findingNew ? cveOf(e) : undefined;
    if (cve === undefined) {
      const payload: DeliveryPayload = { kind: 'event', event: e };
      for (const s of targets) {
        await store.deliveries.create({
          subscriptionId: s.id,
          dedupKey: `event:${e.id}`,
          eventType: e.type,
          eventId: e.id,
          subject: e.subject,
          payload,
        });
      }
      return;
    }
    // Fixed windows (not sliding) so every replica computes the same key for an event.
    const windowStart = Math.floor(e.createdAt / opts.digestWindowMs) * opts.digestWindowMs;
    const windowEnd = windowStart + opts.digestWindowMs;
    const part = await digestPartOf(e, repositoriesOf);
    const key = String(e.id);
    for (const s of targets) {
      const digest: CveDigest = { cve, windowStart, windowEnd, parts: { [key]: part } };
      const { delivery, created } = await store.deliveries.create({
        subscriptionId: s.id,
        dedupKey: `digest:${EVENT_TYPES.findingNew}:${cve}:${windowStart}`,
        eventType: e.type,
        subject: cve,
        payload: { kind: 'digest', digest } satisfies DeliveryPayload,
        notBefore: windowEnd + opts.digestSettleMs,
      });
      if (created) continue;
      const held = delivery.payload as DeliveryPayload;
      if (held.kind === 'digest' && key in held.digest.parts) continue;
      const merged = await store.deliveries.updatePending(delivery.id, (p) => {
        const cur = p as DeliveryPayload;
        if (cur.kind !== 'digest') return cur;
        return { kind: 'digest', digest: { ...cur.digest, parts: { ...cur.digest.parts, [key]: part } } };
      });
      if (merged) continue;
      // No longer pending, so its payload is final: did another replica fold this event in first?
      const sent = (await store.deliveries.get(delivery.id))?.payload as DeliveryPayload | undefined;
      if (sent?.kind === 'digest' && key in sent.digest.parts) continue;
      // The window's digest went out before this event was read (a lagging reader): its own message.
      await store.deliveries.create({
        subscriptionId: s.id,
        dedupKey: `event:${e.id}`,
        eventType: e.type,
        eventId: e.id,
        subject: e.subject,
        payload: { kind: 'event', event: e } satisfies DeliveryPayload,
      });
    }
  };

  const ingest = async (): Promise<void> => {
    const subs = (await store.webhooks.list()).filter((s) => s.enabled);
    let cursor = await store.notifier.cursor(opts.name);
    for (;;) {
      const events = await store.events.list({ afterId: cursor, limit: opts.batch });
      const last = events.at(-1);
      if (last === undefined) return;
      for (const e of events) await planEvent(subs, e);
      cursor = last.id;
      await store.notifier.advance(opts.name, cursor);
      if (events.length < opts.batch) return;
    }
  };

  /** The periodic chores: exceptions about to expire, and old deliveries pruned. */
  const checkExceptions = async (): Promise<void> => {
    const now = ctx.now();
    if (now - lastExceptionCheck < opts.exceptionCheckMs) return;
    lastExceptionCheck = now;
    await store.deliveries.prune(now - opts.retentionMs);
    for (const x of await store.policies.exceptions()) {
      if (x.revokedAt !== undefined || x.approvedAt === undefined) continue;
      if (x.expiresAt <= now || x.expiresAt > now + opts.expiringWithinMs) continue;
      // Keyed by expiry too: an exception extended and expiring again is announced again.
      await store.notifier.appendOnce(`${EVENT_TYPES.exceptionExpiring}:${x.id}:${x.expiresAt}`, {
        type: EVENT_TYPES.exceptionExpiring,
        subject: `exception:${x.id}`,
        data: {
          id: x.id,
          ...(x.policy !== undefined ? { policy: x.policy } : {}),
          finding: x.finding,
          scope: x.scope,
          owner: x.owner,
          expiresAt: x.expiresAt,
        },
      });
    }
  };

  /** One attempt: the receiver's answer, or what kept the request from being made (a retryable failure). */
  const attempt = async (d: DeliveryRecord, sub: Subscription): Promise<SendOutcome> => {
    try {
      const payload = d.payload as DeliveryPayload;
      const now = ctx.now();
      const body = sub.format === 'slack' ? slackBody(d.id, payload) : jsonBody(d.id, payload, now);
      // The store key may be missing or wrong (STORE_SECRET_INVALID): the delivery fails, counted, not stuck.
      const secret = sub.hasSecret ? await store.webhooks.secret(sub.id) : undefined;
      const headers: Record<string, string> = {
        [DELIVERY_HEADER]: String(d.id),
        [EVENT_HEADER]: d.eventType,
        [EVENT_ID_HEADER]: d.eventId !== undefined ? String(d.eventId) : d.dedupKey,
        [TIMESTAMP_HEADER]: String(Math.floor(now / 1000)),
        ...(secret !== undefined ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}),
      };
      return await send(agent, sub.url, body, headers, {
        timeoutMs: opts.timeoutMs,
        refusedAddresses: opts.refusedAddresses,
        now: ctx.now,
      });
    } catch (e) {
      return { ok: false, retry: true, error: e instanceof Error ? e.message : String(e) };
    }
  };

  const deliver = async (lease: DeliveryLease): Promise<void> => {
    const d = lease.delivery;
    const sub = await store.webhooks.get(d.subscriptionId);
    if (!sub?.enabled) {
      await store.deliveries.fail(lease, { error: 'the subscription is disabled: enable it, then retry the delivery' });
      return;
    }
    const tried = await attempt(d, sub);
    // The error goes to the store, the deliveries API and the log: never with the URL in it (mask-url.ts).
    const outcome = tried.ok ? tried : { ...tried, error: withoutWebhookUrl(tried.error, sub.url) };
    if (outcome.ok) {
      await store.deliveries.succeed(lease, outcome.status);
      log.debug({ delivery: d.id, webhook: sub.name, status: outcome.status }, 'webhook delivered');
      return;
    }
    const status = outcome.status !== undefined ? { status: outcome.status } : {};
    if (outcome.retry && d.attempts < opts.maxAttempts) {
      const wait = Math.min(
        Math.max(backoffDelay(opts.backoff, d.attempts, opts.random), outcome.retryAfterMs ?? 0),
        opts.backoff.maxMs,
      );
      await store.deliveries.fail(lease, { error: outcome.error, ...status, retryAt: ctx.now() + wait });
      log.info(
        { delivery: d.id, webhook: sub.name, attempt: d.attempts, retryInMs: wait, error: outcome.error },
        'webhook delivery failed; will retry',
      );
      return;
    }
    const error = outcome.retry ? `${outcome.error} (gave up after ${d.attempts} attempts)` : outcome.error;
    await store.deliveries.fail(lease, { error, ...status });
    log.warn({ delivery: d.id, webhook: sub.name, attempts: d.attempts, error }, 'webhook delivery dead-lettered');
  };

  const sendDue = async (): Promise<void> => {
    for (;;) {
      const leases = await store.deliveries.claim({ leaseMs: opts.leaseMs, limit: opts.concurrency });
      if (leases.length === 0) return;
      await Promise.all(
        leases.map((l) =>
          deliver(l).catch((e: unknown) =>
            log.error(
              { delivery: l.delivery.id, err: e instanceof Error ? e.message : String(e) },
              'webhook delivery step failed',
            ),
          ),
        ),
      );
      if (leases.length < opts.concurrency) return;
    }
  };

  const tick = async (): Promise<void> => {
    await ingest();
    await checkExceptions();
    await sendDue();
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = (): void => {
    if (stopped) return;
    running = tick()
      .catch((e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'notifier round failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, opts.pollMs);
      });
  };
  const onAbort = (): void => void stop();
  let closed: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    closed ??= close();
    return closed;
  };
  const close = async (): Promise<void> => {
    stopped = true;
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    await running;
    await agent.close();
  };
  ctx.signal.addEventListener('abort', onAbort);
  if (options.loop !== false) timer = setTimeout(loop, 0);
  return { tick, stop };
}
