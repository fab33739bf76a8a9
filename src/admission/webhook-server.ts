/**
 * The webhook's HTTPS server (node:https: fewer layers per request than a
 * framework, and this server has five routes; perf/admission-bench.ts
 * measures it). TLS only: there is no plain-HTTP listener, so a plain
 * request fails the TLS handshake and gets no HTTP answer at all.
 * Routes: POST /validate, POST /mutate (AdmissionReview v1), GET /healthz,
 * /readyz, /metrics (Prometheus text).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CustomsError, listenOn } from '../core/index.js';
import type { AdmissionController } from './admission-controller.js';
import { reviewResponse } from './review.js';

/** The API server sends AdmissionReviews well below this; more is refused before parsing. */
const MAX_BODY = 3 * 1024 * 1024;

export type JsonLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** One JSON object per line on a stream (stdout by default). */
export function jsonLog(write: (line: string) => void = (l) => process.stdout.write(l)): JsonLog {
  return (level, msg, fields = {}) =>
    write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
}

export interface WebhookServerOptions {
  readonly controller: AdmissionController;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly log: JsonLog;
  /** Readiness beyond "listening" (the store opened, the trust policy loaded). */
  readonly ready?: () => boolean;
  /** Per-request budget; the API server's timeout is at most 30 s. */
  readonly requestTimeoutMs?: number;
}

export interface WebhookServer {
  readonly server: Server;
  readonly registry: Registry;
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stop accepting, let requests in flight finish (up to graceMs), then close. */
  close(graceMs?: number): Promise<void>;
}

export function createWebhookServer(opts: WebhookServerOptions): WebhookServer {
  const registry = new Registry();
  const requests = new Counter({
    name: 'customs_admission_requests_total',
    help: 'AdmissionReviews answered, by endpoint and decision',
    labelNames: ['endpoint', 'allowed'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'customs_admission_errors_total',
    help: 'Requests answered with an HTTP error (bad AdmissionReview, internal error)',
    labelNames: ['endpoint', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'customs_admission_duration_seconds',
    help: 'Time from request to response',
    labelNames: ['endpoint'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'customs_admission_cache_entries',
    help: 'Image outcomes in the decision cache',
    registers: [registry],
    collect() {
      this.set(opts.controller.cache.size);
    },
  });
  new Gauge({
    name: 'customs_admission_cache_hits',
    help: 'Decision cache hits since start',
    registers: [registry],
    collect() {
      this.set(opts.controller.cache.hits);
    },
  });
  let closing = false;
  const inflight = new Set<Promise<void>>();

  const send = (res: ServerResponse, status: number, body: string, type = 'application/json'): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new CustomsError('ADMISSION_REVIEW_INVALID', `request body over ${MAX_BODY} bytes`));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const review = async (endpoint: 'validate' | 'mutate', req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const start = process.hrtime.bigint();
    // A timer cleared when the answer is sent (AbortSignal.timeout's would stay armed for the full
    // budget: at 500 requests/s that is thousands of live timers).
    const budget = new AbortController();
    const timer = setTimeout(
      () => budget.abort(new Error('request budget exhausted')),
      opts.requestTimeoutMs ?? 29_000,
    );
    const timeout = budget.signal;
    try {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('application/json'))
        throw new CustomsError('ADMISSION_REVIEW_INVALID', `Content-Type must be application/json, not "${type}"`);
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new CustomsError('ADMISSION_REVIEW_INVALID', `the body is not JSON: ${(e as Error).message}`, e);
      }
      const response =
        endpoint === 'validate'
          ? await opts.controller.validate(body, timeout)
          : await opts.controller.mutate(body, timeout);
      send(res, 200, JSON.stringify(reviewResponse(response)));
      requests.inc({ endpoint, allowed: String(response.allowed) });
    } catch (e) {
      const err = e instanceof CustomsError ? e : new CustomsError('INTERNAL', (e as Error).message ?? String(e), e);
      errors.inc({ endpoint, code: err.code });
      opts.log(err.code === 'INTERNAL' ? 'error' : 'warn', 'admission request failed', {
        endpoint,
        code: err.code,
        error: err.message,
      });
      // An HTTP error makes the API server apply the webhook's failurePolicy.
      if (!res.headersSent)
        send(res, err.httpStatus, JSON.stringify({ code: err.code, message: err.message, hint: err.hint }));
    } finally {
      clearTimeout(timer);
      duration.observe({ endpoint }, Number(process.hrtime.bigint() - start) / 1e9);
    }
  };

  const server = createServer({ cert: opts.cert, key: opts.key, minVersion: 'TLSv1.2' }, (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (req.method === 'POST' && (path === '/validate' || path === '/mutate')) {
      const p = review(path === '/validate' ? 'validate' : 'mutate', req, res);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      return;
    }
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'ok\n', 'text/plain');
    if (req.method === 'GET' && path === '/readyz') {
      const ok = !closing && (opts.ready?.() ?? true);
      return send(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n', 'text/plain');
    }
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => send(res, 200, text, registry.contentType),
        (e: unknown) => send(res, 500, String(e), 'text/plain'),
      );
      return;
    }
    send(res, 404, JSON.stringify({ message: `no route ${req.method ?? ''} ${path}` }));
  });
  // Slow or stuck clients do not hold sockets forever; keep-alive is what the API server uses.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // One small answer per request: never hold it back waiting for an ACK (Nagle).
  server.on('secureConnection', (socket) => socket.setNoDelay(true));
  server.on('tlsClientError', (e) => opts.log('warn', 'TLS handshake failed', { error: e.message }));

  return {
    server,
    registry,
    listen: (host, port) => listenOn(server, host, port),
    close: async (graceMs = 10_000) => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
      server.closeAllConnections();
      await closed;
    },
  };
}
