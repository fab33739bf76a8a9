/**
 * `customs admit` as the API server sees it: a child process serving HTTPS
 * with a certificate from the same generator `customs admit manifests` uses;
 * AdmissionReviews around objects kubectl makes (`kubectl run|create …
 * --dry-run=client -o json`), POSTed as JSON over a keep-alive TLS connection
 * that trusts only the CA bundle. Tags resolve against a real docker-registry
 * on loopback; verdicts and decision events go through a real SQLite state
 * store. No API server can run here: the AdmissionReviews are built the way
 * the API server builds them (admission.k8s.io/v1).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildDemoImage } from '../../demo/build-demo-image.js';
import { webhookCertificates } from '../../src/admission/index.js';
import { admissionReview, kubectlObject, podOf } from '../../src/admission/test-support/kubectl.js';
import { createContext, type Digest } from '../../src/core/index.js';
import { writeOciLayout } from '../../src/image/test-support/image-fixtures.js';
import { generateKeyPair, loadPrivateKey, signImage } from '../../src/sign/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { REPO_ROOT, runCustoms } from '../support/images.js';
import { pushLayout, startRegistry, type TestRegistry } from '../support/registry.js';

const work = mkdtempSync(join(tmpdir(), 'customs-admit-'));
let registry: TestRegistry;
let store: Store;
let ca: string;
let certFile: string;
let keyFile: string;
let goodDigest: Digest;
let badDigest: Digest;

const trustPolicy = (key: string): string =>
  `version: 1\nrules:\n  - name: everything\n    images: ["**"]\n    signatures:\n      keys: [${key}]\n`;

interface Webhook {
  readonly port: number;
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

function startWebhook(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Webhook> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'customs.js'), 'admit', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    let buf = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.msg === 'customs admit listening') {
          const port = Number(String(line.address).split(':').pop());
          resolve({ port, child, lines, exited });
        }
        nl = buf.indexOf('\n');
      }
    });
    void exited.then((code) => reject(new Error(`customs admit exited ${code}: ${stderr}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function call(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        agent,
        headers: data
          ? { 'content-type': 'application/json', accept: 'application/json', 'content-length': data.length }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as Record<string, unknown> });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function review(port: number, path: '/validate' | '/mutate', body: Record<string, unknown>) {
  const res = await call(port, 'POST', path, body);
  assert.equal(res.status, 200, res.text);
  const json = res.json() as { apiVersion: string; kind: string; response: Record<string, unknown> };
  assert.equal(json.apiVersion, 'admission.k8s.io/v1');
  assert.equal(json.kind, 'AdmissionReview');
  assert.equal(json.response.uid, (body.request as { uid: string }).uid, 'the response echoes the uid');
  return json.response as {
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
    patchType?: string;
    patch?: string;
  };
}

before(async () => {
  const certs = await webhookCertificates(['localhost'], { ips: ['127.0.0.1'] });
  ca = certs.caPem;
  certFile = join(work, 'tls.crt');
  keyFile = join(work, 'tls.key');
  writeFileSync(certFile, certs.certPem);
  writeFileSync(keyFile, certs.keyPem);
  registry = await startRegistry();
  const good = writeOciLayout(join(work, 'good'), [
    { image: { layers: [{ files: [{ path: 'app/good', data: 'good' }] }] } },
  ]);
  const bad = writeOciLayout(join(work, 'bad'), [
    { image: { layers: [{ files: [{ path: 'app/bad', data: 'bad' }] }] } },
  ]);
  goodDigest = (good.images[0] as { manifestDigest: Digest }).manifestDigest;
  badDigest = (bad.images[0] as { manifestDigest: Digest }).manifestDigest;
  await pushLayout(registry, join(work, 'good'), 'acme/app:1.0');
  await pushLayout(registry, join(work, 'bad'), 'acme/app:2.0');
  writeOciLayout(join(work, 'cold'), [{ image: { layers: [{ files: [{ path: 'app/cold', data: 'cold' }] }] } }]);
  await pushLayout(registry, join(work, 'cold'), 'acme/unscanned:1');
  // The demo image holds minimist 1.2.5 (CVE-2021-44906, critical in test/feeds): an inline gate fails it.
  await buildDemoImage(join(REPO_ROOT, 'demo', 'rootfs-layers'), join(work, 'demo'));
  await pushLayout(registry, join(work, 'demo'), 'acme/demo:1');
  const db = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '-q', '--db-dir', join(work, 'db')]);
  assert.equal(db.code, 0, db.stderr);
  // app:1.0 is signed (cosign's layout, customs sign); app:2.0 is not. The trust policy trusts the key.
  const keys = generateKeyPair('pw');
  writeFileSync(join(work, 'cosign.pub'), keys.publicKey);
  writeFileSync(join(work, 'other.pub'), generateKeyPair('pw').publicKey);
  await signImage(`${registry.host}/acme/app:1.0`, loadPrivateKey(keys.privateKey, 'pw', 'test key'), createContext());
  writeFileSync(join(work, 'trust.yaml'), trustPolicy('cosign.pub'));
  store = await openStore(join(work, 'store'));
  await store.verdicts.record({ imageDigest: goodDigest, status: 'pass', document: {} });
  await store.verdicts.record({ imageDigest: badDigest, status: 'fail', document: {} });
});

after(async () => {
  agent.destroy();
  await store?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('customs admit over TLS', () => {
  let hook: Webhook;
  before(async () => {
    const config = join(work, 'admission.yaml');
    writeFileSync(
      config,
      `apiVersion: customs.dev/v1
kind: AdmissionConfig
failurePolicy: Fail
timeoutSeconds: 30
trustPolicy: trust.yaml
namespaceLabels:
  shop: {env: prod}
rules:
  - {name: pss-baseline, mode: enforce, pss: baseline}
  - {name: pss-restricted, mode: warn, pss: restricted}
  - name: prod-registry
    mode: enforce
    namespaceSelector: {matchLabels: {env: prod}}
    registries: [${registry.host}/acme]
  - name: prod-scanned
    mode: enforce
    namespaceSelector: {matchLabels: {env: prod}}
    pinDigests: true
    verdict: {coldPath: deny}
  - name: inline-scanned
    mode: enforce
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: inline}}
    verdict: {coldPath: scan-inline, inlineDeadlineMs: 25000}
  - name: signed
    mode: enforce
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: secure}}
    trust: true
  - name: audit-resources
    mode: audit
    checks: [CUS-K8S-030]
`,
    );
    hook = await startWebhook(
      [
        '--listen',
        // Port 0: the webhook says which port it got (picking a free one first races other tests).
        '127.0.0.1:0',
        '--tls-cert',
        certFile,
        '--tls-key',
        keyFile,
        '--config',
        config,
        '--store',
        join(work, 'store'),
      ],
      { CUSTOMS_DB_DIR: join(work, 'db'), CUSTOMS_CACHE_DIR: join(work, 'cache') },
    );
  });

  test('a privileged Pod from kubectl run is denied: 403 and the control named', async () => {
    const pod = await podOf(1, 'busybox:1.36');
    ((pod.spec as { containers: Record<string, unknown>[] }).containers[0] as Record<string, unknown>).securityContext =
      {
        privileged: true,
      };
    const r = await review(hook.port, '/validate', admissionReview(pod));
    assert.equal(r.allowed, false);
    assert.equal(r.status?.code, 403);
    assert.match(r.status?.message ?? '', /CUS-K8S-003/);
  });

  test('a Deployment from kubectl create deployment is admitted with warnings and audit annotations', async () => {
    const d = await kubectlObject(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
    const r = await review(hook.port, '/validate', admissionReview(d, { namespace: 'dev' }));
    assert.equal(r.allowed, true);
    assert.ok((r.warnings ?? []).some((w) => w.startsWith('customs pss-restricted: ')));
    assert.match(r.auditAnnotations?.['audit-resources'] ?? '', /CUS-K8S-030/);
  });

  test('in a prod namespace: a tag with a passing verdict is admitted, resolved by HEAD against the registry', async () => {
    const job = await kubectlObject(['create', 'job', 'migrate', `--image=${registry.host}/acme/app:1.0`]);
    const r = await review(hook.port, '/validate', admissionReview(job, { namespace: 'shop' }));
    assert.equal(r.allowed, true, r.status?.message);
  });

  test('in a prod namespace: a failing verdict, an unscanned image and a foreign registry are denied with reasons', async () => {
    const cj = await kubectlObject([
      'create',
      'cronjob',
      'report',
      `--image=${registry.host}/acme/app:2.0`,
      '--schedule=0 * * * *',
    ]);
    const failing = await review(hook.port, '/validate', admissionReview(cj, { namespace: 'shop' }));
    assert.equal(failing.allowed, false);
    assert.match(failing.status?.message ?? '', new RegExp(`\\[prod-scanned\\] .*@${badDigest}: verdict is fail`));
    const cold = await review(
      hook.port,
      '/validate',
      admissionReview(await podOf(1, `${registry.host}/acme/unscanned:1`), { namespace: 'shop' }),
    );
    assert.equal(cold.allowed, false);
    assert.match(
      cold.status?.message ?? '',
      /unscanned:1@sha256:[0-9a-f]{64}: not scanned, no verdict \(cold path: deny\)/,
    );
    // Port 9 on loopback refuses at once: the registry rule denies, and the digest lookup cannot
    // decide, which failurePolicy Fail turns into a denial too.
    const foreign = await review(
      hook.port,
      '/validate',
      admissionReview(await podOf(1, '127.0.0.1:9/other/app:1'), { namespace: 'shop' }),
    );
    assert.equal(foreign.allowed, false);
    assert.match(foreign.status?.message ?? '', /\[prod-registry\] CUS-K8S-034 .*comes from 127\.0\.0\.1:9/);
    assert.match(
      foreign.status?.message ?? '',
      /\[prod-scanned\] cannot resolve 127\.0\.0\.1:9\/other\/app:1 to a digest/,
    );
  });

  test('cold path scan-inline: the image is scanned and gated now; a critical finding denies', async () => {
    const vulnerable = await review(
      hook.port,
      '/validate',
      admissionReview(await podOf(1, `${registry.host}/acme/demo:1`), { namespace: 'inline' }),
    );
    assert.equal(vulnerable.allowed, false, JSON.stringify(vulnerable));
    assert.match(
      vulnerable.status?.message ?? '',
      /\[inline-scanned\] .*acme\/demo:1@sha256:[0-9a-f]{64}: verdict is fail/,
    );
    const clean = await review(
      hook.port,
      '/validate',
      admissionReview(await podOf(1, `${registry.host}/acme/unscanned:1`), { namespace: 'inline' }),
    );
    assert.equal(clean.allowed, true, clean.status?.message);
    assert.ok((clean.warnings ?? []).some((w) => /scanned inline/.test(w)));
  });

  test('trust: a signed image is admitted, an unsigned one denied; a new trust policy is picked up', async () => {
    const signed = admissionReview(await podOf(2, `${registry.host}/acme/app:1.0`), { namespace: 'secure' });
    assert.equal((await review(hook.port, '/validate', signed)).allowed, true);
    const unsigned = await review(
      hook.port,
      '/validate',
      admissionReview(await podOf(1, `${registry.host}/acme/app:2.0`), { namespace: 'secure' }),
    );
    assert.equal(unsigned.allowed, false);
    assert.match(unsigned.status?.message ?? '', /\[signed\] .*app:2\.0@sha256:[0-9a-f]{64}: signature unverified/);
    writeFileSync(join(work, 'trust.yaml'), trustPolicy('other.pub'));
    for (
      let i = 0;
      i < 100 && !hook.lines.some((l) => l.msg === 'trust policy reloaded; cached decisions dropped');
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const now = await review(hook.port, '/validate', signed);
    assert.equal(now.allowed, false, 'signed by a key the policy no longer trusts');
    assert.match(now.status?.message ?? '', /\[signed\] .*signature unverified/);
  });

  test('a verdict change in the store reaches the webhook: the cached decision is dropped', async () => {
    const pod = admissionReview(await podOf(5, `${registry.host}/acme/app:1.0`), { namespace: 'shop' });
    assert.equal((await review(hook.port, '/validate', pod)).allowed, true);
    await store.verdicts.record({ imageDigest: goodDigest, status: 'fail', document: {} });
    await store.events.append({ type: 'verdict.changed', subject: goodDigest, data: { status: 'fail' } });
    let allowed = true;
    for (let i = 0; i < 50 && allowed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      allowed = (await review(hook.port, '/validate', pod)).allowed;
    }
    assert.equal(allowed, false, 'denied once the event is seen');
    await store.verdicts.record({ imageDigest: goodDigest, status: 'pass', document: {} });
    await store.events.append({ type: 'verdict.changed', subject: goodDigest, data: { status: 'pass' } });
  });

  test('/mutate pins the tag to the digest the registry names (JSONPatch, base64)', async () => {
    const pod = await podOf(2, `${registry.host}/acme/app:1.0`);
    const r = await review(hook.port, '/mutate', admissionReview(pod, { namespace: 'shop' }));
    assert.equal(r.allowed, true);
    assert.equal(r.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString('utf8')) as {
      path: string;
      value: string;
    }[];
    assert.deepEqual(
      patch.map((p) => [p.path, p.value]),
      [0, 1].map((i) => [`/spec/containers/${i}/image`, `${registry.host}/acme/app:1.0@${goodDigest}`]),
    );
  });

  test('bad requests get an HTTP error (the API server then applies failurePolicy)', async () => {
    const res = await call(hook.port, 'POST', '/validate', {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
    });
    assert.equal(res.status, 400);
    assert.equal(res.json().code, 'ADMISSION_REVIEW_INVALID');
    assert.equal((await call(hook.port, 'GET', '/validate')).status, 404);
  });

  test('plain HTTP gets no HTTP answer at all', async () => {
    const answer = await new Promise<string>((resolve) => {
      const s = connect(hook.port, '127.0.0.1', () => {
        s.write('POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      });
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
      });
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.setTimeout(5000, () => s.destroy());
    });
    assert.doesNotMatch(answer, /HTTP\/1\./);
  });

  test('/healthz, /readyz and /metrics answer; decisions are logged as JSON and appended to the store', async () => {
    assert.equal((await call(hook.port, 'GET', '/healthz')).status, 200);
    assert.equal((await call(hook.port, 'GET', '/readyz')).status, 200);
    const metrics = (await call(hook.port, 'GET', '/metrics')).text;
    assert.match(metrics, /customs_admission_requests_total\{endpoint="validate",allowed="false"\} [1-9]/);
    assert.match(metrics, /customs_admission_duration_seconds_bucket/);
    const decision = hook.lines.find((l) => l.msg === 'admission decision' && l.kind === 'CronJob');
    assert.ok(decision, 'one JSON line per decision');
    assert.equal(decision.allowed, false);
    assert.equal(decision.type, 'admission.decision');
    let events: { type: string }[] = [];
    for (let i = 0; i < 50 && events.length === 0; i++) {
      events = (await store.events.list({ type: 'admission.decision' })) as { type: string }[];
      if (events.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(events.length > 0, 'decision events in the store');
  });

  test('the config file is reloaded when it changes; a bad one leaves the rules as they were', async () => {
    const config = join(work, 'admission.yaml');
    const waitFor = async (msg: string): Promise<void> => {
      for (let i = 0; i < 100 && !hook.lines.some((l) => l.msg === msg); i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        hook.lines.some((l) => l.msg === msg),
        `log line "${msg}"`,
      );
    };
    const deployment = admissionReview(await kubectlObject(['create', 'deployment', 'web', '--image=nginx:1.25']), {
      namespace: 'dev',
    });
    writeFileSync(config, 'rules: [{name: broken, mode: sometimes}]\n');
    await waitFor('admission config not reloaded: the previous rules stay');
    assert.equal((await review(hook.port, '/validate', deployment)).allowed, true);
    writeFileSync(config, 'rules:\n  - {name: everywhere, mode: enforce, registries: [ghcr.io/acme]}\n');
    await waitFor('admission config reloaded');
    const r = await review(hook.port, '/validate', deployment);
    assert.equal(r.allowed, false);
    assert.match(r.status?.message ?? '', /\[everywhere\] CUS-K8S-034/);
  });

  test('a second webhook on the same address exits 3 with SERVER_LISTEN_FAILED naming it, not an internal error', async () => {
    const second = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'customs.js'),
        'admit',
        '--listen',
        `127.0.0.1:${hook.port}`,
        '--tls-cert',
        certFile,
        '--tls-key',
        keyFile,
        '--config',
        join(work, 'admission.yaml'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CUSTOMS_DB_DIR: join(work, 'db') } },
    );
    let stderr = '';
    second.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise((r) => second.on('exit', r));
    assert.equal(code, 3, stderr);
    assert.match(stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${hook.port}: .*EADDRINUSE`));
    assert.match(stderr, /SERVER_LISTEN_FAILED/);
    assert.doesNotMatch(stderr, /bug in customs/);
  });

  test('SIGTERM: the server stops and the process exits 0', async () => {
    hook.child.kill('SIGTERM');
    assert.equal(await hook.exited, 0);
    assert.ok(hook.lines.some((l) => l.msg === 'customs admit stopped'));
  });
});

test('customs admit refuses to start without a certificate and key', async () => {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'customs.js'), 'admit', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 2);
  assert.match(stderr, /ADMISSION_TLS_MISSING/);
});
