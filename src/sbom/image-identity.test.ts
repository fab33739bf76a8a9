import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '../core/index.js';
import { imageIdentity, parseImageReference } from './image-identity.js';
import type { InventoryTarget } from './types.js';

test('parseImageReference follows Docker: default registry, library/, tags, digests, ports', () => {
  const d = sha256('m');
  assert.deepEqual(parseImageReference('nginx'), { repository: 'docker.io/library/nginx' });
  assert.deepEqual(parseImageReference('nginx:1.25'), { repository: 'docker.io/library/nginx', tag: '1.25' });
  assert.deepEqual(parseImageReference('bitnami/redis:7'), { repository: 'docker.io/bitnami/redis', tag: '7' });
  assert.deepEqual(parseImageReference('index.docker.io/library/alpine'), { repository: 'docker.io/library/alpine' });
  assert.deepEqual(parseImageReference(`ghcr.io/org/app@${d}`), { repository: 'ghcr.io/org/app', digest: d });
  assert.deepEqual(parseImageReference(`localhost:5000/app:v1@${d}`), {
    repository: 'localhost:5000/app',
    tag: 'v1',
    digest: d,
  });
  assert.deepEqual(parseImageReference('localhost/app'), { repository: 'localhost/app' });
  for (const bad of ['', 'UPPER/case', 'a@sha256:short', 'a:b:c', '/abs/path.tar', 'x'.repeat(5000)]) {
    assert.equal(parseImageReference(bad), undefined, bad);
  }
});

const base: InventoryTarget = {
  name: 'nginx:1.25',
  transport: 'registry',
  configDigest: sha256('config'),
  repoDigests: [],
  repoTags: [],
  layers: [],
};

test('imageIdentity: a registry image gets purl-spec oci with repository_url, tag and arch', () => {
  const m = sha256('manifest');
  const id = imageIdentity({ ...base, manifestDigest: m, platform: 'linux/arm64/v8' });
  assert.equal(id.digest, m);
  assert.equal(id.repository, 'docker.io/library/nginx');
  assert.equal(id.purl, `pkg:oci/nginx@${m}?arch=arm64&repository_url=docker.io%2Flibrary%2Fnginx&tag=1.25`);
});

test('imageIdentity: a docker-archive uses RepoDigests/RepoTags, else the file name and the config digest', () => {
  const m = sha256('manifest');
  const tagged = imageIdentity({
    ...base,
    name: 'docker-archive:/tmp/app.tar',
    transport: 'docker-archive',
    repoDigests: [`example.com/team/app@${m}`],
    repoTags: ['example.com/team/app:2.0'],
  });
  assert.equal(tagged.digest, m);
  assert.match(tagged.purl, /^pkg:oci\/app@sha256:[0-9a-f]{64}\?repository_url=example\.com%2Fteam%2Fapp&tag=2\.0$/);
  const bare = imageIdentity({ ...base, name: '/tmp/My Image.tar.gz', transport: 'docker-archive' });
  assert.equal(bare.digest, base.configDigest);
  assert.equal(bare.purl, `pkg:oci/my-image@${base.configDigest}`);
  assert.equal(bare.repository, undefined);
});

test('imageIdentity: a daemon image named by ID is not taken for a Docker Hub repository', () => {
  const id = imageIdentity({ ...base, name: '3f57d9401f8d', transport: 'docker-daemon' });
  assert.equal(id.repository, undefined);
  assert.equal(id.digest, base.configDigest);
});
