/**
 * The dashboard's static files (docs/dashboard.md): built by scripts/web-build.mjs
 * from web/ into dist/web/ (index.html and content-hashed assets/), read once at
 * start and served from memory. Every page carries a strict Content Security
 * Policy: scripts, styles, images and fetches from this origin only, no inline
 * script, no framing. Hashed assets never change, so they are cached for a year
 * (RFC 8246 immutable); index.html is revalidated each time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { RoutePlugin } from '../context.js';

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The client-side routes: each answers with index.html and the app renders the page. */
export const PAGE_ROUTES = ['/', '/login', '/search', '/images/*', '/registries', '/policies', '/events', '/audit'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** dist/web next to the running code: dist/server/web/ (tsc output) or dist/bundle/ (the CLI bundle). */
export function webDir(): string | undefined {
  const env = process.env.CUSTOMS_WEB_DIR;
  const candidates = [
    ...(env ? [env] : []),
    fileURLToPath(new URL('../../web/', import.meta.url)),
    fileURLToPath(new URL('../web/', import.meta.url)),
  ];
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

function security(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export const assetRoutes: RoutePlugin = async (app, { ctx }) => {
  const dir = webDir();
  const index = dir ? readFileSync(join(dir, 'index.html')) : undefined;
  const assets = new Map<string, Buffer>();
  if (dir && existsSync(join(dir, 'assets'))) {
    for (const f of readdirSync(join(dir, 'assets'))) assets.set(f, readFileSync(join(dir, 'assets', f)));
  }
  if (!dir) ctx.log.warn({ dir: 'dist/web' }, 'the dashboard is not built (make build); / answers 503');

  const page = { config: { access: 'public' as const }, schema: { hide: true } };
  for (const url of PAGE_ROUTES) {
    app.get(url, page, async (_request, reply) => {
      security(reply).header('cache-control', 'no-cache');
      if (!index)
        return reply.code(503).type('text/plain; charset=utf-8').send('the dashboard is not built: run make build\n');
      return reply.type('text/html; charset=utf-8').send(index);
    });
  }
  app.get<{ Params: { file: string } }>('/assets/:file', page, async (request, reply) => {
    const file = request.params.file;
    const data = assets.get(file);
    if (!data) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    return security(reply)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .send(data);
  });
};
