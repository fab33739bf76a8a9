/**
 * `customs admit` with a `trust: true` rule, end to end: the webhook verifies
 * each image against the trust policy through src/sign (openPolicyVerifier),
 * against a real docker-registry on loopback. A Pod whose image customs signed
 * with the trusted key is allowed; an unsigned one, or one signed with another
 * key, is denied with the verifier's reason. AdmissionReviews are built around
 * `kubectl run --dry-run=client -o json` objects, as the other admission tests do.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { webhookCertificates } from '../../src/admission/index.js';
import { admissionReview, podOf } from '../../src/admission/test-support/kubectl.js';
import { writeOciLayout } from '../../src/image/test-support/image-fixtures.js';
import { REPO_ROOT, runCustoms } from '../support/images.js';
import { pushLayout, startRegistry, type TestRegistry } from '../support/registry.js';

const work = mkdtempSync(join(tmpdir(), 'customs-admit-trust-'));
const env = { COSIGN_PASSWORD: 'admit', CUSTOMS_CACHE_DIR: join(work, 'cache') };
let registry: TestRegistry;
let hook: { port: number; child: ChildProcess } | undefined;
let ca = '';
const agent = new Agent({ keepAlive: true, maxSockets: 2 });

function startWebhook(args: readonly string[]): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'customs.js'), 'admit', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let buf = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = JSON.parse(buf.slice(0, nl)) as { msg?: string; address?: string };
        buf = buf.slice(nl + 1);
        if (line.msg === 'customs admit listening')
          resolve({ port: Number(String(line.address).split(':').pop()), child });
      }
    });
    child.on('exit', (code) => reject(new Error(`customs admit exited ${code}: ${stderr}`)));
  });
}

function validate(port: number, body: unknown): Promise<{ allowed: boolean; status?: { message: string } }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/validate',
        ca,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { response: never }).response),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function image(name: string, marker: string): Promise<void> {
  const dir = join(work, marker);
  writeOciLayout(dir, [{ image: { layers: [{ files: [{ path: 'app/marker', data: marker }] }] } }]);
  return pushLayout(registry, dir, name);
}

before(async () => {
  registry = await startRegistry();
  const certs = await webhookCertificates(['localhost'], { ips: ['127.0.0.1'] });
  ca = certs.caPem;
  writeFileSync(join(work, 'tls.crt'), certs.certPem);
  writeFileSync(join(work, 'tls.key'), certs.keyPem);
  for (const prefix of ['trusted', 'other']) {
    const r = await runCustoms(['sign', 'generate-key-pair', '--output-key-prefix', join(work, prefix)], env);
    assert.equal(r.code, 0, r.stderr);
  }
  await image('shop/signed:1', 'signed');
  await image('shop/unsigned:1', 'unsigned');
  await image('shop/other:1', 'other');
  for (const [name, key] of [
    ['shop/signed:1', 'trusted.key'],
    ['shop/other:1', 'other.key'],
  ] as const) {
    const r = await runCustoms(['sign', `${registry.host}/${name}`, '--key', join(work, key)], env);
    assert.equal(r.code, 0, r.stderr);
  }
  writeFileSync(
    join(work, 'trust.yaml'),
    `version: 1\nrules:\n  - name: shop\n    images: ["${registry.host}/shop/**"]\n    signatures: {keys: [trusted.pub]}\n`,
  );
  writeFileSync(
    join(work, 'admission.yaml'),
    `apiVersion: customs.dev/v1
kind: AdmissionConfig
failurePolicy: Fail
timeoutSeconds: 30
trustPolicy: ${join(work, 'trust.yaml')}
rules:
  - {name: signed-only, mode: enforce, trust: true}
`,
  );
  hook = await startWebhook([
    '--listen',
    // Port 0: the webhook says which port it got (a port picked free beforehand was once
    // taken by another test before the webhook bound it: EADDRINUSE).
    '127.0.0.1:0',
    '--tls-cert',
    join(work, 'tls.crt'),
    '--tls-key',
    join(work, 'tls.key'),
    '--config',
    join(work, 'admission.yaml'),
    '--quiet',
  ]);
});

after(async () => {
  agent.destroy();
  hook?.child.kill('SIGTERM');
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a trust rule admits the image signed with the trusted key and denies the unsigned and the wrongly signed, with the reason', async () => {
  assert.ok(hook);
  const allowed = await validate(hook.port, admissionReview(await podOf(1, `${registry.host}/shop/signed:1`)));
  assert.equal(allowed.allowed, true, JSON.stringify(allowed));
  const unsigned = await validate(hook.port, admissionReview(await podOf(1, `${registry.host}/shop/unsigned:1`)));
  assert.equal(unsigned.allowed, false);
  assert.match(unsigned.status?.message ?? '', /unverified/);
  assert.match(unsigned.status?.message ?? '', /no signatures found/);
  const other = await validate(hook.port, admissionReview(await podOf(1, `${registry.host}/shop/other:1`)));
  assert.equal(other.allowed, false);
  assert.match(other.status?.message ?? '', /0 of the 1 required trusted signer/);
});
