import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { configKeyHost, credentialsFor, envCredentials } from './credentials.js';

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
      env: { CUSTOMS_REGISTRY_HOST: 'ghcr.io', CUSTOMS_REGISTRY_USERNAME: 'e', CUSTOMS_REGISTRY_PASSWORD: 'f' },
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

test('environment credentials are bound to CUSTOMS_REGISTRY_HOST and never offered to another registry', async () => {
  const cfg = join(work, 'bound.json');
  writeFileSync(cfg, JSON.stringify({ auths: { 'quay.io': { username: 'q', password: 'qq' } } }));
  const env = {
    CUSTOMS_REGISTRY_HOST: 'registry.gitlab.com',
    CUSTOMS_REGISTRY_USERNAME: 'ci',
    CUSTOMS_REGISTRY_PASSWORD: 'job-token',
  };
  assert.deepEqual(await credentialsFor('registry.gitlab.com', { dockerConfig: cfg, env }), {
    username: 'ci',
    password: 'job-token',
  });
  // Another registry gets its own docker config entry, or nothing.
  assert.deepEqual(await credentialsFor('quay.io', { dockerConfig: cfg, env }), { username: 'q', password: 'qq' });
  assert.equal(await credentialsFor('docker.io', { dockerConfig: cfg, env }), undefined);
  assert.equal(await credentialsFor('registry.gitlab.com.evil.example', { dockerConfig: cfg, env }), undefined);
  assert.equal(await credentialsFor('registry.gitlab.com:5000', { dockerConfig: cfg, env }), undefined);
  // Spellings of a host: case, scheme and path as docker config keys have them; Docker Hub's aliases.
  assert.ok(
    envCredentials('registry.gitlab.com', { ...env, CUSTOMS_REGISTRY_HOST: 'https://Registry.GitLab.com/v2/' }),
  );
  assert.ok(envCredentials('docker.io', { ...env, CUSTOMS_REGISTRY_HOST: 'index.docker.io' }));
  // Unbound or half-set: an error naming what to set, whatever the registry.
  for (const bad of [
    { CUSTOMS_REGISTRY_USERNAME: 'ci', CUSTOMS_REGISTRY_PASSWORD: 'x' },
    { CUSTOMS_REGISTRY_HOST: ' ', CUSTOMS_REGISTRY_USERNAME: 'ci', CUSTOMS_REGISTRY_PASSWORD: 'x' },
    { CUSTOMS_REGISTRY_HOST: 'quay.io', CUSTOMS_REGISTRY_USERNAME: 'ci' },
  ]) {
    await assert.rejects(
      credentialsFor('quay.io', { dockerConfig: cfg, env: bad }),
      (e: unknown) =>
        (e as { code?: string }).code === 'REGISTRY_AUTH_FAILED' &&
        /CUSTOMS_REGISTRY_(HOST|PASSWORD)/.test((e as Error).message),
    );
  }
});

test('the CI examples bind environment credentials to their registry host', () => {
  const dir = new URL('../../../docs/ci/', import.meta.url);
  for (const name of readdirSync(dir)) {
    const text = readFileSync(new URL(name, dir), 'utf8');
    if (!text.includes('CUSTOMS_REGISTRY_PASSWORD')) continue;
    assert.match(text, /CUSTOMS_REGISTRY_HOST/, `${name} sets CUSTOMS_REGISTRY_PASSWORD without CUSTOMS_REGISTRY_HOST`);
  }
  const gitlab = readFileSync(new URL('gitlab-ci.yml', dir), 'utf8');
  assert.match(gitlab, /CUSTOMS_REGISTRY_HOST: \$CI_REGISTRY\n/);
});
