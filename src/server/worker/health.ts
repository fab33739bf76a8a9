/**
 * A stand-alone worker's service endpoints: /healthz (the process answers),
 * /readyz (the store answers and the worker is not stopping), /metrics
 * (Prometheus text: jobs by outcome, jobs running, job durations, the DB
 * version in use). Plain node:http: three read-only routes need no framework.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { CustomsError, listenOn } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { WorkerPool } from './pool.js';

/** "8081" → 127.0.0.1:8081; "HOST:PORT" and "[::1]:PORT" as given. */
export function parseHealthListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      `--listen ${JSON.stringify(text)}: expected [HOST:]PORT, e.g. 127.0.0.1:9464`,
    );
  }
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

export function workerMetrics(pool: WorkerPool): Registry {
  const registry = new Registry();
  let last = pool.stats();
  const read = () => {
    last = pool.stats();
    return last;
  };
  new Gauge({
    name: 'customs_worker_jobs_running',
    help: 'Jobs this worker is running now',
    registers: [registry],
    collect() {
      this.set(read().running);
    },
  });
  new Counter({
    name: 'customs_worker_jobs_total',
    help: 'Jobs this worker finished, by outcome (succeeded, failed, lease_lost)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'succeeded' }, last.succeeded);
      this.inc({ outcome: 'failed' }, last.failed);
      this.inc({ outcome: 'lease_lost' }, last.leaseLost);
    },
  });
  new Gauge({
    name: 'customs_worker_job_seconds_sum',
    help: 'Total seconds spent on finished jobs, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, d] of Object.entries(last.durations)) this.set({ kind }, d.sum);
    },
  });
  new Gauge({
    name: 'customs_worker_job_seconds_count',
    help: 'Finished jobs, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, d] of Object.entries(last.durations)) this.set({ kind }, d.count);
    },
  });
  new Gauge({
    name: 'customs_worker_vulndb_info',
    help: 'The vulnerability DB version this worker matches with (label), always 1',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: last.dbVersion }, 1);
    },
  });
  return registry;
}

export interface HealthServer {
  readonly address: string;
  close(): Promise<void>;
}

export async function startHealthServer(
  listen: { host: string; port: number },
  pool: WorkerPool,
  store: Store,
  stopping: AbortSignal,
): Promise<HealthServer> {
  const metrics = workerMetrics(pool);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      if (stopping.aborted) return send(503, 'stopping\n');
      store.jobs.list({ limit: 1 }).then(
        () => send(200, 'ready\n'),
        (e: unknown) => send(503, `store unavailable: ${(e as Error).message}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      metrics.metrics().then(
        (text) => send(200, text, metrics.contentType),
        (e: unknown) => send(500, `${(e as Error).message}\n`),
      );
      return;
    }
    send(404, 'not found\n');
  });
  await listenOn(server, listen.host, listen.port);
  const addr = server.address();
  const address = typeof addr === 'object' && addr ? `${addr.address}:${addr.port}` : `${listen.host}:${listen.port}`;
  return {
    address,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
