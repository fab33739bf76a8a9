/**
 * ETags (RFC 9110 §8.8.3, §13.1.2): every successful GET answer carries a strong
 * validator computed from its bytes; a request whose If-None-Match names it
 * gets 304 Not Modified without a body. Computing it from the body means a
 * change anywhere in what the answer shows changes the tag.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** If-None-Match matches: "*" or any listed tag, weak or strong (§13.1.2 uses the weak comparison). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function installEtags(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    // A route that knows its answer's tag (a cached answer) sets it; otherwise it is computed here.
    const known = reply.getHeader('etag');
    const etag = typeof known === 'string' ? known : etagOf(payload);
    reply.header('etag', etag);
    if (noneMatch(request.headers['if-none-match'], etag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });
}
