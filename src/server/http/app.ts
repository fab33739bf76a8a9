/**
 * buildApp(ctx, opts): the HTTP server of `customs serve` as a fastify app,
 * not yet listening (tests inject into it; serve.ts listens). In order:
 * logging, error bodies, auth (onRequest: config.access of each route),
 * per-token rate limits, ETags and the audit log (onSend), request metrics
 * (onResponse), the OpenAPI document from the routes' TypeBox schemas, then
 * the service routes and every plugin of routes.ts.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { CustomsError, toolVersion } from '../../core/index.js';
import type { RoutePlugin, ServerContext } from '../context.js';
import { ROUTE_PLUGINS } from '../routes.js';
import { installAudit } from './audit.js';
import { FailureLimit, installAuth } from './auth.js';
import { installErrorHandlers } from './errors.js';
import { installEtags } from './etag.js';
import { healthRoutes } from './health.js';
import { type LogOptions, loggerOptions } from './logging.js';
import { createMetrics, type ServerMetrics, timedStore } from './metrics.js';
import type { TlsMaterial } from './tls.js';

export interface RateLimitOptions {
  /** Requests per window for one token (or one address, for routes without a token). */
  readonly max: number;
  readonly windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 1200, windowMs: 60_000 };

/** Largest request body (a scan JSON document of a big image is several MB). */
export const BODY_LIMIT = 64 * 1024 * 1024;

export interface AppOptions {
  /** false: no logs (tests); otherwise JSON lines to the stream (default stdout). */
  readonly log?: LogOptions | false;
  readonly tls?: TlsMaterial;
  readonly rateLimit?: RateLimitOptions;
  /** The route plugins (default: routes.ts). */
  readonly plugins?: readonly { readonly name: string; readonly plugin: RoutePlugin }[];
}

export interface CustomsApp {
  readonly app: FastifyInstance;
  readonly metrics: ServerMetrics;
}

export async function buildApp(ctx: ServerContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  return (await buildAppWithMetrics(ctx, opts)).app;
}

export async function buildAppWithMetrics(ctx: ServerContext, opts: AppOptions = {}): Promise<CustomsApp> {
  const metrics = createMetrics(() => ctx.store);
  const store = timedStore(ctx.store, metrics.storeDuration);
  const routeCtx: ServerContext = { ...ctx, store };
  const app = Fastify({
    logger: opts.log === false ? false : loggerOptions(opts.log ?? {}),
    bodyLimit: BODY_LIMIT,
    // The request id is logged with each line of the request; clients may pass theirs.
    requestIdHeader: 'x-request-id',
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandlers(app);
  const limit = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
  installAuth(app, store, new FailureLimit(limit.max, limit.windowMs));
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    // Runs after the auth hook (route hooks follow the app's): the token is known.
    keyGenerator: (request) =>
      request.actor?.token !== undefined ? `token:${request.actor.token.id.toString()}` : `address:${request.ip}`,
    errorResponseBuilder: (_request, c) =>
      new CustomsError(
        'API_RATE_LIMITED',
        `more than ${c.max.toString()} requests in ${c.after === '' ? 'the window' : 'a window'}; retry after ${Math.ceil(c.ttl / 1000).toString()} s`,
      ),
  });
  installEtags(app);
  installAudit(app, store);
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'customs API',
        version: toolVersion(),
        description:
          'The REST API of `customs serve`: the registry inventory, findings, verdicts, policies and their exceptions. Errors have one body, {"error": {"code", "message", "hint"}} (docs/errors.md). Lists are paged by cursor (docs/api.md).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (cst_…)' } },
      },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url, route }) => {
      const access = route.config?.access ?? 'admin';
      const open = access === 'public' || access === 'hook';
      const documented = {
        ...(schema ?? {}),
        ...(open ? { security: [] } : {}),
        'x-customs-access': access,
      } as typeof schema;
      return { schema: documented, url };
    },
  });

  await app.register(healthRoutes(store, metrics));
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
  );
  for (const { plugin } of opts.plugins ?? ROUTE_PLUGINS) await app.register(plugin, { ctx: routeCtx });
  await app.ready();
  return { app, metrics };
}
