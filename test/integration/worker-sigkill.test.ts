/**
 * A `customs worker` killed with SIGKILL in the middle of a scan loses nothing:
 * real child processes, a real PostgreSQL, a real docker-registry. A proxy in
 * front of the registry holds the image's blob requests, so the first worker
 * is provably mid-scan (it has the manifest, not the layers) when it is killed;
 * a second worker takes the job after the lease expires and the result is
 * stored once.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EVENT_TYPES, enqueueScan, dbVersionAt } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { buildTestDb, lodashImage, pushImage, until } from '../../src/server/worker/test-support/fixtures.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { REPO_ROOT } from '../support/images.js';

let pg: TestPostgres;
let reg: TestRegistry;
let root: string;
let proxy: Server;
let proxyPort = 0;
const held: (() => void)[] = [];
let holdBlobs = true;
let blobRequests = 0;
const children: ChildProcess[] = [];

/** Forwards to the registry; while `holdBlobs`, blob requests wait. */
function startProxy(target: string): Promise<void> {
  proxy = createServer((req, res) => {
    const forward = (): void => {
      const up = request(
        `http://${target}${req.url ?? '/'}`,
        { method: req.method, headers: { ...req.headers, host: target } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (req.url?.includes('/blobs/')) {
      blobRequests++;
      if (holdBlobs) {
        held.push(forward);
        return;
      }
    }
    forward();
  });
  return new Promise((r) =>
    proxy.listen(0, '127.0.0.1', () => {
      const a = proxy.address();
      proxyPort = typeof a === 'object' && a ? a.port : 0;
      r();
    }),
  );
}

function startWorker(storeUrl: string, dbFile: string, name: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'customs.js'),
      'worker',
      '--store',
      storeUrl,
      '--db',
      dbFile,
      '--lease',
      '2',
      '--name',
      name,
    ],
    {
      env: {
        ...process.env,
        CUSTOMS_CACHE_DIR: join(root, `cache-${name}`),
        CUSTOMS_DATA_DIR: join(root, `data-${name}`),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  Object.defineProperty(child, 'log', { get: () => err });
  children.push(child);
  return child;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'customs-sigkill-'));
  [pg, reg] = await Promise.all([startPostgres(), startRegistry()]);
  await startProxy(reg.host);
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const f of held.splice(0)) f();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await reg?.stop();
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('a worker killed with SIGKILL mid-scan: the job is retried by another worker after the lease, the result stored once', async () => {
  const url = await pg.createDatabase();
  const store: Store = await openStore(url);
  try {
    const dbFile = await buildTestDb(join(root, 'db'));
    const { digests } = await pushImage(reg, 'team/app:1', [lodashImage('4.17.15')]);
    const digest = digests[0] ?? '';
    const registry = await store.registries.add({ name: 'proxied', url: `http://127.0.0.1:${proxyPort}` });
    const { job } = await enqueueScan(
      store,
      { registryId: registry.id, repository: 'team/app', digest, tag: '1' },
      dbVersionAt(dbFile),
    );

    const first = startWorker(url, dbFile, 'first');
    // Mid-scan: the job is leased to the first worker and its layer download is in flight.
    await until('the first worker to be reading the layers', async () => {
      const j = await store.jobs.get(job.id);
      return j?.state === 'running' && j.leaseOwner?.startsWith('first/') && blobRequests > 0 ? j : undefined;
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    assert.equal(first.signalCode, 'SIGKILL');
    assert.equal((await store.scans.latest(digest)) === undefined, true, 'nothing recorded by the killed worker');

    holdBlobs = false;
    for (const f of held.splice(0)) f();
    const second = startWorker(url, dbFile, 'second');
    const done = await until(
      'the job to succeed on the second worker',
      async () => {
        const j = await store.jobs.get(job.id);
        if (j?.state === 'failed')
          throw new Error(`job failed: ${j.lastError} ${(second as unknown as { log: string }).log}`);
        return j?.state === 'succeeded' ? j : undefined;
      },
      45_000,
    );
    assert.equal(done.attempts, 2);
    assert.match(done.lastError ?? '', /lease of first\/0 expired/);

    const recorded = await store.events.list({ type: EVENT_TYPES.scanRecorded });
    assert.equal(recorded.filter((e) => e.subject === digest).length, 1, 'the scan is recorded once');
    const scan = await store.scans.latest(digest);
    assert.equal(scan?.jobId, job.id);
    const finished = await store.events.list({ type: EVENT_TYPES.scanFinished });
    assert.equal(finished.length, 1);

    // SIGTERM: the second worker stops claiming and exits cleanly, with JSON log lines.
    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', r));
    assert.equal(code, 0);
    const lines = (second as unknown as { log: string }).log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg?: string; worker?: string });
    assert.ok(lines.some((l) => l.msg === 'job succeeded'));
    assert.equal(lines.at(-1)?.msg, 'worker stopped');
  } finally {
    await store.close();
  }
});
