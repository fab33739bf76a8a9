/**
 * Why the webhook serves with node:https (docs/admission.md "Performance"):
 * the same AdmissionController behind node:https (the webhook's server) and
 * behind fastify with HTTPS, each driven by autocannon over 10 keep-alive TLS
 * connections as fast as it answers for 3 s, twice, alternating. Prints
 * requests/s and p50/p99 of each. Not part of `make bench` (it decided a
 * design question once); run: `node dist-test/perf/admission-server-choice.js`.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
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
  readonly requests: { average: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<Result>;

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

async function drive(port: number): Promise<Result> {
  return autocannon({
    url: `https://127.0.0.1:${port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 10,
    duration: 3,
  });
}

async function viaNodeHttps(): Promise<Result> {
  const web = createWebhookServer({ controller, cert: certs.certPem, key: certs.keyPem, log: () => {} });
  const { port } = await web.listen('127.0.0.1', 0);
  try {
    return await drive(port);
  } finally {
    await web.close(1000);
  }
}

async function viaFastify(): Promise<Result> {
  const app = Fastify({ https: { cert: certs.certPem, key: certs.keyPem }, logger: false });
  app.post('/validate', async (request) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: await controller.validate(request.body, AbortSignal.timeout(29_000)),
  }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await drive((app.server.address() as AddressInfo).port);
  } finally {
    await app.close();
  }
}

console.log(`admission-server-choice: load average ${loadavg()[0]?.toFixed(1)}`);
for (let round = 1; round <= 2; round++) {
  for (const [name, run] of [
    ['node:https', viaNodeHttps],
    ['fastify', viaFastify],
  ] as const) {
    const r = await run();
    console.log(
      `round ${round} ${name.padEnd(10)} ${r.requests.average.toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms`,
    );
  }
}
