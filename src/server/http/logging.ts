/**
 * Structured JSON logs through fastify's logger (pino). Requests are logged
 * by method, route, status and time; headers and bodies are not, and the
 * paths below are redacted wherever they appear, so tokens and registry
 * credentials never reach a log line (docs/server.md "Logs").
 */
import type { Writable } from 'node:stream';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-customs-hook-secret"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-customs-hook-secret"]',
  '*.headers.authorization',
  '*.headers["x-customs-hook-secret"]',
  'authorization',
  '*.authorization',
  '["x-customs-hook-secret"]',
  'token',
  'password',
  'credentials',
  'secret',
  '*.token',
  '*.password',
  '*.credentials',
  '*.secret',
];

export interface LogOptions {
  /** Where log lines go (default stdout). */
  readonly stream?: Writable;
  readonly level?: string;
}

export function loggerOptions(opts: LogOptions): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: opts.level ?? 'info',
    ...(opts.stream ? { stream: opts.stream } : {}),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        // The path only: a query string is the client's, and could carry anything.
        url: req.url.split('?')[0] ?? '',
        route: req.routeOptions.url ?? 'unmatched',
        remoteAddress: req.ip,
      }),
    },
  };
}
