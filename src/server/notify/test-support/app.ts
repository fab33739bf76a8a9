/**
 * Test support: a fastify app with route plugins mounted and a minimal auth
 * hook honouring each route's `config.access` (bearer API tokens from the
 * store; admin may call everything), CustomsError mapped to its HTTP status.
 * Stands in for the server's app in route tests.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { ERROR_CODES, isCustomsError } from '../../../core/index.js';
import type { RoutePlugin, ServerContext } from '../../context.js';

export interface Mounted {
  readonly plugin: RoutePlugin;
  readonly prefix?: string;
}

export async function testApp(ctx: ServerContext, plugins: readonly Mounted[]): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access ?? 'admin';
    if (access === 'public' || access === 'hook') return;
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const token = m?.[1] ? await ctx.store.tokens.verify(m[1]) : undefined;
    if (!token) {
      return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
    }
    if (token.role !== 'admin' && token.role !== access) {
      return reply.code(403).send({ error: { code: 'FORBIDDEN', message: `role ${token.role} may not call this` } });
    }
    req.actor = { token, name: token.name, address: req.ip };
  });
  app.setErrorHandler((err, _req, reply) => {
    if (isCustomsError(err)) {
      return reply.code(ERROR_CODES[err.code].http).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { statusCode?: number; validation?: unknown; message: string };
    if (e.validation) return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: e.message } });
    return reply.code(e.statusCode ?? 500).send({ error: { code: 'INTERNAL', message: e.message } });
  });
  for (const m of plugins) await app.register(m.plugin, { ctx, ...(m.prefix ? { prefix: m.prefix } : {}) });
  await app.ready();
  return app;
}
