import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../../core/index.js';
import { chunked, type FixtureEntry, tarBytes } from '../../image/tar/test-support/tar-fixture.js';
import { applyLayers } from '../apply-layers.js';
import { walkLayer } from '../layer-walker.js';
import { loadSecretConfig } from './config-file.js';
import { createSecretsAnalyzer, secretsAnalyzer } from './secrets-analyzer.js';

const ctx = createContext();
const GH = 'ghp_ZoqyTCMwBRYejxmavjGxXSIAmSdK1DEzLDiy';
const walk = (id: string, entries: FixtureEntry[], analyzer = secretsAnalyzer) =>
  walkLayer(id, chunked(tarBytes(entries), 700), { analyzers: [analyzer], ctx });

test('text files are scanned; binaries, skipped paths, empty files and symlinks are not', async () => {
  const layer = await walk('sha256:a', [
    { name: 'app/', type: '5' },
    { name: 'app/.env', body: `GITHUB_TOKEN=${GH}\n` },
    { name: 'app/bin', body: Buffer.concat([Buffer.from('\x7fELF\0\0\0'), Buffer.from(GH)]) },
    { name: 'usr/share/zoneinfo/UTC', body: GH },
    { name: 'app/empty', body: '' },
    { name: 'app/link', type: '2', linkname: '.env' },
  ]);
  const withSecrets = layer.findings.filter((f) => (f.result.secrets ?? []).length > 0);
  assert.deepEqual(
    withSecrets.map((f) => [f.path, f.result.secrets?.map((s) => [s.ruleId, s.line, s.column])]),
    [['app/.env', [['github-token', 1, 14]]]],
  );
  assert.deepEqual(layer.unknowns, []);
});

test('a secret in a file a later layer deletes is kept, with the layer that hid it', async () => {
  const l0 = await walk('sha256:0', [
    { name: 'root/.npmrc', body: '//registry.npmjs.org/:_authToken=npm_UTNlyF7ocMEWRMAvTl2YIa1F4j5CEUtp50lK\n' },
  ]);
  const l1 = await walk('sha256:1', [{ name: 'root/.wh..npmrc', body: '' }]);
  const merged = applyLayers([l0, l1], [secretsAnalyzer]);
  assert.deepEqual(
    merged.secrets.map((s) => [s.path, s.fact.ruleId, s.layerIndex, s.hiddenByLayerIndex]),
    [['root/.npmrc', 'npm-access-token', 0, 1]],
  );
});

test('the size cap and extra skip paths of a config keep files unread; a config changes the cache version', async () => {
  const analyzer = createSecretsAnalyzer(loadSecretConfig("max-file-size: 100\nskip-paths: ['^opt/']\n"));
  assert.notEqual(analyzer.version, secretsAnalyzer.version);
  const layer = await walk(
    'sha256:b',
    [
      { name: 'big.txt', body: `${GH}\n${'x'.repeat(200)}` },
      { name: 'opt/t.txt', body: GH },
      { name: 'small.txt', body: GH },
    ],
    analyzer,
  );
  assert.deepEqual(
    layer.findings.filter((f) => f.result.secrets).map((f) => f.path),
    ['small.txt'],
  );
});
