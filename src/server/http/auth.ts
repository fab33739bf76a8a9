/**
 * Authentication and authorisation (docs/server.md "Auth"). Every route says
 * who may call it in `config.access` (default admin). Token roles nest:
 * admin can do what ci can, ci what viewer can. `public` routes need nothing;
 * `hook` routes check their own shared secret (and set request.actor
 * themselves). A missing or unknown token is 401; a known token whose role
 * is too low is 403 — both with the documented error body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CustomsError } from '../../core/index.js';
import type { Store, TokenRole } from '../../store/index.js';
import type { Actor, RouteAccess } from '../context.js';
import { sendError } from './errors.js';

const RANK: Record<TokenRole, number> = { viewer: 1, ci: 2, admin: 3 };

/** Whether a token of `role` may call a route of `access`. */
export function allows(role: TokenRole, access: RouteAccess): boolean {
  if (access === 'public' || access === 'hook') return true;
  return RANK[role] >= RANK[access];
}

export function accessOf(request: FastifyRequest): RouteAccess {
  return request.routeOptions.config?.access ?? 'admin';
}

/** The bearer token of the request (RFC 6750 §2.1), or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(h);
  return m?.[1];
}

/** The name of the dashboard's session cookie (docs/dashboard.md "Login"). */
export const SESSION_COOKIE = 'customs_session';

/** The session cookie of the request (RFC 6265 §5.4 Cookie header), or undefined. */
export function sessionCookie(request: FastifyRequest): string | undefined {
  const h = request.headers.cookie;
  if (typeof h !== 'string') return undefined;
  for (const part of h.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a cookie-authenticated request may change state: its Origin
 * (RFC 6454, sent by browsers on every non-GET fetch) must be this server.
 * SameSite=Strict already keeps the cookie off cross-site requests; this is
 * the second, independent CSRF defence.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  if (!UNSAFE.has(request.method)) return true;
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  return origin === `${request.protocol}://${request.host}`;
}

/** The address and user agent the audit log records as "from where". */
export function sourceOf(request: FastifyRequest): string {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua !== '' ? `${request.ip} (${ua.slice(0, 200)})` : request.ip;
}

/**
 * Failed authentications per client address in a fixed window. The per-token limit
 * (@fastify/rate-limit) runs after auth, so without this an address could try tokens
 * without bound; past `max` failures it gets 429 before its token is even looked up.
 */
export class FailureLimit {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfter(address: string, now = performance.now()): number {
    const w = this.windows.get(address);
    if (!w || w.resetAt <= now || w.count < this.max) return 0;
    return Math.ceil((w.resetAt - now) / 1000);
  }

  fail(address: string, now = performance.now()): void {
    const w = this.windows.get(address);
    if (!w || w.resetAt <= now) {
      if (this.windows.size >= 10_000) {
        for (const [k, v] of this.windows) if (v.resetAt <= now) this.windows.delete(k);
      }
      this.windows.set(address, { count: 1, resetAt: now + this.windowMs });
    } else w.count++;
  }
}

export function installAuth(app: FastifyInstance, store: Store, failures: FailureLimit): void {
  app.addHook('onRequest', async (request, reply) => {
    const access = accessOf(request);
    const anonymous: Actor = { name: 'anonymous', address: request.ip };
    // Unknown routes answer 404 through the not-found handler; no token needed to learn that.
    if (access === 'public' || access === 'hook' || request.routeOptions.url === undefined) {
      request.actor = anonymous;
      return;
    }
    const wait = failures.retryAfter(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return sendError(
        reply,
        new CustomsError(
          'API_RATE_LIMITED',
          `too many failed authentications from ${request.ip}; retry after ${String(wait)} s`,
        ),
      );
    }
    const secret = bearerToken(request);
    const cookie =
      secret === undefined && request.headers.authorization === undefined ? sessionCookie(request) : undefined;
    if (cookie !== undefined) {
      const session = await store.sessions.get(cookie);
      if (!session) {
        return sendError(
          reply,
          new CustomsError('API_UNAUTHENTICATED', 'the dashboard session is unknown or expired; log in again'),
        );
      }
      request.actor = { name: session.subject, address: request.ip, sessionRole: session.role };
      if (!sameOrigin(request)) {
        return sendError(
          reply,
          new CustomsError(
            'API_FORBIDDEN',
            `${request.method} ${request.routeOptions.url} with a session cookie needs an Origin header naming this server`,
          ),
        );
      }
      if (!allows(session.role, access)) {
        return sendError(
          reply,
          new CustomsError(
            'API_FORBIDDEN',
            `"${session.subject}" has role ${session.role}; ${request.method} ${request.routeOptions.url} needs ${access}`,
          ),
        );
      }
      return;
    }
    if (secret === undefined) {
      failures.fail(request.ip);
      reply.header('www-authenticate', 'Bearer realm="customs"');
      return sendError(
        reply,
        new CustomsError(
          'API_UNAUTHENTICATED',
          request.headers.authorization === undefined
            ? `${request.method} ${request.routeOptions.url} needs an API token: send "Authorization: Bearer <token>"`
            : 'the Authorization header is not "Bearer <token>"',
        ),
      );
    }
    const token = await store.tokens.verify(secret);
    if (!token) {
      failures.fail(request.ip);
      reply.header('www-authenticate', 'Bearer realm="customs", error="invalid_token"');
      return sendError(
        reply,
        new CustomsError(
          'API_UNAUTHENTICATED',
          'the API token is unknown, revoked or expired; ask an admin for a new one',
        ),
      );
    }
    request.actor = { token, name: token.name, address: request.ip };
    if (!allows(token.role, access)) {
      return sendError(
        reply,
        new CustomsError(
          'API_FORBIDDEN',
          `token "${token.name}" has role ${token.role}; ${request.method} ${request.routeOptions.url} needs ${access}`,
        ),
      );
    }
  });
}
