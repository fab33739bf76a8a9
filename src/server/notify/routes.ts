/**
 * /api/v1/webhooks (subscriptions, admin) and /api/v1/deliveries (what was
 * sent, what is pending, the dead-letter list, retry). A subscription's
 * secret is write-only: responses say `hasSecret`, never the secret.
 * Every change goes to the audit log.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CustomsError } from '../../core/index.js';
import { DELIVERY_STATES, type DeliveryRecord, type Subscription, WEBHOOK_FORMATS } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';

const Iso = Type.String({ format: 'date-time' });
const iso = (ms: number): string => new Date(ms).toISOString();

const EventType = Type.Union(Object.values(EVENT_TYPES).map((t) => Type.Literal(t)));
const Format = Type.Union(WEBHOOK_FORMATS.map((f) => Type.Literal(f)));

export const WebhookSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    url: Type.String(),
    format: Format,
    eventTypes: Type.Array(Type.String(), { description: 'Event types delivered; empty: every type.' }),
    hasSecret: Type.Boolean({ description: 'Whether deliveries are signed; the secret itself is never returned.' }),
    enabled: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: Iso,
    updatedAt: Iso,
  },
  { $id: 'Webhook' },
);

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' });
const Secret = Type.String({
  minLength: 16,
  maxLength: 512,
  description: 'HMAC-SHA256 key of the X-Customs-Signature-256 header (write-only).',
});

const WebhookCreate = Type.Object(
  {
    name: Name,
    url: Url,
    format: Type.Optional(Format),
    eventTypes: Type.Optional(Type.Array(EventType, { uniqueItems: true })),
    secret: Type.Optional(Secret),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const WebhookPatch = Type.Object(
  {
    url: Type.Optional(Url),
    format: Type.Optional(Format),
    eventTypes: Type.Optional(Type.Array(EventType, { uniqueItems: true })),
    secret: Type.Optional(Type.Union([Secret, Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const DeliveryState = Type.Union(DELIVERY_STATES.map((s) => Type.Literal(s)));

export const DeliverySchema = Type.Object(
  {
    id: Type.Integer(),
    webhookId: Type.Integer(),
    eventType: Type.String(),
    eventId: Type.Optional(Type.Integer()),
    dedupKey: Type.String(),
    subject: Type.String(),
    state: DeliveryState,
    attempts: Type.Integer(),
    nextAttemptAt: Iso,
    lastStatus: Type.Optional(Type.Integer()),
    lastError: Type.Optional(Type.String()),
    createdAt: Iso,
    updatedAt: Iso,
    deliveredAt: Type.Optional(Iso),
  },
  { $id: 'Delivery' },
);

const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const toWebhook = (s: Subscription): Static<typeof WebhookSchema> => ({
  id: s.id,
  name: s.name,
  url: s.url,
  format: s.format,
  eventTypes: [...s.eventTypes],
  hasSecret: s.hasSecret,
  enabled: s.enabled,
  createdBy: s.createdBy,
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

const toDelivery = (d: DeliveryRecord): Static<typeof DeliverySchema> => ({
  id: d.id,
  webhookId: d.subscriptionId,
  eventType: d.eventType,
  ...(d.eventId !== undefined ? { eventId: d.eventId } : {}),
  dedupKey: d.dedupKey,
  subject: d.subject,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: iso(d.nextAttemptAt),
  ...(d.lastStatus !== undefined ? { lastStatus: d.lastStatus } : {}),
  ...(d.lastError !== undefined ? { lastError: d.lastError } : {}),
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
  ...(d.deliveredAt !== undefined ? { deliveredAt: iso(d.deliveredAt) } : {}),
});

const notFound = (reply: FastifyReply, what: string) =>
  reply.code(404).send({ error: { code: 'NOT_FOUND', message: `${what} does not exist` } });

const actorOf = (req: FastifyRequest) => ({
  actor: req.actor?.name ?? 'anonymous',
  source: req.actor?.address ?? req.ip,
});

export const webhookRoutes: RoutePlugin = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  app.addSchema(WebhookSchema);
  app.addSchema(DeliverySchema);
  const admin = { access: 'admin' as const };
  const tags = ['webhooks'];

  app.get(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List webhook subscriptions',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref(WebhookSchema)) }) },
      },
    },
    async () => ({ items: (await store.webhooks.list()).map(toWebhook) }),
  );

  app.post(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Subscribe a URL to events (JSON signed with the secret, or Slack)',
        body: WebhookCreate,
        response: { 201: Type.Ref(WebhookSchema), 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { actor, source } = actorOf(req);
      const created = await store.webhooks.add({
        name: b.name,
        url: b.url,
        format: b.format ?? 'json',
        eventTypes: b.eventTypes ?? [],
        ...(b.secret !== undefined ? { secret: b.secret } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        createdBy: actor,
      });
      await store.audit.append({
        actor,
        source,
        action: 'webhook.add',
        target: `webhook:${created.id}`,
        detail: {
          name: created.name,
          format: created.format,
          eventTypes: created.eventTypes,
          signed: created.hasSecret,
        },
      });
      return reply.code(201).send(toWebhook(created));
    },
  );

  app.get(
    '/api/v1/webhooks/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'One webhook subscription',
        params: IdParams,
        response: { 200: Type.Ref(WebhookSchema), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = await store.webhooks.get(req.params.id);
      return s ? toWebhook(s) : notFound(reply, `webhook ${req.params.id}`);
    },
  );

  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change a subscription (secret: null stops signing)',
        params: IdParams,
        body: WebhookPatch,
        response: { 200: Type.Ref(WebhookSchema), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const s = await store.webhooks.update(req.params.id, {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.format !== undefined ? { format: b.format } : {}),
        ...(b.eventTypes !== undefined ? { eventTypes: b.eventTypes } : {}),
        ...(b.secret !== undefined ? { secret: b.secret } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
      });
      if (!s) return notFound(reply, `webhook ${req.params.id}`);
      await store.audit.append({
        ...actorOf(req),
        action: 'webhook.update',
        target: `webhook:${s.id}`,
        // Which fields changed, never the secret's value.
        detail: { fields: Object.keys(b).sort() },
      });
      return toWebhook(s);
    },
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Remove a subscription and its deliveries',
        params: IdParams,
        response: { 204: Type.Null(), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      if (!(await store.webhooks.remove(req.params.id))) return notFound(reply, `webhook ${req.params.id}`);
      await store.audit.append({ ...actorOf(req), action: 'webhook.remove', target: `webhook:${req.params.id}` });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/deliveries',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Deliveries oldest first; state=dead is the dead-letter list',
        querystring: Type.Object(
          {
            state: Type.Optional(DeliveryState),
            webhook: Type.Optional(Type.Integer({ minimum: 1 })),
            after: Type.Optional(
              Type.Integer({ minimum: 0, description: 'Cursor: the last id of the previous page.' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(DeliverySchema)), next: Type.Optional(Type.Integer()) }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const limit = q.limit ?? 100;
      const items = await store.deliveries.list({
        limit,
        ...(q.after !== undefined ? { afterId: q.after } : {}),
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.webhook !== undefined ? { subscriptionId: q.webhook } : {}),
      });
      const last = items.at(-1);
      return { items: items.map(toDelivery), ...(items.length === limit && last ? { next: last.id } : {}) };
    },
  );

  app.get(
    '/api/v1/deliveries/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'One delivery',
        params: IdParams,
        response: { 200: Type.Ref(DeliverySchema), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const d = await store.deliveries.get(req.params.id);
      return d ? toDelivery(d) : notFound(reply, `delivery ${req.params.id}`);
    },
  );

  app.post(
    '/api/v1/deliveries/:id/retry',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Send a dead-lettered delivery again (attempts start over)',
        params: IdParams,
        response: { 202: Type.Ref(DeliverySchema), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      let d: DeliveryRecord | undefined;
      try {
        d = await store.deliveries.retry(req.params.id);
      } catch (e) {
        if (e instanceof CustomsError && e.code === 'STORE_CONFLICT') {
          return reply.code(409).send({ error: { code: e.code, message: e.message } });
        }
        throw e;
      }
      if (!d) return notFound(reply, `delivery ${req.params.id}`);
      await store.audit.append({ ...actorOf(req), action: 'delivery.retry', target: `delivery:${d.id}` });
      return reply.code(202).send(toDelivery(d));
    },
  );
};
