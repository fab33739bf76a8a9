import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createContext } from '../core/index.js';
import { loadPolicies } from '../policy/index.js';
import { renderJunit, renderMarkdown, renderSarif } from '../report/index.js';
import { configScanAsResult, gateConfig } from './config-result.js';
import { scanConfigTarget } from './scan-config.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const POD =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostNetwork: true\n  containers:\n  - name: web\n    image: nginx:1.25\n';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'customs-config-result-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface SarifDoc {
  runs: {
    results: {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
    }[];
  }[];
}

test('a Dockerfile scan renders as SARIF with file/line regions, and as JUnit and Markdown', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'Dockerfile');
    await writeFile(file, 'FROM debian:latest\nUSER root\n');
    const result = configScanAsResult(await scanConfigTarget('dockerfile', file), NOW);
    const sarif = JSON.parse(renderSarif(result)) as SarifDoc;
    const root = sarif.runs[0]?.results.find((r) => r.ruleId === 'CUS-DF-005');
    assert.ok(root, JSON.stringify(sarif));
    assert.equal(root.locations[0]?.physicalLocation.region?.startLine, 2);
    assert.ok(root.locations[0]?.physicalLocation.artifactLocation.uri.endsWith('Dockerfile'));
    assert.match(renderJunit(result), /CUS-DF-005/);
    assert.match(renderMarkdown(result), /CUS-DF-005/);
  });
});

test('a manifest directory names files from where the command ran (SARIF uri under the directory)', async () => {
  await withDir(async (dir) => {
    await mkdir(join(dir, 'deploy'));
    await writeFile(join(dir, 'deploy', 'pod.yaml'), POD);
    const result = configScanAsResult(await scanConfigTarget('k8s', join(dir, 'deploy')), NOW);
    const sarif = JSON.parse(renderSarif(result)) as SarifDoc;
    const uris = new Set(sarif.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri));
    assert.ok(
      [...uris].every((u) => u?.endsWith('deploy/pod.yaml')),
      [...uris].join(' '),
    );
  });
});

test('gate dockerfile: the flag rules and policy misconfiguration rules judge a Dockerfile', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'Dockerfile');
    await writeFile(file, 'FROM debian:latest\nUSER root\n');
    const ctx = createContext({ now: () => NOW, config: { cacheDir: dir } });
    const any = await gateConfig('dockerfile', file, {}, ctx);
    assert.equal(any.verdict.status, 'fail');
    assert.equal(any.config.misconfigurations.length, any.result.misconfigurations?.length);
    // --severity critical leaves nothing (no check here is critical): pass.
    assert.equal((await gateConfig('dockerfile', file, { severities: ['critical'] }, ctx)).verdict.status, 'pass');
    const policy = loadPolicies(
      [
        {
          path: 'p.yaml',
          text: 'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: no-high-misconfig\n    action: fail\n    message: no high misconfigurations\n    misconfigurations: {minSeverity: high}\n',
        },
      ],
      NOW,
    );
    const judged = await gateConfig('dockerfile', file, { policy }, ctx);
    assert.equal(judged.verdict.status, 'fail');
    assert.deepEqual(
      judged.verdict.rules.map((r) => r.ruleId),
      ['no-high-misconfig'],
    );
    await assert.rejects(gateConfig('dockerfile', undefined, {}, ctx), /needs the file or directory/);
  });
});
