/**
 * The runtime resources (docs/api.md "Runtime"): the reports runtime sensors
 * POST (a `ci` token: a sensor is a machine client, like a CI job), the nodes
 * that reported and the containers each listed last. The report is validated
 * here against the documented body (runtime-schemas.ts); the store applies it
 * in one transaction (store/runtime-nodes.ts).
 */
import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { CustomsError } from '../../core/index.js';
import type { RuntimeContainerInput, RuntimeEventInput } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { body, decodeCursor, errorResponses, PageQuerySchema, page, pageOf } from '../http/index.js';
import {
  ContainerQuerySchema,
  NodeOwnerSchema,
  RuntimeContainerSchema,
  RuntimeNodeSchema,
  RuntimeReportResultSchema,
  RuntimeReportSchema,
} from './runtime-schemas.js';

type Report = Static<typeof RuntimeReportSchema>;
type ReportContainer = NonNullable<Report['inventory']>['containers'][number];

/**
 * How far ahead of the server's clock a report's sentAt may be. Reports of a node apply in
 * sentAt order, so one stamped far in the future would hold back every later report.
 */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/** The manifest digest of a `repo@sha256:…` registry digest. */
const manifestDigest = (refs: readonly string[]): string | undefined => {
  for (const r of refs) {
    const at = r.lastIndexOf('@');
    const d = at >= 0 ? r.slice(at + 1) : r;
    if (/^sha256:[0-9a-f]{64}$/.test(d)) return d;
  }
  return undefined;
};

const containerOf = (c: ReportContainer): RuntimeContainerInput => {
  const digest = manifestDigest(c.imageDigests);
  const p = c.privileges;
  return {
    containerId: c.id,
    name: c.name,
    runtime: c.runtime,
    imageId: c.imageId,
    ...(digest !== undefined ? { imageDigest: digest } : {}),
    imageRef: c.imageRef,
    state: c.state,
    ...(c.kubernetes?.namespace !== undefined ? { kubernetesNamespace: c.kubernetes.namespace } : {}),
    ...(c.kubernetes?.pod !== undefined ? { kubernetesPod: c.kubernetes.pod } : {}),
    privileges: {
      privileged: p.privileged,
      capAdd: p.capAdd,
      hostPid: p.hostPid,
      hostNetwork: p.hostNetwork,
      hostIpc: p.hostIpc,
      user: p.user,
      readOnlyRootfs: p.readOnlyRootfs,
    },
  };
};

/** An alert or action is the same one when its content is. */
const keyOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export const runtimeRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  const viewer = { access: 'viewer' as const };

  app.post(
    '/api/v1/runtime/reports',
    {
      config: { access: 'ci' },
      schema: {
        tags: ['runtime'],
        summary: "A runtime sensor's report: the node's containers, alerts and enforcement actions (ci token)",
        body: RuntimeReportSchema,
        response: { 200: RuntimeReportResultSchema, ...errorResponses() },
      },
    },
    async (request) => {
      const r = request.body;
      // A node is bound to the token that first reported it (docs/runtime.md "Node ownership"):
      // only a token can own one, so a report without one (a dashboard session) is refused.
      const tokenId = request.actor?.token?.id;
      if (tokenId === undefined)
        throw new CustomsError(
          'API_FORBIDDEN',
          'runtime reports are bound to the API token that sends them: send "Authorization: Bearer <ci token>"',
        );
      const sentAt = Date.parse(r.sentAt);
      if (!Number.isFinite(sentAt))
        throw new CustomsError('API_REQUEST_INVALID', `sentAt "${r.sentAt}" is not a date-time; send an ISO 8601 time`);
      const ahead = sentAt - ctx.now();
      if (ahead > MAX_CLOCK_AHEAD_MS)
        throw new CustomsError(
          'API_REQUEST_INVALID',
          `sentAt ${r.sentAt} of node ${r.host} is ${Math.round(ahead / 1000).toString()} s ahead of the server's clock; synchronise the node's clock (NTP)`,
        );
      // Keyed by kind and content: a re-sent batch carries the very same objects.
      const events: RuntimeEventInput[] = [
        ...r.alerts.map((a) => ({
          key: `alert:${keyOf(a)}`,
          type: EVENT_TYPES.runtimeAlert,
          subject: a.container?.id ?? r.host,
          data: a,
        })),
        ...r.actions.map((a) => ({
          key: `action:${keyOf(a)}`,
          type: EVENT_TYPES.runtimeAction,
          subject: a.container.id,
          data: a,
        })),
      ];
      const inv = r.inventory;
      const outcome = await store.runtime.report({
        node: r.host,
        tokenId,
        sentAt,
        events,
        stats: r.stats,
        ...(inv
          ? {
              containers: inv.containers.map(containerOf),
              inventoryEvent: {
                type: EVENT_TYPES.runtimeInventory,
                data: {
                  host: r.host,
                  collectedAt: inv.collectedAt,
                  containers: inv.containers.length,
                  running: inv.containers.filter((c) => c.state === 'running').length,
                  images: inv.images.length,
                  notes: inv.notes,
                },
              },
            }
          : {}),
      });
      return {
        node: outcome.node.name,
        duplicate: outcome.duplicate,
        inventoryApplied: outcome.inventoryApplied,
        containers: outcome.node.containers,
        events: outcome.events.length,
      };
    },
  );

  app.get(
    '/api/v1/runtime/nodes',
    {
      config: viewer,
      schema: {
        tags: ['runtime'],
        summary: 'The nodes runtime sensors reported from',
        querystring: Type.Object(PageQuerySchema),
        response: { 200: pageOf(RuntimeNodeSchema, 'A page of nodes, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const rows = await store.runtime.nodes({
        afterId: decodeCursor('runtime-nodes', request.query.cursor),
        limit: limit + 1,
      });
      return body(page('runtime-nodes', rows, limit, (n) => n.id));
    },
  );

  app.put(
    '/api/v1/runtime/nodes/:name/owner',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['runtime'],
        summary: "Reassign a node to another API token (a new sensor's), or unbind it (tokenId null; admin)",
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 253 }) }),
        body: NodeOwnerSchema,
        response: { 200: RuntimeNodeSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { tokenId } = request.body;
      if (tokenId !== null) {
        const token = (await store.tokens.list()).find((t) => t.id === tokenId);
        if (!token || token.revokedAt !== undefined || (token.expiresAt !== undefined && token.expiresAt <= ctx.now()))
          throw new CustomsError(
            'API_REQUEST_INVALID',
            `tokenId ${String(tokenId)} is not an active API token; GET /api/v1/tokens lists them (or send null to unbind the node)`,
          );
      }
      const node = await store.runtime.setNodeOwner(request.params.name, tokenId);
      if (!node)
        throw new CustomsError(
          'API_NOT_FOUND',
          `runtime node "${request.params.name}" has not reported; GET /api/v1/runtime/nodes lists the nodes`,
        );
      return body(node);
    },
  );

  app.get(
    '/api/v1/runtime/containers',
    {
      config: viewer,
      schema: {
        tags: ['runtime'],
        summary: "The containers of the nodes' last inventories (?node=, ?image=, ?state=)",
        querystring: Type.Object({ ...PageQuerySchema, ...ContainerQuerySchema }),
        response: { 200: pageOf(RuntimeContainerSchema, 'A page of containers, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await store.runtime.containers({
        afterId: decodeCursor('runtime-containers', q.cursor),
        limit: limit + 1,
        ...(q.node !== undefined ? { node: q.node } : {}),
        ...(q.image !== undefined ? { imageDigest: q.image } : {}),
        ...(q.state !== undefined ? { state: q.state } : {}),
      });
      return body(page('runtime-containers', rows, limit, (c) => c.id));
    },
  );
};
