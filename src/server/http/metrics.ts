/**
 * Prometheus metrics (docs/server.md "Metrics"): request durations by route
 * and status, jobs by state (read from the store at scrape time), and store
 * call latency by operation. One registry per app, so several apps in one
 * process (tests) do not share counters.
 */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATES, type Store } from '../../store/index.js';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly storeDuration: Histogram<'operation' | 'outcome'>;
}

export function createMetrics(store: () => Store): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'customs_' });
  const httpDuration = new Histogram({
    name: 'customs_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const storeDuration = new Histogram({
    name: 'customs_store_operation_duration_seconds',
    help: 'State store calls by repository operation (area.method) and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'customs_jobs',
    help: 'Jobs in the store queue by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await store().listings.jobCounts();
      for (const s of JOB_STATES) this.set({ state: s }, counts[s]);
    },
  });
  return { registry, httpDuration, storeDuration };
}

const AREAS = [
  'registries',
  'images',
  'scans',
  'packages',
  'findings',
  'verdicts',
  'policies',
  'jobs',
  'events',
  'tokens',
  'audit',
  'listings',
] as const;

/** The store with every repository call timed into `hist` (the same object otherwise). */
export function timedStore(store: Store, hist: ServerMetrics['storeDuration']): Store {
  const wrap = <T extends object>(area: string, repo: T): T =>
    new Proxy(repo, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return (...args: unknown[]) => {
          const end = hist.startTimer({ operation: `${area}.${prop}` });
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (out instanceof Promise) {
            return out.then(
              (v: unknown) => {
                end({ outcome: 'ok' });
                return v;
              },
              (e: unknown) => {
                end({ outcome: 'error' });
                throw e;
              },
            );
          }
          end({ outcome: 'ok' });
          return out;
        };
      },
    });
  const timed: Record<string, unknown> = { ...store };
  for (const a of AREAS) {
    const repo = (store as unknown as Record<string, object | undefined>)[a];
    if (repo !== undefined) timed[a] = wrap(a, repo);
  }
  return { ...(timed as unknown as Store), close: () => store.close() };
}
