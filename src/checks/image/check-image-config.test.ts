import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkImageConfig } from './check-image-config.js';
import { type ImageCheckInput, isImageCheckPath } from './input.js';

const base: ImageCheckInput = {
  target: 'app:1',
  config: { rootfs: { type: 'layers', diff_ids: [] }, config: {} },
  history: [],
  paths: [],
  fileFacts: [],
  baseLayerCount: 0,
  packages: [],
};

test('a bare config: root, no healthcheck, missing labels', () => {
  assert.deepEqual(
    checkImageConfig(base).map((f) => f.checkId),
    ['CUS-IMG-001', 'CUS-IMG-002', 'CUS-IMG-011'],
  );
});

test('a hardened config passes', () => {
  const labels = Object.fromEntries(
    ['source', 'version', 'created', 'revision', 'licenses'].map((k) => [`org.opencontainers.image.${k}`, 'x']),
  );
  const config = {
    ...base.config,
    config: { User: '10001', Healthcheck: { Test: ['CMD', 'true'] }, Labels: labels, ExposedPorts: { '8080/tcp': {} } },
  };
  assert.deepEqual(checkImageConfig({ ...base, config }), []);
});

test('each image check fires on its input', () => {
  const input: ImageCheckInput = {
    ...base,
    config: {
      ...base.config,
      config: {
        User: 'root:root',
        Env: ['PATH=/usr/bin', 'API_KEY=s3cr3t', 'DB_PASSWORD=${FROM_ENV}'],
        ExposedPorts: { '22/tcp': {}, '5900-5901/tcp': {} },
        Healthcheck: { Test: ['NONE'] },
        Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/node:latest' },
      },
    },
    history: [
      { created_by: '|1 GH_TOKEN=ghp_x /bin/sh -c curl -sL https://x | sh' },
      { created_by: 'ADD https://example.com/a.tgz /a # buildkit' },
    ],
    paths: [
      { path: 'var/cache/apt/archives/curl_7.88.1-10_amd64.deb', layerIndex: 2 },
      { path: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease', layerIndex: 2 },
      { path: 'var/lib/apt/lists/lock', layerIndex: 2 },
      { path: 'root/.cache/pip/http/a/b', layerIndex: 3 },
    ],
    fileFacts: [
      { path: 'usr/bin/passwd', layerIndex: 0, fact: { kind: 'setuid', mode: 0o4755 } },
      { path: 'usr/local/bin/helper', layerIndex: 2, fact: { kind: 'setuid', mode: 0o6755 } },
    ],
    baseLayerCount: 1,
    packages: [{ ecosystem: 'deb', name: 'sudo', version: '1.9.13p3-1' }],
  };
  const found = checkImageConfig(input);
  const count = (id: string): number => found.filter((f) => f.checkId === id).length;
  assert.equal(count('CUS-IMG-001'), 1);
  assert.equal(count('CUS-IMG-002'), 1);
  assert.equal(count('CUS-IMG-003'), 2);
  assert.equal(count('CUS-IMG-004'), 1);
  assert.equal(count('CUS-IMG-005'), 1);
  assert.equal(count('CUS-IMG-006'), 3, 'apt archives, apt lists (lock excluded), pip');
  assert.equal(count('CUS-IMG-007'), 1, 'only the file added above the base layers');
  assert.equal(count('CUS-IMG-008'), 1);
  assert.equal(count('CUS-IMG-009'), 1);
  assert.equal(count('CUS-IMG-010'), 1);
  assert.equal(count('CUS-IMG-012'), 1);
  assert.doesNotMatch(JSON.stringify(found), /s3cr3t|ghp_x/);
  assert.match(
    found.find((f) => f.checkId === 'CUS-IMG-007')?.message ?? '',
    /usr\/local\/bin\/helper is setuid and setgid \(mode 6755\), added by layer L3$/,
  );
  // Layers are named as the LAYER column names them (1-based: L1 is the base layer).
  assert.match(
    found.find((f) => f.checkId === 'CUS-IMG-006' && /pip/.test(f.message))?.message ?? '',
    /left in layer\(s\) L4 /,
  );
});

test('isImageCheckPath selects only cache paths', () => {
  assert.ok(isImageCheckPath('var/cache/apk/APKINDEX.a1b2.tar.gz'));
  assert.ok(!isImageCheckPath('var/lib/apt/lists/lock'));
  assert.ok(!isImageCheckPath('usr/bin/apt'));
});
