/**
 * Scan on push, end to end, as an operator sets it up: `customs serve` on its
 * embedded SQLite store (which runs its own workers), a registry and its hook
 * secret added through the API, Debian's docker-registry configured to notify
 * the server, an image pushed with skopeo, the scan recorded by the server's
 * worker pool, then SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildTestDb, lodashImage, pushImage, until } from '../../src/server/worker/test-support/fixtures.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { api as callApi, type ServeProcess, startServe } from '../support/serve-process.js';

const root = mkdtempSync(join(tmpdir(), 'customs-scan-on-push-'));
let serve: ServeProcess | undefined;
let reg: TestRegistry | undefined;

after(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  await reg?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('customs serve + docker-registry notifications: a pushed image is scanned by the embedded workers', async () => {
  const dataDir = join(root, 'server');
  const db = await buildTestDb(join(root, 'db'));
  // Port 0: the server picks a free port and says which (a port picked free beforehand can be
  // taken by another test before the server binds it).
  serve = await startServe(['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--db', db], {
    CUSTOMS_LOG_LEVEL: 'warn',
  });
  const base = serve.url;
  const admin = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await callApi(base, admin, method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body ?? {};
  };

  const secret = 'push-secret-of-the-e2e-test';
  reg = await startRegistry({
    notify: { url: `${base}/api/v1/hooks/registry/local`, headers: { Authorization: [`Bearer ${secret}`] } },
  });
  const { id } = (await api('POST', '/api/v1/registries', { name: 'local', url: `http://${reg.host}` })) as {
    id: number;
  };
  const set = await api('PUT', `/api/v1/registries/${id}/hook-secret`, { secret });
  assert.equal(set.distribution, '/api/v1/hooks/registry/local');

  const { digests } = await pushImage(reg, 'shop/web:1', [lodashImage('4.17.15')]);
  const digest = digests[0] ?? '';
  const finished = await until(
    'the scan.finished event',
    async () => {
      const page = (await api('GET', '/api/v1/events?type=scan.finished')) as {
        items?: { subject: string; data: { verdict: string; registry?: string; tag?: string } }[];
      };
      return page.items?.find((e) => e.subject === digest);
    },
    45_000,
  );
  assert.deepEqual([finished.data.registry, finished.data.tag, finished.data.verdict], ['local', '1', 'fail']);

  const code = await serve.stop();
  assert.equal(code, 0, `${serve.stdout()}${serve.stderr()}`);
});
