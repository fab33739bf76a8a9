/**
 * `customs serve` and `customs gate --server` end to end, as real processes:
 *   - first start: the admin token printed once and written 0600, the secret key file 0600,
 *     a second start of the same data directory issues nothing; `--help` quick start;
 *   - JSON logs on stdout never hold the tokens or registry credentials sent to it;
 *   - `customs gate SCAN.json --server URL --token T` exits by the server's verdict (its
 *     central policy and approved exceptions) and records the image; the offline fallback;
 *   - TLS from certificate files (openssl makes a throwaway self-signed pair);
 *   - two replicas on one PostgreSQL serve consistent data; SIGTERM stops each with status 0.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { scanFixture } from '../../src/policy/test-support/scan-fixture.js';
import { renderScanJson } from '../../src/report/index.js';
import { freshDir, runCustoms } from '../support/images.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { api, type ServeProcess, startServe } from '../support/serve-process.js';

const POLICY = [
  'apiVersion: customs/v1',
  'kind: Policy',
  'rules:',
  '  - id: no-critical',
  '    action: fail',
  '    message: No critical vulnerabilities.',
  '    vulnerabilities: { minSeverity: critical }',
].join('\n');

let work = '';
const running: ServeProcess[] = [];
before(async () => {
  work = await freshDir('serve-e2e');
});
after(async () => {
  for (const s of running) await s.stop();
});

const serve = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
  const s = await startServe(args, env);
  running.push(s);
  return s;
};

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('serve --help shows a three-line quick start', async () => {
  const r = await runCustoms(['serve', '--help']);
  assert.equal(r.code, 0);
  const quick = r.stdout.split('Quick start:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
  assert.equal(quick.length, 3, r.stdout);
  assert.match(quick[0] ?? '', /customs serve/);
  assert.match(quick[2] ?? '', /customs gate .*--server/);
});

test('first start prints and writes the admin token once; logs keep secrets out; gate --server exits by the server verdict', async () => {
  const dir = join(work, 'data');
  const s = await serve(['--listen', '127.0.0.1:0', '--data-dir', dir]);
  assert.ok(s.adminToken, s.stderr());
  const admin = s.adminToken;
  assert.equal(readFileSync(join(dir, 'admin.token'), 'utf8').trim(), admin);
  assert.equal(statSync(join(dir, 'admin.token')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
  assert.equal(s.stderr().split(admin).length - 1, 1, 'printed once');

  const password = `registry-pw-${process.pid}`;
  const reg = await api(s.url, admin, 'POST', '/api/v1/registries', {
    name: 'hub',
    url: 'https://hub.example',
    credentials: { username: 'bot', password },
  });
  assert.equal(reg.status, 201);
  assert.equal((await api(s.url, admin, 'PUT', '/api/v1/policies/org', { body: POLICY })).status, 200);
  const ci = (await api(s.url, admin, 'POST', '/api/v1/tokens', { name: 'pipeline', role: 'ci' })).body as {
    token: string;
  };

  const scanFile = join(work, 'scan.json');
  await writeFile(scanFile, renderScanJson(scanFixture()));
  const gate = (extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    runCustoms(['gate', scanFile, '--server', s.url, ...extra], { CUSTOMS_TOKEN: ci.token, ...env });
  const failed = await gate();
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stdout, /no-critical/);
  const digest = scanFixture().inventory.target.manifestDigest ?? '';
  const image = await api(s.url, admin, 'GET', `/api/v1/images/${digest}`);
  assert.equal(image.body.verdict, 'fail', 'recorded in the inventory');

  for (const finding of ['CVE-2023-38545', 'CVE-2021-44228', 'CVE-2021-45046']) {
    const ex = await api(s.url, ci.token, 'POST', '/api/v1/exceptions', {
      finding,
      scope: '*',
      owner: 'team-app',
      reason: 'mitigated',
      expires: '2099-12-31',
    });
    assert.equal((await api(s.url, admin, 'POST', `/api/v1/exceptions/${String(ex.body.id)}/approve`)).status, 200);
  }
  const passed = await gate(['-f', 'json']);
  assert.equal(passed.code, 0, passed.stderr);
  assert.equal((JSON.parse(passed.stdout) as { verdict: { status: string } }).verdict.status, 'pass');

  // A wrong token is the server's answer, not an outage: no fallback.
  const denied = await gate(['--offline', 'judge'], { CUSTOMS_TOKEN: 'cst_wrong' });
  assert.equal(denied.code, 3);
  assert.match(denied.stderr, /API_UNAUTHENTICATED/);

  // Offline: fail (the default), or judge here with the local flags.
  const down = `http://127.0.0.1:${String(await closedPort())}`;
  const offlineFail = await runCustoms(['gate', scanFile, '--server', down], { CUSTOMS_TOKEN: ci.token });
  assert.equal(offlineFail.code, 3);
  assert.match(offlineFail.stderr, /SERVER_UNREACHABLE/);
  const offlineJudge = await runCustoms(
    ['gate', scanFile, '--server', down, '--offline', 'judge', '--fail-on', 'critical'],
    {
      CUSTOMS_TOKEN: ci.token,
    },
  );
  assert.equal(offlineJudge.code, 1, offlineJudge.stderr);
  assert.match(offlineJudge.stderr, /judging here with the local flags/);
  const noToken = await runCustoms(['gate', scanFile, '--server', s.url], { CUSTOMS_TOKEN: '' });
  assert.equal(noToken.code, 2);

  // Nothing secret in the JSON logs: not the tokens used, not the registry password.
  const logs = s.stdout();
  assert.ok(logs.includes('"msg":"request completed"'), 'requests are logged');
  for (const line of logs.trim().split('\n')) JSON.parse(line);
  for (const secret of [admin, ci.token, password]) assert.ok(!logs.includes(secret), 'a secret reached the logs');

  assert.equal(await s.stop(), 0);
  assert.match(s.stderr(), /stopped/);
  // A second start of the same data directory issues no token.
  const again = await serve(['--listen', '127.0.0.1:0', '--data-dir', dir]);
  assert.equal(again.adminToken, undefined);
  assert.equal((await api(again.url, admin, 'GET', '/api/v1/tokens')).status, 200);
  assert.equal(await again.stop(), 0);
});

test('TLS from certificate files; half a pair is a usage error', async () => {
  const dir = join(work, 'tls');
  const cert = join(work, 'tls.crt');
  const key = join(work, 'tls.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const half = await runCustoms(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--tls-cert', cert]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /both --tls-cert and --tls-key/);
  const s = await serve(['--listen', '127.0.0.1:0', '--data-dir', dir, '--tls-cert', cert, '--tls-key', key]);
  assert.match(s.url, /^https:\/\//);
  const dispatcher = new Agent({ connect: { ca: readFileSync(cert) } });
  const res = await undiciFetch(`${s.url}/healthz`, { dispatcher });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
  await dispatcher.close();
  await assert.rejects(fetch(`${s.url.replace('https', 'http')}/healthz`));
  assert.equal(await s.stop(), 0);
});

test('two serve replicas on one PostgreSQL serve consistent data', async (t) => {
  let pg: TestPostgres | undefined = await startPostgres();
  t.after(async () => {
    await pg?.stop();
    pg = undefined;
  });
  const url = await pg.createDatabase();
  const env = { CUSTOMS_SECRET_KEY: 'b'.repeat(64) };
  const a = await serve(['--listen', '127.0.0.1:0', '--data-dir', join(work, 'ra'), '--store', url], env);
  const b = await serve(['--listen', '127.0.0.1:0', '--data-dir', join(work, 'rb'), '--store', url], env);
  assert.ok(a.adminToken);
  assert.equal(b.adminToken, undefined, 'the store already has an admin token');
  const admin = a.adminToken;
  for (const r of [a, b]) {
    const ready = await fetch(`${r.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { store: { dialect: string } }).store.dialect, 'postgres');
  }
  // Written through one replica, read through the other.
  const reg = await api(a.url, admin, 'POST', '/api/v1/registries', {
    name: 'hub',
    url: 'https://hub.example',
    credentials: { username: 'u', password: 'p' },
  });
  const seen = await api(b.url, admin, 'GET', `/api/v1/registries/${String(reg.body.id)}`);
  assert.deepEqual(seen.body, reg.body);
  assert.equal((await api(b.url, admin, 'PUT', '/api/v1/policies/org', { body: POLICY })).status, 200);
  const ci = (await api(a.url, admin, 'POST', '/api/v1/tokens', { name: 'ci', role: 'ci' })).body as {
    token: string;
    record: { id: number };
  };
  const scan = JSON.parse(renderScanJson(scanFixture())) as Record<string, unknown>;
  const verdicts = await Promise.all(
    [a, b, a, b].map((r) => api(r.url, ci.token, 'POST', '/api/v1/verdicts', { scan })),
  );
  assert.deepEqual(
    verdicts.map((v) => [v.status, v.body.status]),
    Array(4).fill([200, 'fail']),
  );
  const digest = scanFixture().inventory.target.manifestDigest ?? '';
  const fromA = await api(a.url, admin, 'GET', `/api/v1/images/${digest}/verdicts`);
  const fromB = await api(b.url, admin, 'GET', `/api/v1/images/${digest}/verdicts`);
  assert.equal((fromA.body.items as unknown[]).length, 4);
  assert.deepEqual(fromA.body, fromB.body);
  // A token revoked on one replica is refused by the other.
  assert.equal((await api(b.url, admin, 'DELETE', `/api/v1/tokens/${String(ci.record.id)}`)).status, 204);
  assert.equal((await api(a.url, ci.token, 'GET', '/api/v1/images')).status, 401);
  // One audit log: both replicas' changes, in order.
  const audit = await api(b.url, admin, 'GET', '/api/v1/audit');
  const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
  assert.deepEqual(actions.slice(0, 3), [
    'POST /api/v1/registries',
    'PUT /api/v1/policies/:name',
    'POST /api/v1/tokens',
  ]);
  assert.equal(actions.filter((x) => x === 'POST /api/v1/verdicts').length, 4);
  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});
