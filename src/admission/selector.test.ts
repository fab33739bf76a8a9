import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namespaceLabels, selectorMatches } from './selector.js';

const labels = { env: 'prod', team: 'web' };

test('matchLabels and matchExpressions are ANDed, with the Kubernetes operators', () => {
  assert.equal(selectorMatches(undefined, labels), true);
  assert.equal(selectorMatches({}, labels), true, 'an empty selector matches everything');
  assert.equal(selectorMatches({ matchLabels: { env: 'prod' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { env: 'dev' } }, labels), false);
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] }, labels),
    true,
  );
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }, labels), false);
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels),
    false,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] }, labels),
    true,
    'NotIn matches an absent key',
  );
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, labels), false);
  assert.equal(
    selectorMatches(
      { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'team', operator: 'In', values: ['db'] }] },
      labels,
    ),
    false,
  );
});

test('every namespace carries kubernetes.io/metadata.name', () => {
  assert.deepEqual(namespaceLabels({ shop: { env: 'prod' } }, 'shop'), {
    env: 'prod',
    'kubernetes.io/metadata.name': 'shop',
  });
  assert.deepEqual(namespaceLabels({}, 'x'), { 'kubernetes.io/metadata.name': 'x' });
});
