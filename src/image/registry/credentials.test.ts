import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { configKeyHost, credentialsFor } from './credentials.js';

const work = mkdtempSync(join(tmpdir(), 'customs-creds-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('docker config: Docker Hub entries match every alias; other keys match by host', async () => {
  const cfg = join(work, 'config.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:secret:with:colons').toString('base64') },
        'https://ghcr.io': { username: 'gh', password: 'pw' },
        'quay.io': { identitytoken: 'refresh-me' },
      },
    }),
  );
  for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
    assert.deepEqual(await credentialsFor(host, { dockerConfig: cfg, env: {} }), {
      username: 'hub',
      password: 'secret:with:colons',
    });
  }
  assert.deepEqual(await credentialsFor('ghcr.io', { dockerConfig: cfg, env: {} }), { username: 'gh', password: 'pw' });
  assert.deepEqual(await credentialsFor('quay.io', { dockerConfig: cfg, env: {} }), { identityToken: 'refresh-me' });
  assert.equal(await credentialsFor('example.com', { dockerConfig: cfg, env: {} }), undefined);
  assert.deepEqual(
    await credentialsFor('ghcr.io', {
      dockerConfig: cfg,
      env: { CUSTOMS_REGISTRY_USERNAME: 'e', CUSTOMS_REGISTRY_PASSWORD: 'f' },
    }),
    {
      username: 'e',
      password: 'f',
    },
  );
  assert.equal(await credentialsFor('ghcr.io', { dockerConfig: join(work, 'missing.json'), env: {} }), undefined);
});

test('configKeyHost strips scheme and path', () => {
  assert.equal(configKeyHost('https://index.docker.io/v1/'), 'index.docker.io');
  assert.equal(configKeyHost('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
  assert.equal(configKeyHost('Registry.Example.com'), 'registry.example.com');
});

test('a missing credential helper is a clear REGISTRY_AUTH_FAILED', async () => {
  const cfg = join(work, 'helper.json');
  writeFileSync(cfg, JSON.stringify({ credsStore: 'customs-does-not-exist' }));
  await assert.rejects(
    credentialsFor('example.com', { dockerConfig: cfg, env: {} }),
    (e: unknown) =>
      (e as { code?: string }).code === 'REGISTRY_AUTH_FAILED' && /not installed/.test((e as Error).message),
  );
});
