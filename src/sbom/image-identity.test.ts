import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '../core/index.js';
import { parseNormalizedReference, repositoryName } from '../image/index.js';
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
  for (const bad of ['', 'lower/UPPER', 'a@sha256:short', 'a:b:c', '/abs/path.tar', 'x'.repeat(5000)]) {
    assert.equal(parseImageReference(bad), undefined, bad);
  }
});

test('parseImageReference reads references as image/reference.ts does (distribution/reference normalize_test.go)', () => {
  // An upper-case first component is a registry host, not a Docker Hub namespace (TestParseRepositoryInfo).
  assert.deepEqual(parseImageReference('UPPER/case'), { repository: 'UPPER/case' });
  assert.deepEqual(parseImageReference('LOCALDOMAIN/team/app:1'), { repository: 'LOCALDOMAIN/team/app', tag: '1' });
  // IPv6 registry hosts (TestValidateReferenceName).
  assert.deepEqual(parseImageReference('[fc00::1]:5000/docker:v2'), { repository: '[fc00::1]:5000/docker', tag: 'v2' });
  // The 255-character limit is on the path, not on the registry host (reference_test.go).
  const long = `example.com/${'a'.repeat(255)}`;
  assert.deepEqual(parseImageReference(`${long}:tag`), { repository: long, tag: 'tag' });
  assert.equal(parseImageReference(`docker.io/${'a'.repeat(256)}`), undefined);
  // Every spelling, valid or not, gets the one parser's answer.
  const spellings = [
    'nginx',
    'Foo/bar',
    'FOO/bar:1',
    'index.docker.io/x',
    'a/B',
    '[::1]:5000/r',
    '-x',
    'x'.repeat(300),
  ];
  for (const s of spellings) {
    let want: string | undefined;
    try {
      want = repositoryName(parseNormalizedReference(s));
    } catch {
      want = undefined;
    }
    assert.equal(parseImageReference(s)?.repository, want, s);
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

test('imageIdentity: a repo tag on a registry named in upper case keeps that registry', () => {
  const id = imageIdentity({ ...base, name: 'app.tar', transport: 'docker-archive', repoTags: ['MIRROR/team/app:2'] });
  assert.equal(id.repository, 'MIRROR/team/app');
  assert.equal(id.tag, '2');
});
