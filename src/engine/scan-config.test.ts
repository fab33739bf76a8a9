import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderConfigJson } from '../report/index.js';
import { scanConfigTarget } from './scan-config.js';

// Shaped as `kubectl create configmap cfg --from-literal=a=b --dry-run=client -o yaml` prints it.
const CONFIGMAP = 'apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: cfg\n';
const POD =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.25\n';

test('scan k8s: objects no check covers reach the result and its JSON as skipped, never silently passed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'customs-scan-config-'));
  try {
    await writeFile(join(dir, 'cm.yaml'), CONFIGMAP);
    await writeFile(join(dir, 'pod.yaml'), POD);
    const result = await scanConfigTarget('k8s', dir);
    assert.deepEqual(
      result.skipped?.map((o) => `${o.kind}/${o.name}@${o.location?.path}`),
      ['ConfigMap/cfg@cm.yaml'],
    );
    assert.ok(result.misconfigurations.length > 0, 'the Pod is still checked');
    const json = JSON.parse(renderConfigJson(result)) as { skipped?: { kind: string }[] };
    assert.deepEqual(
      json.skipped?.map((o) => o.kind),
      ['ConfigMap'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scan dockerfile: nothing is listed as skipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'customs-scan-config-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), 'FROM debian:12\nUSER app\n');
    const result = await scanConfigTarget('dockerfile', dir);
    assert.equal(result.skipped, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
