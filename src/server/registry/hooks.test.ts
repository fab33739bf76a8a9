import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startRegistry, type TestRegistry } from '../../image/test-support/test-registry.js';
import { openStore, type JobRecord, type Store } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { buildApp } from '../http/app.js';
import { buildTestDb, lodashImage, pushImage, serverContext, until } from '../worker/test-support/fixtures.js';
import { validateDocument } from '../test-support/openapi-check.js';
import { DISTRIBUTION_EVENTS_MEDIA_TYPE, PUSH_PRIORITY } from './hooks.js';

let root: string;
let store: Store;
let app: FastifyInstance;
let base: string;
let reg: TestRegistry;
let localId: number;
let harborId: number;
const secret = `registry-secret-${Math.random().toString(36).slice(2)}`;
const harborSecret = `harbor-secret-${Math.random().toString(36).slice(2)}`;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'customs-hooks-'));
  store = await openStore(join(root, 'store'));
  const db = await buildTestDb(join(root, 'db'));
  app = await buildApp(serverContext(store, root, db), { log: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  // The registry notifies the app on loopback, with the shared secret in a header.
  reg = await startRegistry({
    notify: { url: `${base}/api/v1/hooks/registry/local`, headers: { Authorization: [`Bearer ${secret}`] } },
  });
  localId = (
    await store.registries.add({
      name: 'local',
      url: `http://${reg.host}`,
      selection: { include: ['**'], exclude: ['harbor/**'] },
    })
  ).id;
  await store.hookSecrets.set(localId, secret);
  harborId = (await store.registries.add({ name: 'harbor', url: `http://${reg.host}` })).id;
  await store.hookSecrets.set(harborId, harborSecret);
});

after(async () => {
  await reg?.stop();
  await app?.close();
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

const scanJobFor = async (digest: string): Promise<JobRecord | undefined> =>
  (await store.jobs.list({ limit: 1000 })).find(
    (j) => j.kind === 'scan' && (j.payload as { digest?: string }).digest === digest,
  );

test('a push to docker-registry becomes a scan job (its notification, its shared secret)', async (t) => {
  const { digests } = await pushImage(reg, 'team/app:1', [lodashImage('4.17.15')]);
  const digest = digests[0] ?? '';
  const pushed = Date.now();
  const job = await until('the scan job of the push', () => scanJobFor(digest), 5000);
  const latency = Date.now() - pushed;
  // Reported, never asserted: a wall-clock bound fails on a loaded machine (timings belong to benchmarks).
  t.diagnostic(`push → scan job: ${latency} ms`);
  assert.equal(job.priority, PUSH_PRIORITY);
  assert.deepEqual(job.payload, { registryId: localId, repository: 'team/app', digest, tag: '1' });
  const repo = (await store.images.repositories(localId)).find((r) => r.name === 'team/app');
  assert.ok(repo);
  assert.deepEqual(
    (await store.images.tags(repo.id)).map((t) => [t.tag, t.digest]),
    [['1', digest]],
  );
  assert.ok(
    (await store.events.list({ type: EVENT_TYPES.pushReceived })).some((e) => e.subject === 'local/team/app:1'),
  );
  const last = (await store.registryStatus.get(localId))?.lastPush;
  assert.deepEqual([last?.repository, last?.tag, last?.digest], ['team/app', '1', digest]);
});

test('a multi-platform push is resolved to the configured platform (linux/amd64); the tag points at the index', async () => {
  const pushed = await pushImage(reg, 'team/multi:2', [
    lodashImage('4.17.15'),
    lodashImage('4.17.20', { architecture: 'arm64' }),
  ]);
  const [amd64, arm64] = pushed.digests;
  // The notification of the index is handled once its push event is recorded (after its jobs are
  // queued). Waiting for the amd64 job alone is not enough: the first test pushed the same amd64
  // image, so its job exists before this push's notification arrives (jobs are one per digest).
  await until(
    'the notification of team/multi:2',
    async () =>
      (await store.events.list({ type: EVENT_TYPES.pushReceived })).find((e) => e.subject === 'local/team/multi:2'),
    5000,
  );
  assert.ok(await scanJobFor(amd64 ?? ''), 'the amd64 image is queued');
  assert.equal(await scanJobFor(arm64 ?? ''), undefined);
  const repo = (await store.images.repositories(localId)).find((r) => r.name === 'team/multi');
  assert.ok(repo);
  assert.deepEqual(
    (await store.images.tags(repo.id)).map((t) => t.digest),
    [pushed.indexDigest],
  );
});

test('the hook refuses a wrong or missing secret and an unknown registry alike, and ignores pulls', async () => {
  const envelope = (action: string, digest: string) =>
    JSON.stringify({
      events: [
        {
          id: 'x',
          action,
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, repository: 'team/app', tag: '1' },
        },
      ],
    });
  const post = (path: string, body: string, auth?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': DISTRIBUTION_EVENTS_MEDIA_TYPE, ...(auth ? { authorization: auth } : {}) },
      body,
    });
  const d = `sha256:${'a'.repeat(64)}`;
  for (const [path, auth] of [
    ['/api/v1/hooks/registry/local', 'Bearer wrong-secret-wrong-secret'],
    ['/api/v1/hooks/registry/local', undefined],
    ['/api/v1/hooks/registry/local', `Bearer ${harborSecret}`],
    ['/api/v1/hooks/registry/nope', `Bearer ${secret}`],
  ] as const) {
    const res = await post(path, envelope('push', d), auth);
    assert.equal(res.status, 401, `${path} ${auth}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'API_UNAUTHENTICATED');
  }
  const pushesBefore = (await store.events.list({ type: EVENT_TYPES.pushReceived })).length;
  const res = await post('/api/v1/hooks/registry/local', envelope('pull', d), `Bearer ${secret}`);
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { queued: 0, existing: 0, ignored: 1 });
  assert.equal((await store.events.list({ type: EVENT_TYPES.pushReceived })).length, pushesBefore);
  assert.equal(await scanJobFor(d), undefined);
});

test("Harbor's PUSH_ARTIFACT webhook queues a scan of the artifact", async () => {
  // harbor/** is outside the "local" registry's selection: only the Harbor hook queues it.
  const { digests } = await pushImage(reg, 'harbor/app:3', [lodashImage('4.17.10')]);
  const digest = digests[0] ?? '';
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await scanJobFor(digest), undefined);
  const payload = {
    type: 'PUSH_ARTIFACT',
    occur_at: Math.floor(Date.now() / 1000),
    operator: 'admin',
    event_data: {
      resources: [{ digest, tag: '3', resource_url: `${reg.host}/harbor/app:3` }],
      repository: { name: 'app', namespace: 'harbor', repo_full_name: 'harbor/app', repo_type: 'private' },
    },
  };
  const res = await fetch(`${base}/api/v1/hooks/harbor/harbor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: harborSecret },
    body: JSON.stringify(payload),
  });
  assert.equal(res.status, 202, await res.clone().text());
  assert.deepEqual(await res.json(), { queued: 1, existing: 0, ignored: 0 });
  const job = await scanJobFor(digest);
  assert.deepEqual(job?.payload, { registryId: harborId, repository: 'harbor/app', digest, tag: '3' });
  // Another event type is ignored.
  const other = await fetch(`${base}/api/v1/hooks/harbor/harbor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: harborSecret },
    body: JSON.stringify({ ...payload, type: 'PULL_ARTIFACT' }),
  });
  assert.deepEqual(await other.json(), { queued: 0, existing: 0, ignored: 1 });
});

test('the hook routes are in the OpenAPI document, which stays valid OpenAPI 3.1', async () => {
  const res = await fetch(`${base}/api/openapi.json`);
  const doc = (await res.json()) as { paths: Record<string, unknown> };
  assert.ok(doc.paths['/api/v1/hooks/registry/{name}']);
  assert.ok(doc.paths['/api/v1/hooks/harbor/{name}']);
  await validateDocument(doc);
});

test('an admin sets a hook secret (shown once) and queues a discovery through the API', async () => {
  const admin = (await store.tokens.issue({ name: 'admin', role: 'admin', createdBy: 'test' })).token;
  const viewer = (await store.tokens.issue({ name: 'viewer', role: 'viewer', createdBy: 'test' })).token;
  const put = (auth: string | undefined, body: unknown) =>
    fetch(`${base}/api/v1/registries/${harborId}/hook-secret`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body),
    });
  assert.equal((await put(undefined, {})).status, 401);
  assert.equal((await put(viewer, {})).status, 403);
  const res = await put(admin, {});
  assert.equal(res.status, 200);
  const out = (await res.json()) as { secret: string; harbor: string };
  assert.equal(out.harbor, '/api/v1/hooks/harbor/harbor');
  assert.equal(await store.hookSecrets.verify(harborId, out.secret), true);
  assert.equal(await store.hookSecrets.verify(harborId, harborSecret), false);
  await store.hookSecrets.set(harborId, harborSecret);
  const d = await fetch(`${base}/api/v1/registries/${localId}/discover`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
  });
  assert.equal(d.status, 202);
  const { jobId } = (await d.json()) as { jobId: number };
  const job = await store.jobs.get(jobId);
  assert.deepEqual([job?.kind, job?.payload], ['discover', { registryId: localId }]);
  const missing = await fetch(`${base}/api/v1/registries/9999/discover`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
  });
  assert.equal(missing.status, 404);
});
