/**
 * The flow Harbor performs against a registered scanner — metadata, scan
 * request, polling, report — with the artifact in a real docker-registry
 * (htpasswd auth, the credentials passed as Harbor passes them), the scan
 * job run here by the engine in place of a worker, and every response
 * checked against the spec's schemas.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { writeOciLayout } from '../../image/test-support/image-fixtures.js';
import { pushLayout, startRegistry, type TestRegistry } from '../../image/test-support/test-registry.js';
import { advisory, fixedIn } from '../../match/test-support/matcher-tester.js';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { DbWriter } from '../../vulndb/index.js';
import { buildApp } from '../http/app.js';
import { type memoryLog, testContext } from '../notify/test-support/receiver.js';
import { startWorkerPool } from '../worker/index.js';
import { HARBOR_MIME } from './mime.js';
import { REFRESH_AFTER_SECONDS } from './routes.js';
import { loadSpec, type SpecChecker } from './test-support/spec.js';

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const dpkgStatus = (pkgs: readonly { name: string; version: string; source?: string }[]) =>
  pkgs
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${p.version}\n${p.source ? `Source: ${p.source}\n` : ''}Description: ${p.name}\n`,
    )
    .join('\n');

const BUILT_AT = new Date('2026-06-01T00:00:00Z');

/** A real vulnerability DB file with two advisories and NVD's rating of one. */
function writeDb(path: string): void {
  const writer = new DbWriter(path);
  const src = writer.source('test', 'file:///test', BUILT_AT.toISOString());
  src.advisory(
    advisory({
      id: 'CVE-2026-0001',
      summary: 'heap overflow in the TLS record layer',
      affected: [fixedIn('Debian:12', 'openssl', '3.0.13-1~deb12u1')],
    }),
  );
  src.advisory(advisory({ id: 'CVE-2026-0002', affected: [fixedIn('Debian:12', 'zlib', '1:1.2.13.dfsg-2')] }));
  src.enrichment({
    cve: 'CVE-2026-0001',
    nvd: {
      severity: [
        {
          source: 'nvd',
          severity: 'critical',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          score: 9.8,
          cvssVersion: '3.1',
        },
      ],
    },
  });
  src.finish();
  writer.finish(BUILT_AT);
}

let dir: string;
let reg: TestRegistry;
let store: Store;
let ctx: ReturnType<typeof testContext>;
let app: FastifyInstance;
let spec: SpecChecker;
let ci: string;
let viewer: string;
let digest: string;
let dbPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'customs-harbor-'));
  spec = loadSpec();
  const layout = join(dir, 'layout');
  const built = writeOciLayout(layout, [
    {
      refName: 'app',
      image: {
        layers: [
          {
            files: [
              { path: 'etc/os-release', data: OS_RELEASE },
              {
                path: 'var/lib/dpkg/status',
                data: dpkgStatus([
                  { name: 'libssl3', version: '3.0.9-1', source: 'openssl' },
                  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' },
                  { name: 'bash', version: '5.2.15-2+b2' },
                ]),
              },
            ],
          },
        ],
      },
    },
  ]);
  digest = built.images[0]?.manifestDigest ?? '';
  reg = await startRegistry({ auth: 'htpasswd' });
  await pushLayout(reg, layout, 'library/app:1.0');
  // Quick retries, so a scan that cannot pull fails for good within the test.
  store = await openStore(join(dir, 'data'), {
    secretKey: parseSecretKey(randomBytes(32)),
    queue: { backoffBaseMs: 50, maxAttempts: 2 },
  });
  dbPath = join(dir, 'customs.db');
  writeDb(dbPath);
  ctx = testContext(store, Date.now, { dbPath });
  app = await buildApp(ctx, { log: false });
  ci = (await store.tokens.issue({ name: 'harbor', role: 'ci', createdBy: 'test' })).token;
  viewer = (await store.tokens.issue({ name: 'eyes', role: 'viewer', createdBy: 'test' })).token;
});

after(async () => {
  await app?.close();
  await store?.close();
  ctx?.close();
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Run the server's worker pool until the request's report is no longer
 * pending, polling as Harbor does; the last answer.
 */
async function workUntilReported(id: string) {
  const pool = startWorkerPool(ctx, { dbPath, cacheDir: false, pollMs: 50 });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await app.inject({ method: 'GET', url: `/harbor/api/v1/scan/${id}/report`, headers: auth(ci) });
      if (res.statusCode !== 302 || Date.now() > deadline) return res;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await pool.stop();
  }
}

describe('Harbor pluggable scanner API', () => {
  test('metadata: scanner, capabilities (OCI and Docker manifests → Harbor report 1.0 and 1.1), properties', async () => {
    const res = await app.inject({ method: 'GET', url: '/harbor/api/v1/metadata', headers: auth(ci) });
    assert.equal(res.statusCode, 200, res.body);
    const body = spec.check('/metadata', 'get', res) as {
      scanner: { name: string };
      capabilities: { consumes_mime_types: string[]; produces_mime_types: string[] }[];
      properties: Record<string, string>;
    };
    assert.equal(body.scanner.name, 'customs');
    assert.deepEqual(body.capabilities[0]?.consumes_mime_types, [HARBOR_MIME.ociManifest, HARBOR_MIME.dockerManifest]);
    assert.deepEqual(body.capabilities[0]?.produces_mime_types, [HARBOR_MIME.reportV10, HARBOR_MIME.reportV11]);
    assert.equal(body.properties['harbor.scanner-adapter/scanner-type'], 'os-package-vulnerability');
    assert.equal(body.properties['harbor.scanner-adapter/vulnerability-database-updated-at'], BUILT_AT.toISOString());
    assert.equal(body.properties['org.customs/vulnerability-database-sources'], 'test');
  });

  test('a bearer token of role ci is required', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/harbor/api/v1/metadata' })).statusCode, 401);
    const res = await app.inject({ method: 'GET', url: '/harbor/api/v1/metadata', headers: auth(viewer) });
    assert.equal(res.statusCode, 403);
  });

  test('scan → 302 with Refresh-After while it runs → the report in Harbor format; the pull credentials are dropped', async () => {
    const basic = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
    const scanRes = await app.inject({
      method: 'POST',
      url: '/harbor/api/v1/scan',
      headers: { ...auth(ci), 'content-type': `${HARBOR_MIME.scanRequest}; version=1.0` },
      payload: JSON.stringify({
        registry: { url: `http://${reg.host}`, authorization: `Basic ${basic}` },
        artifact: { repository: 'library/app', digest, tag: '1.0', mime_type: HARBOR_MIME.ociManifest },
      }),
    });
    assert.equal(scanRes.statusCode, 202, scanRes.body);
    const { id } = spec.check('/scan', 'post', scanRes) as { id: string };
    assert.equal((await store.harborScans.get(id))?.hasAuthorization, true);

    const report = (accept: string) =>
      app.inject({ method: 'GET', url: `/harbor/api/v1/scan/${id}/report`, headers: { ...auth(ci), accept } });
    const pending = await report(HARBOR_MIME.reportV11);
    assert.equal(pending.statusCode, 302);
    spec.check('/scan/{scan_request_id}/report', 'get', pending);
    assert.equal(pending.headers['refresh-after'], String(REFRESH_AFTER_SECONDS));

    const done = await workUntilReported(id);
    const job = (await store.jobs.list())[0];
    assert.equal(job?.state, 'succeeded', job?.lastError);
    // The scan went through the worker's scan job: recorded, judged, announced.
    assert.ok((await store.events.list({ type: 'scan.finished' })).some((e) => e.subject === digest));
    assert.equal(done.statusCode, 200, done.body);
    const r = spec.check('/scan/{scan_request_id}/report', 'get', done) as {
      artifact: { repository: string; digest: string; tag: string };
      scanner: { name: string };
      severity: string;
      generated_at: string;
      vulnerabilities: {
        id: string;
        package: string;
        version: string;
        fix_version?: string;
        severity: string;
        description: string;
        links: string[];
        preferred_cvss?: { score_v3?: number; vector_v3?: string };
      }[];
    };
    assert.deepEqual(r.artifact, { repository: 'library/app', digest, tag: '1.0', mime_type: HARBOR_MIME.ociManifest });
    assert.equal(r.scanner.name, 'customs');
    assert.equal(r.severity, 'Critical');
    const byId = new Map(r.vulnerabilities.map((v) => [v.id, v]));
    assert.deepEqual([...byId.keys()].sort(), ['CVE-2026-0001', 'CVE-2026-0002']);
    const crit = byId.get('CVE-2026-0001');
    assert.deepEqual(
      [crit?.package, crit?.version, crit?.fix_version, crit?.severity, crit?.description],
      ['libssl3', '3.0.9-1', '3.0.13-1~deb12u1', 'Critical', 'heap overflow in the TLS record layer'],
    );
    assert.deepEqual(crit?.preferred_cvss, {
      score_v3: 9.8,
      vector_v3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    });
    assert.ok((crit?.links.length ?? 0) > 0);
    assert.equal(byId.get('CVE-2026-0002')?.severity, 'Unknown');

    // The same report under the 1.0 type; the scanner's own JSON as raw.
    const v10 = await report(HARBOR_MIME.reportV10);
    assert.equal(v10.statusCode, 200);
    assert.deepEqual(spec.check('/scan/{scan_request_id}/report', 'get', v10), r);
    const raw = await report(HARBOR_MIME.reportRaw);
    assert.equal(raw.statusCode, 200);
    assert.equal((JSON.parse(raw.body) as { schemaVersion: number }).schemaVersion, 1);
    assert.equal((await report('text/html')).statusCode, 406);

    // The credentials were used for this job only: dropped, and never written in clear anywhere.
    assert.equal((await store.harborScans.get(id))?.hasAuthorization, false);
    assert.equal(await store.harborScans.authorization(id), undefined);
    const everything = JSON.stringify([
      await store.jobs.list(),
      await store.audit.list(),
      await store.events.list(),
      (ctx.log as ReturnType<typeof memoryLog>).lines,
    ]);
    assert.equal(everything.includes(basic), false);
    assert.equal(everything.includes(reg.password ?? '\u0000'), false);
  });

  test('without the pull credentials the scan fails and the report says so with 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/harbor/api/v1/scan',
      headers: { ...auth(ci), 'content-type': 'application/json' },
      payload: { registry: { url: `http://${reg.host}` }, artifact: { repository: 'library/app', digest } },
    });
    assert.equal(res.statusCode, 202, res.body);
    const { id } = JSON.parse(res.body) as { id: string };
    const report = await workUntilReported(id);
    assert.equal(report.statusCode, 500, report.body);
    assert.match(report.body, /the scan failed: .*needs a login to pull library\/app/);
    spec.check('/scan/{scan_request_id}/report', 'get', report);
  });

  test('unknown ids are 404; bad requests are 400 (shape) and 422 (field)', async () => {
    const unknown = await app.inject({
      method: 'GET',
      url: '/harbor/api/v1/scan/00000000-0000-0000-0000-000000000000/report',
      headers: auth(ci),
    });
    assert.equal(unknown.statusCode, 404);
    const post = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/harbor/api/v1/scan',
        headers: { ...auth(ci), 'content-type': `${HARBOR_MIME.scanRequest}; version=1.0` },
        payload,
      });
    for (const [payload, status] of [
      ['{not json', 400],
      [JSON.stringify({ registry: { url: 5 }, artifact: { repository: 'a', digest } }), 400],
      [JSON.stringify({ artifact: { repository: 'a', digest } }), 400],
      [JSON.stringify({ registry: { url: 'ftp://x' }, artifact: { repository: 'a', digest } }), 422],
      [JSON.stringify({ registry: { url: 'http://x' }, artifact: { repository: 'a', digest: 'sha256:zz' } }), 422],
      [JSON.stringify({ registry: { url: 'http://x' }, artifact: { repository: '../etc', digest } }), 422],
    ] as const) {
      const res = await post(payload);
      assert.equal(res.statusCode, status, `${payload} → ${res.statusCode} ${res.body}`);
      spec.check('/scan', 'post', res);
    }
  });
});
