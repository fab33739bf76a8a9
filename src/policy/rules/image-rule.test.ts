import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_NAME_LABEL, baseImageMatches, baseImageOf } from './image-rule.js';

const base = (name: string) => {
  const b = baseImageOf({ [BASE_NAME_LABEL]: name });
  assert.ok(b);
  return b;
};

test('baseImageOf reads the base name label with the image reference grammar', () => {
  assert.equal(base('debian:12').repository, 'docker.io/library/debian');
  // An upper-case first component is a registry host (distribution/reference normalize.go).
  assert.deepEqual(base('MIRROR/team/app:2'), {
    text: 'MIRROR/team/app:2',
    repository: 'MIRROR/team/app',
    tag: '2',
  });
  assert.equal(base('lower/UPPER').repository, undefined);
});

test('base image matchers are normalised like references: docker.io/library, index.docker.io, host case', () => {
  const debian = base('debian:12.5');
  for (const m of ['debian', 'docker.io/debian', 'index.docker.io/library/debian', 'library/debian', 'debian:12*']) {
    assert.equal(baseImageMatches(m, debian), true, m);
  }
  for (const m of ['debi*', 'docker.io/debi*', 'index.docker.io/library/*', '*/library/debian', '**']) {
    assert.equal(baseImageMatches(m, debian), true, m);
  }
  for (const m of ['ubuntu', 'docker.io/ubuntu*', 'ghcr.io/debian', 'debian:11*']) {
    assert.equal(baseImageMatches(m, debian), false, m);
  }
  const mirrored = base('MIRROR/team/app:2');
  assert.equal(baseImageMatches('MIRROR/team/*', mirrored), true);
  assert.equal(baseImageMatches('MIRROR/team/app', mirrored), true);
  assert.equal(baseImageMatches('mirror/team/*', mirrored), false);
  assert.equal(baseImageMatches({ repository: 'bitnami/*' }, base('bitnami/redis:7')), true);
  assert.equal(baseImageMatches({ repository: 'localhost:5000/*' }, base('localhost:5000/app')), true);
});
