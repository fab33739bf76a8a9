/**
 * /healthz: the process is up. /readyz: the store answers and its schema is
 * migrated to the version this customs knows (503 otherwise, with the error
 * body), so a load balancer sends traffic only to replicas that can serve it.
 * /metrics: Prometheus text format.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { CustomsError, toCustomsError } from '../../core/index.js';
import { SCHEMA_VERSION, type Store } from '../../store/index.js';
import { ErrorBodySchema, sendError } from './errors.js';
import type { ServerMetrics } from './metrics.js';

const Health = Type.Object({ status: Type.Literal('ok') }, { description: 'The process is up' });
const Ready = Type.Object(
  {
    status: Type.Literal('ready'),
    store: Type.Object({
      dialect: Type.String(),
      schemaVersion: Type.Integer(),
      latencyMs: Type.Number({ description: 'Time the readiness query took' }),
    }),
  },
  { description: 'The store is reachable and migrated' },
);

export function healthRoutes(store: Store, metrics: ServerMetrics): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { access: 'public' },
        schema: { tags: ['service'], summary: 'Liveness: the process is up', response: { 200: Health } },
      },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        config: { access: 'public' },
        schema: {
          tags: ['service'],
          summary: 'Readiness: the store is reachable and migrated',
          response: { 200: Ready, 503: ErrorBodySchema },
        },
      },
      async (_request, reply) => {
        const started = performance.now();
        let version: number;
        try {
          version = await store.listings.schemaVersion();
        } catch (e) {
          const err = toCustomsError(e, 'STORE_UNAVAILABLE');
          return sendError(
            reply.code(503),
            new CustomsError(
              'STORE_UNAVAILABLE',
              `the state store at ${store.location} does not answer: ${err.message}`,
            ),
          );
        }
        if (version !== SCHEMA_VERSION) {
          return sendError(
            reply,
            new CustomsError(
              version > SCHEMA_VERSION ? 'STORE_SCHEMA_NEWER' : 'STORE_UNAVAILABLE',
              `the state store is at schema version ${version.toString()}, this customs serves version ${SCHEMA_VERSION.toString()}`,
            ),
          );
        }
        return {
          status: 'ready' as const,
          store: {
            dialect: store.dialect,
            schemaVersion: version,
            latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
          },
        };
      },
    );
    app.get(
      '/metrics',
      {
        config: { access: 'public' },
        schema: {
          tags: ['service'],
          summary: 'Prometheus metrics (text exposition format)',
          produces: ['text/plain'],
          response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }) },
        },
      },
      async (_request, reply) => {
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    );
  };
}
