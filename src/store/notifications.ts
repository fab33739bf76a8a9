/**
 * Webhook subscriptions and their deliveries (docs/notifications.md).
 *
 * A delivery is unique per (subscription, dedup key): every server replica
 * reading the same event creates the same key, and only the first insert
 * wins, so two replicas never send one event twice. Sending is leased like a
 * job (job-queue.ts): a claim moves due deliveries to `sending` with a lease
 * token; on PostgreSQL the candidates are selected FOR UPDATE SKIP LOCKED,
 * on SQLite the claim runs in one BEGIN IMMEDIATE transaction. A lease that
 * expires (the sender died) makes the delivery due again.
 *
 * Subscription secrets are sealed like registry credentials (secret-box.ts),
 * bound to the subscription's id.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import { conflictAs, isUniqueViolation } from './backend.js';
import type { Db, WebhookDeliveriesTable, WebhookSubscriptionsTable } from './db-schema.js';
import { appendEvent, pageSize } from './events.js';
import type {
  DeliveryFailure,
  DeliveryInput,
  DeliveryLease,
  DeliveryRecord,
  DeliveryState,
  Subscription,
  SubscriptionPatch,
  WebhookFormat,
} from './notification-types.js';
import type { DeliveryRepository, NotifierState, SubscriptionRepository } from './repository.js';
import { openSecret, sealSecret } from './secret-box.js';
import type { StoreContext } from './store-context.js';
import type { EventRecord } from './types.js';

const toSubscription = (r: Selectable<WebhookSubscriptionsTable>): Subscription => ({
  id: r.id,
  name: r.name,
  url: r.url,
  format: r.format as WebhookFormat,
  eventTypes: JSON.parse(r.event_types) as string[],
  hasSecret: r.secret !== null,
  enabled: r.enabled !== 0,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const sealingContext = (id: number): string => `webhook:${id}`;

function needKey(ctx: StoreContext, what: string) {
  if (ctx.secretKey === undefined) {
    throw new CustomsError(
      'STORE_SECRET_INVALID',
      `cannot ${what} a webhook secret: the store was opened without a key (set CUSTOMS_STORE_KEY to 32 bytes, hex or base64)`,
    );
  }
  return ctx.secretKey;
}

export function subscriptionRepository(ctx: StoreContext): SubscriptionRepository {
  const { backend } = ctx;
  const seal = (id: number, secret: string) => sealSecret(needKey(ctx, 'store'), secret, sealingContext(id));
  const byId = async (db: Db, id: number) => {
    const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSubscription(row) : undefined;
  };
  return {
    async add(input) {
      if (input.secret !== undefined) needKey(ctx, 'store');
      const now = ctx.now();
      return conflictAs(`a webhook named ${JSON.stringify(input.name)} exists already`, () =>
        backend.write(async (trx) => {
          const { id } = await trx
            .insertInto('webhook_subscriptions')
            .values({
              name: input.name,
              url: input.url,
              format: input.format,
              event_types: JSON.stringify(input.eventTypes),
              secret: null,
              enabled: input.enabled === false ? 0 : 1,
              created_by: input.createdBy,
              created_at: now,
              updated_at: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          if (input.secret !== undefined) {
            await trx
              .updateTable('webhook_subscriptions')
              .set({ secret: seal(id, input.secret) })
              .where('id', '=', id)
              .execute();
          }
          const s = await byId(trx, id);
          if (!s) throw new Error(`webhook ${id} vanished inside its own transaction`);
          return s;
        }),
      );
    },
    async update(id, patch: SubscriptionPatch) {
      if (typeof patch.secret === 'string') needKey(ctx, 'store');
      return backend.write(async (trx) => {
        const r = await trx
          .updateTable('webhook_subscriptions')
          .set({
            updated_at: ctx.now(),
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.format !== undefined ? { format: patch.format } : {}),
            ...(patch.eventTypes !== undefined ? { event_types: JSON.stringify(patch.eventTypes) } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
            ...(patch.secret !== undefined ? { secret: patch.secret === null ? null : seal(id, patch.secret) } : {}),
          })
          .where('id', '=', id)
          .executeTakeFirst();
        return r.numUpdatedRows > 0n ? byId(trx, id) : undefined;
      });
    },
    get: (id) => byId(backend.db, id),
    async list() {
      const rows = await backend.db.selectFrom('webhook_subscriptions').selectAll().orderBy('name').execute();
      return rows.map(toSubscription);
    },
    async remove(id) {
      const r = await backend.db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async secret(id) {
      const row = await backend.db
        .selectFrom('webhook_subscriptions')
        .select('secret')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row?.secret) return undefined;
      return openSecret(needKey(ctx, 'open'), row.secret, sealingContext(id)).toString('utf8');
    },
  };
}

const toDelivery = (r: Selectable<WebhookDeliveriesTable>): DeliveryRecord => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  dedupKey: r.dedup_key,
  eventType: r.event_type,
  ...(r.event_id !== null ? { eventId: r.event_id } : {}),
  subject: r.subject,
  payload: JSON.parse(r.payload) as unknown,
  state: r.state as DeliveryState,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  ...(r.last_status !== null ? { lastStatus: r.last_status } : {}),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...(r.delivered_at !== null ? { deliveredAt: r.delivered_at } : {}),
});

export function deliveryRepository(ctx: StoreContext): DeliveryRepository {
  const { backend } = ctx;
  const postgres = backend.dialect === 'postgres';
  const byKey = (db: Db, subscriptionId: number, key: string) =>
    db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .where('dedup_key', '=', key)
      .executeTakeFirst();

  /** The leased row, or STORE_LEASE_LOST. */
  const leased = async (trx: Db, lease: DeliveryLease) => {
    const row = await trx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', lease.delivery.id)
      .$if(postgres, (q) => q.forUpdate())
      .executeTakeFirst();
    if (row?.state !== 'sending' || row.lease_token !== lease.token) {
      throw new CustomsError(
        'STORE_LEASE_LOST',
        `delivery ${lease.delivery.id} is no longer leased to this notifier (its lease expired or another notifier finished it)`,
      );
    }
    return row;
  };

  return {
    async create(input: DeliveryInput) {
      const now = ctx.now();
      const values = {
        subscription_id: input.subscriptionId,
        dedup_key: input.dedupKey,
        event_type: input.eventType,
        event_id: input.eventId ?? null,
        subject: input.subject,
        payload: JSON.stringify(input.payload ?? null),
        state: 'pending',
        attempts: 0,
        next_attempt_at: input.notBefore ?? now,
        lease_token: null,
        lease_expires_at: null,
        last_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      };
      try {
        const row = await backend.write((trx) =>
          trx.insertInto('webhook_deliveries').values(values).returningAll().executeTakeFirstOrThrow(),
        );
        return { delivery: toDelivery(row), created: true };
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        const existing = await byKey(backend.db, input.subscriptionId, input.dedupKey);
        if (!existing) throw e;
        return { delivery: toDelivery(existing), created: false };
      }
    },
    async updatePending(id, fn) {
      return backend.write(async (trx) => {
        const row = await trx
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('id', '=', id)
          .$if(postgres, (q) => q.forUpdate())
          .executeTakeFirst();
        if (row?.state !== 'pending' || row.attempts > 0) return false;
        const next = fn(JSON.parse(row.payload) as unknown);
        await trx
          .updateTable('webhook_deliveries')
          .set({ payload: JSON.stringify(next), updated_at: ctx.now() })
          .where('id', '=', id)
          .execute();
        return true;
      });
    },
    async claim(opts) {
      const now = ctx.now();
      return backend.write(async (trx) => {
        const due = await trx
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where((eb) =>
            eb.or([
              eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
              eb.and([eb('state', '=', 'sending'), eb('lease_expires_at', '<=', now)]),
            ]),
          )
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(Math.max(1, opts.limit ?? 10))
          .$if(postgres, (q) => q.forUpdate().skipLocked())
          .execute();
        const out: DeliveryLease[] = [];
        for (const row of due) {
          const token = randomUUID();
          const expiresAt = now + opts.leaseMs;
          const updated = await trx
            .updateTable('webhook_deliveries')
            .set({
              state: 'sending',
              attempts: row.attempts + 1,
              lease_token: token,
              lease_expires_at: expiresAt,
              updated_at: now,
            })
            .where('id', '=', row.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          out.push({ delivery: toDelivery(updated), token, expiresAt });
        }
        return out;
      });
    },
    async succeed(lease, status) {
      return backend.write(async (trx) => {
        await leased(trx, lease);
        const now = ctx.now();
        const row = await trx
          .updateTable('webhook_deliveries')
          .set({
            state: 'delivered',
            last_status: status,
            last_error: null,
            lease_token: null,
            lease_expires_at: null,
            delivered_at: now,
            updated_at: now,
          })
          .where('id', '=', lease.delivery.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toDelivery(row);
      });
    },
    async fail(lease, failure: DeliveryFailure) {
      return backend.write(async (trx) => {
        await leased(trx, lease);
        const row = await trx
          .updateTable('webhook_deliveries')
          .set({
            state: failure.retryAt === undefined ? 'dead' : 'pending',
            next_attempt_at: failure.retryAt ?? lease.delivery.nextAttemptAt,
            last_status: failure.status ?? null,
            last_error: failure.error,
            lease_token: null,
            lease_expires_at: null,
            updated_at: ctx.now(),
          })
          .where('id', '=', lease.delivery.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toDelivery(row);
      });
    },
    async retry(id) {
      return backend.write(async (trx) => {
        const now = ctx.now();
        const r = await trx
          .updateTable('webhook_deliveries')
          .set({ state: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
          .where('id', '=', id)
          .where('state', '=', 'dead')
          .returningAll()
          .executeTakeFirst();
        if (r) return toDelivery(r);
        const row = await trx.selectFrom('webhook_deliveries').select('state').where('id', '=', id).executeTakeFirst();
        if (!row) return undefined;
        throw new CustomsError(
          'STORE_CONFLICT',
          `delivery ${id} is ${row.state}, not dead: only dead-lettered deliveries are retried by hand`,
        );
      });
    },
    async prune(before) {
      const r = await backend.write((trx) =>
        trx
          .deleteFrom('webhook_deliveries')
          .where('state', '=', 'delivered')
          .where('delivered_at', '<', before)
          .executeTakeFirst(),
      );
      return Number(r.numDeletedRows);
    },
    async get(id) {
      const row = await backend.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDelivery(row) : undefined;
    },
    async list(query = {}) {
      let q = backend.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '>', query.afterId ?? 0);
      if (query.state !== undefined) q = q.where('state', '=', query.state);
      if (query.subscriptionId !== undefined) q = q.where('subscription_id', '=', query.subscriptionId);
      const rows = await q.orderBy('id').limit(pageSize(query.limit)).execute();
      return rows.map(toDelivery);
    },
  };
}

export function notifierState(ctx: StoreContext): NotifierState {
  const { backend } = ctx;
  return {
    async cursor(name) {
      const row = await backend.db
        .selectFrom('notifier_cursors')
        .select('event_id')
        .where('name', '=', name)
        .executeTakeFirst();
      return row?.event_id ?? 0;
    },
    async advance(name, eventId) {
      await backend.write(async (trx) => {
        const now = ctx.now();
        await trx
          .insertInto('notifier_cursors')
          .values({ name, event_id: 0, updated_at: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        // Only forward: a replica that lags never moves the shared cursor back.
        await trx
          .updateTable('notifier_cursors')
          .set({ event_id: eventId, updated_at: now })
          .where('name', '=', name)
          .where('event_id', '<', eventId)
          .execute();
      });
    },
    async appendOnce(key, input): Promise<EventRecord | undefined> {
      return backend.write(async (trx) => {
        const now = ctx.now();
        // The marker first: a concurrent writer of the same key waits on it and then inserts nothing.
        const marked = await trx
          .insertInto('event_once')
          .values({ once_key: key, event_id: 0, created_at: now })
          .onConflict((oc) => oc.column('once_key').doNothing())
          .executeTakeFirst();
        if (Number(marked.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
        const event = await appendEvent(trx, backend.dialect, now, input);
        await trx.updateTable('event_once').set({ event_id: event.id }).where('once_key', '=', key).execute();
        return event;
      });
    },
  };
}
