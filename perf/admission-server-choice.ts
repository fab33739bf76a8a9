/**
 * Why the webhook serves with node:https (docs/admission.md "Performance"):
 * the same AdmissionController behind node:https (the webhook's server) and
 * behind fastify with HTTPS, each in its own child process, driven by
 * autocannon over 10 keep-alive TLS connections for a fixed 4,000 requests,
 * alternating, three rounds. It reports the server process's CPU time per
 * request (utime + stime from /proc, so other load on the machine does not
 * count) beside the client-side p50/p99 (which it does). Not part of
 * `make bench` (it settled a design question); run:
 * `node dist-test/perf/admission-server-choice.js`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import {
  AdmissionController,
  admissionConfigOf,
  createWebhookServer,
  webhookCertificates,
} from '../src/admission/index.js';
import { sha256 } from '../src/core/index.js';

interface Result {
  readonly latency: { p50: number; p99: number };
  readonly requests: { total: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<Result>;
const REQUESTS = 4000;

const digests = Array.from({ length: 5 }, (_, i) => sha256(`choice-${i}`));
const body = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'shop',
    operation: 'CREATE',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app' },
      spec: {
        containers: digests.map((d, i) => ({ name: `c${i}`, image: `registry.example.com/acme/svc${i}@${d}` })),
      },
    },
  },
});

/** The child: one server variant on an ephemeral port, the port on stdout. */
async function serve(kind: string): Promise<void> {
  const controller = new AdmissionController({
    config: admissionConfigOf(
      {
        rules: [
          { name: 'pss-baseline', mode: 'enforce', pss: 'baseline' },
          { name: 'pss-restricted', mode: 'warn', pss: 'restricted' },
          { name: 'registries', mode: 'enforce', registries: ['registry.example.com/acme'] },
          { name: 'scanned', mode: 'enforce', verdict: {} },
        ],
      },
      'bench',
    ),
    verdicts: { latest: async () => 'pass' },
  });
  const certs = await webhookCertificates(['localhost'], { ips: ['127.0.0.1'] });
  let port: number;
  if (kind === 'node:https') {
    const web = createWebhookServer({ controller, cert: certs.certPem, key: certs.keyPem, log: () => {} });
    port = (await web.listen('127.0.0.1', 0)).port;
  } else {
    const app = Fastify({ https: { cert: certs.certPem, key: certs.keyPem }, logger: false });
    app.post('/validate', async (request) => {
      const budget = new AbortController();
      const timer = setTimeout(() => budget.abort(), 29_000);
      try {
        return {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: await controller.validate(request.body, budget.signal),
        };
      } finally {
        clearTimeout(timer);
      }
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  }
  process.stdout.write(`${port}\n`);
}

/** utime + stime of a process, in ms (proc(5): fields 14 and 15, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measure(kind: string): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(d))));
  const url = `https://127.0.0.1:${port}/validate`;
  const opts = { url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 10 };
  await autocannon({ ...opts, amount: 500 }); // warm-up: JIT, TLS sessions
  const before = cpuMs(child.pid as number);
  const r = await autocannon({ ...opts, amount: REQUESTS });
  const cpu = (cpuMs(child.pid as number) - before) / r.requests.total;
  child.kill();
  return `${kind.padEnd(10)} server CPU ${(cpu * 1000).toFixed(0).padStart(4)} µs/request   client p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms`;
}

if (process.argv[2]) await serve(process.argv[2]);
else {
  console.log(`admission-server-choice: load average ${loadavg()[0]?.toFixed(1)}, ${REQUESTS} requests per run`);
  for (let round = 1; round <= 3; round++)
    for (const kind of ['node:https', 'fastify']) console.log(`round ${round} ${await measure(kind)}`);
}
