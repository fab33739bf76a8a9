import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../core/index.js';
import { registryLister } from '../../image/index.js';
import { startRegistry, type TestRegistry } from '../../image/test-support/test-registry.js';
import { openStore, parseSecretKey, type Store } from '../../store/index.js';
import { dbVersionAt, JOB_KINDS } from '../jobs.js';
import { discoverRegistry } from '../registry/index.js';
import { startWorkerPool } from './pool.js';
import { buildTestDb, keptLog, lodashImage, pushImage, serverContext, until } from './test-support/fixtures.js';

let root: string;
let reg: TestRegistry;
let store: Store;
let dbFile: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'customs-worker-creds-'));
  reg = await startRegistry({ auth: 'token' });
  store = await openStore(join(root, 'store'), { secretKey: parseSecretKey(randomBytes(32).toString('hex')) });
  dbFile = await buildTestDb(join(root, 'db'));
});
after(async () => {
  await store?.close();
  await reg?.stop();
  rmSync(root, { recursive: true, force: true });
});

test("discovery and scans use the registry's stored credentials, and never log them", async () => {
  const { digests } = await pushImage(reg, 'private/app:1', [lodashImage('4.17.15')]);
  const log = keptLog();
  const ctx = { ...serverContext(store, root, dbFile), log };
  const anonymous = await store.registries.add({ name: 'anon', url: `http://${reg.host}` });
  await assert.rejects(discoverRegistry(ctx, anonymous, { signal: ctx.signal, dbVersion: dbVersionAt(dbFile) }), {
    code: 'REGISTRY_AUTH_FAILED',
  });

  const password = reg.password ?? '';
  const r = await store.registries.add({
    name: 'private',
    url: `http://${reg.host}`,
    credentials: { username: reg.username ?? '', password },
  });
  const found = await discoverRegistry(ctx, r, { signal: ctx.signal, dbVersion: dbVersionAt(dbFile) });
  assert.deepEqual(found.errors, []);
  assert.equal(found.queued, 1);
  const pool = startWorkerPool(ctx, { pollMs: 20 });
  try {
    await until('the scan of the private image', async () =>
      (await store.scans.latest(digests[0] ?? '')) ? true : undefined,
    );
  } finally {
    await pool.stop();
  }
  assert.ok(reg.tokenRequests.some((t) => t.authorization?.startsWith('Basic ')));
  assert.ok(!JSON.stringify(log.lines).includes(password), 'the password is never logged');
});

test("a Harbor scan request's job pulls with Harbor's authorization, records the scan for its report, then drops it", async () => {
  const { digests } = await pushImage(reg, 'harbor/app:1', [lodashImage('4.17.12')]);
  const digest = digests[0] ?? '';
  const ctx = serverContext(store, root, dbFile);
  const id = 'harbor-req-1';
  const basic = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
  await store.harborScans.add({
    id,
    registryUrl: `http://${reg.host}`,
    repository: 'harbor/app',
    digest,
    authorization: `Basic ${basic}`,
  });
  const { job } = await store.jobs.enqueue({
    kind: JOB_KINDS.scan,
    idempotencyKey: `scan|harbor:${id}`,
    payload: { source: 'harbor', harborScanId: id, image: `registry:${reg.host}/harbor/app@${digest}`, digest },
    priority: 10,
  });
  await store.harborScans.setJob(id, job.id);
  const pool = startWorkerPool(ctx, { pollMs: 20 });
  try {
    await until('the Harbor scan', async () => {
      const j = await store.jobs.get(job.id);
      if (j?.state === 'queued' && j.lastError) throw new Error(j.lastError);
      return j?.state === 'succeeded' ? true : undefined;
    });
  } finally {
    await pool.stop();
  }
  assert.equal((await store.scans.latest(digest))?.jobId, job.id);
  assert.equal(await store.harborScans.authorization(id), undefined);
});

test('credentials given in the Context go to their own host only', async () => {
  const list = async (host: string) => {
    const lister = registryLister(
      reg.host,
      createContext({ config: { registryAuth: { host, username: reg.username ?? '', password: reg.password ?? '' } } }),
    );
    try {
      const names: string[] = [];
      for await (const n of lister.repositories()) names.push(n);
      return names;
    } finally {
      await lister.close();
    }
  };
  assert.ok((await list(reg.host)).includes('private/app'));
  await assert.rejects(list('registry.other.example'), { code: 'REGISTRY_AUTH_FAILED' });
});
