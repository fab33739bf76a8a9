import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { formatReference } from './reference.js';
import { parseTarget } from './target.js';

test('parseTarget: transport prefixes like skopeo', () => {
  assert.deepEqual(parseTarget('docker-archive:/x/img.tar'), { transport: 'docker-archive', path: '/x/img.tar' });
  assert.deepEqual(parseTarget('docker-archive:/x/img.tar:nginx:1.25'), {
    transport: 'docker-archive',
    path: '/x/img.tar',
    ref: 'nginx:1.25',
  });
  assert.deepEqual(parseTarget('docker-archive:/x/img.tar:@1'), {
    transport: 'docker-archive',
    path: '/x/img.tar',
    index: 1,
  });
  assert.deepEqual(parseTarget('docker-archive:/x/img.tar@2'), {
    transport: 'docker-archive',
    path: '/x/img.tar',
    index: 2,
  });
  assert.deepEqual(parseTarget('oci:./layout'), { transport: 'oci', path: './layout' });
  assert.deepEqual(parseTarget('oci:./layout:v1'), { transport: 'oci', path: './layout', ref: 'v1' });
  assert.deepEqual(parseTarget('oci-archive:/a.tar:latest'), {
    transport: 'oci-archive',
    path: '/a.tar',
    ref: 'latest',
  });
  assert.deepEqual(parseTarget('docker-daemon:nginx:1.25'), { transport: 'docker-daemon', name: 'nginx:1.25' });
  assert.deepEqual(parseTarget('dir:/rootfs'), { transport: 'dir', path: '/rootfs' });
  assert.deepEqual(parseTarget('nginx:1.25'), { transport: 'bare', arg: 'nginx:1.25' });
  assert.deepEqual(parseTarget('./image.tar'), { transport: 'bare', arg: './image.tar' });
});

test('parseTarget: registry:REF and docker://REF normalise like Docker', () => {
  for (const t of ['registry:nginx:1.25', 'docker://nginx:1.25', 'docker://docker.io/library/nginx:1.25']) {
    const parsed = parseTarget(t);
    assert.equal(parsed.transport, 'registry');
    if (parsed.transport === 'registry') assert.equal(formatReference(parsed.ref), 'docker.io/library/nginx:1.25');
  }
});

test('parseTarget: empty or invalid targets are clear errors', () => {
  for (const [t, code] of [
    ['', 'USAGE_BAD_ARGUMENT'],
    ['docker-archive:', 'USAGE_BAD_ARGUMENT'],
    ['oci:', 'USAGE_BAD_ARGUMENT'],
    ['dir:', 'USAGE_BAD_ARGUMENT'],
    ['docker-daemon:', 'USAGE_BAD_ARGUMENT'],
    ['registry:', 'USAGE_BAD_ARGUMENT'],
    ['registry:foo/UPPER', 'IMAGE_REFERENCE_INVALID'],
    ['docker-archive:/x.tar:@x', 'USAGE_BAD_ARGUMENT'],
    ['docker-archive:/x.tar:Bad Name', 'IMAGE_REFERENCE_INVALID'],
  ] as const) {
    assert.throws(
      () => parseTarget(t),
      (e: unknown) => e instanceof CustomsError && e.code === code,
      t,
    );
  }
});
