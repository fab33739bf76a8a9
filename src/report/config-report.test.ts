import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { checkKubernetesInput } from '../checks/index.js';
import { renderConfigTable } from './config-report.js';

test('the config table lists the objects no check covers', () => {
  const text = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } },
  ]
    .map((d) => stringify(d))
    .join('---\n');
  const result = checkKubernetesInput([{ text, path: 'all.yaml' }], 'all.yaml');
  const table = renderConfigTable({
    schemaVersion: 1,
    kind: 'k8s',
    target: 'all.yaml',
    files: ['all.yaml'],
    ...result,
  });
  assert.match(table, /^No misconfigurations found\.$/m);
  assert.match(
    table,
    /^Skipped \(not checked\): ConfigMap\/shop\/cfg \(no check covers kind ConfigMap\), Service\/shop\/web \(no check covers kind Service\)$/m,
  );
  // Without skipped objects the table is unchanged.
  assert.doesNotMatch(
    renderConfigTable({ schemaVersion: 1, kind: 'k8s', target: 't', files: [], misconfigurations: [] }),
    /Skipped/,
  );
});

test('the config table lists findings most severe first, file order within a severity', () => {
  const text = stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop' },
    spec: {
      hostNetwork: true,
      containers: [{ name: 'c', image: 'nginx:latest', securityContext: { privileged: true } }],
    },
  });
  const result = checkKubernetesInput([{ text, path: 'pod.yaml' }], 'pod.yaml');
  const table = renderConfigTable({
    schemaVersion: 1,
    kind: 'k8s',
    target: 'pod.yaml',
    files: ['pod.yaml'],
    ...result,
  });
  const rank = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
  const sevs = table
    .split('\n')
    .map((l) => /^(CRITICAL|HIGH|MEDIUM|LOW)\s/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);
  assert.ok(new Set(sevs).size >= 2, table);
  assert.deepEqual(
    sevs,
    [...sevs].sort((a, b) => rank.indexOf(a) - rank.indexOf(b)),
    table,
  );
});
