/**
 * /api/v1/webhooks (subscriptions, admin) and /api/v1/deliveries (what was
 * sent, what is pending, the dead-letter list, retry): docs/notifications.md.
 * A subscription's secret is write-only: responses say `hasSecret`, never
 * the secret (it has no response field); the URL, a credential too (a Slack
 * webhook's path is its token), is shown as scheme and host only. The app's
 * audit log records every change (bodies are not recorded, so neither is the
 * secret nor the URL).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CustomsError } from '../../core/index.js';
import { DELIVERY_STATES, type DeliveryRecord, type Subscription, WEBHOOK_FORMATS } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
// The modules themselves, not http/index.ts: that re-exports the app, which imports routes.ts (a cycle).
import { errorResponses } from '../http/errors.js';
import { decodeCursor, PageQuerySchema, page, pageOf } from '../http/paging.js';
import { maskWebhookUrl } from './mask-url.js';

const Millis = (description: string) => Type.Integer({ description: `${description} (ms since the epoch)` });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const EventTypeSchema = literals(Object.values(EVENT_TYPES));
const FormatSchema = literals(WEBHOOK_FORMATS);
const DeliveryStateSchema = literals(DELIVERY_STATES);
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const WebhookSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String({
    description:
      'Scheme and host only ("https://hooks.slack.com/…"): the URL is a credential, write-only like the secret',
  }),
  format: FormatSchema,
  eventTypes: Type.Array(Type.String(), { description: 'Event types delivered; empty: every type' }),
  hasSecret: Type.Boolean({ description: 'Whether deliveries are signed; the secret itself is never returned' }),
  enabled: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Millis('Created'),
  updatedAt: Millis('Last changed'),
});

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://[^\\s]+$' });
const Secret = Type.String({
  minLength: 16,
  maxLength: 512,
  description: 'HMAC-SHA256 key of the X-Customs-Signature-256 header (write-only)',
});

const WebhookCreate = Type.Object(
  {
    name: Name,
    url: Url,
    format: Type.Optional(FormatSchema),
    eventTypes: Type.Optional(Type.Array(EventTypeSchema, { uniqueItems: true })),
    secret: Type.Optional(Secret),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const WebhookPatch = Type.Object(
  {
    url: Type.Optional(Url),
    format: Type.Optional(FormatSchema),
    eventTypes: Type.Optional(Type.Array(EventTypeSchema, { uniqueItems: true })),
    secret: Type.Optional(Type.Union([Secret, Type.Null()], { description: 'null: stop signing' })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const DeliverySchema = Type.Object({
  id: Type.Integer(),
  webhookId: Type.Integer(),
  eventType: Type.String(),
  eventId: Type.Optional(Type.Integer()),
  dedupKey: Type.String({ description: '"event:<id>", or "digest:finding.new:<CVE>:<window start>"' }),
  subject: Type.String(),
  state: DeliveryStateSchema,
  attempts: Type.Integer(),
  nextAttemptAt: Millis('Not sent before'),
  lastStatus: Type.Optional(Type.Integer({ description: 'HTTP status of the last attempt' })),
  lastError: Type.Optional(Type.String()),
  createdAt: Millis('Created'),
  updatedAt: Millis('Last changed'),
  deliveredAt: Type.Optional(Millis('Delivered')),
});

const toWebhook = (s: Subscription): Static<typeof WebhookSchema> => ({
  id: s.id,
  name: s.name,
  url: maskWebhookUrl(s.url),
  format: s.format,
  eventTypes: [...s.eventTypes],
  hasSecret: s.hasSecret,
  enabled: s.enabled,
  createdBy: s.createdBy,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
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
  nextAttemptAt: d.nextAttemptAt,
  ...(d.lastStatus !== undefined ? { lastStatus: d.lastStatus } : {}),
  ...(d.lastError !== undefined ? { lastError: d.lastError } : {}),
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  ...(d.deliveredAt !== undefined ? { deliveredAt: d.deliveredAt } : {}),
});

const notFound = (what: string) => new CustomsError('API_NOT_FOUND', `${what} does not exist`);

export const webhookRoutes: RoutePlugin = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  const admin = { access: 'admin' as const };
  const tags = ['webhooks'];

  app.get(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Webhook subscriptions, by name',
        response: { 200: Type.Object({ items: Type.Array(WebhookSchema) }), ...errorResponses() },
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
        response: { 201: WebhookSchema, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await store.webhooks.add({
        name: b.name,
        url: b.url,
        format: b.format ?? 'json',
        eventTypes: b.eventTypes ?? [],
        ...(b.secret !== undefined ? { secret: b.secret } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        createdBy: request.actor?.name ?? 'anonymous',
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
        params: IdParam,
        response: { 200: WebhookSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const s = await store.webhooks.get(request.params.id);
      if (!s) throw notFound(`webhook ${request.params.id}`);
      return toWebhook(s);
    },
  );

  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change a subscription (secret: null stops signing)',
        params: IdParam,
        body: WebhookPatch,
        response: { 200: WebhookSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const b = request.body;
      const s = await store.webhooks.update(request.params.id, {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.format !== undefined ? { format: b.format } : {}),
        ...(b.eventTypes !== undefined ? { eventTypes: b.eventTypes } : {}),
        ...(b.secret !== undefined ? { secret: b.secret } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
      });
      if (!s) throw notFound(`webhook ${request.params.id}`);
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
        params: IdParam,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await store.webhooks.remove(request.params.id))) throw notFound(`webhook ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/deliveries',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Deliveries, oldest first (?state=dead is the dead-letter list; ?webhook= one subscription)',
        querystring: Type.Object({
          ...PageQuerySchema,
          state: Type.Optional(DeliveryStateSchema),
          webhook: Type.Optional(Type.Integer({ minimum: 1, description: 'A subscription id' })),
        }),
        response: { 200: pageOf(DeliverySchema, 'A page of deliveries, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await store.deliveries.list({
        afterId: decodeCursor('deliveries', q.cursor),
        limit: limit + 1,
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.webhook !== undefined ? { subscriptionId: q.webhook } : {}),
      });
      const p = page('deliveries', rows, limit, (d) => d.id);
      return { ...p, items: p.items.map(toDelivery) };
    },
  );

  app.get(
    '/api/v1/deliveries/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'One delivery',
        params: IdParam,
        response: { 200: DeliverySchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const d = await store.deliveries.get(request.params.id);
      if (!d) throw notFound(`delivery ${request.params.id}`);
      return toDelivery(d);
    },
  );

  app.post(
    '/api/v1/deliveries/:id/retry',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Send a dead-lettered delivery again (attempts start over); 409 when it is not dead',
        params: IdParam,
        response: { 202: DeliverySchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const d = await store.deliveries.retry(request.params.id);
      if (!d) throw notFound(`delivery ${request.params.id}`);
      return reply.code(202).send(toDelivery(d));
    },
  );
};
