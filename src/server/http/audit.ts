/**
 * The audit log of the API (docs/server.md "Audit log"): every request that
 * may change something (POST, PUT, PATCH, DELETE) by a known caller is
 * written to store.audit — who (token name or hook), what (method and route),
 * on what (the path), from where (address and user agent), with the status it
 * got — before the answer leaves, so a client that has its answer finds the
 * entry. Denied attempts (403) are recorded too; unauthenticated ones (401)
 * are not, so anonymous traffic cannot fill the log. Bodies are not recorded:
 * they may hold credentials.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { sourceOf } from './auth.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function installAudit(app: FastifyInstance, store: Store): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const actor = request.actor;
    if (!MUTATING.has(request.method) || actor === undefined || reply.statusCode === 401) return payload;
    if (request.routeOptions.url === undefined) return payload;
    try {
      await store.audit.append({
        actor: actor.name,
        action: `${request.method} ${request.routeOptions.url}`,
        target: request.url.split('?')[0] ?? request.url,
        source: sourceOf(request),
        detail: {
          status: reply.statusCode,
          ...(actor.token ? { tokenId: actor.token.id, role: actor.token.role } : {}),
          ...(actor.sessionRole ? { session: true, role: actor.sessionRole } : {}),
          ...(request.params && Object.keys(request.params).length > 0 ? { params: request.params } : {}),
        },
      });
    } catch (err) {
      // The change is done; a lost audit entry is an operator alarm, not the client's error.
      request.log.error({ err }, 'audit log append failed');
    }
    return payload;
  });
}
