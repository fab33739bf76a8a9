import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANALYZER_VERSIONS, analyzerIds } from './analyzer-ids.js';
import { ANALYZER_GROUPS, type AnalyzerPlan, buildAnalyzers } from './analyzers.js';

const ids = (plan: AnalyzerPlan) => buildAnalyzers(plan).map((a) => ({ name: a.name, version: a.version }));

test('analyzerIds lists what buildAnalyzers builds, in its order, for every group and any mix of them', () => {
  for (const g of ANALYZER_GROUPS) assert.deepEqual(analyzerIds({ groups: [g] }), ids({ groups: [g] }), g);
  const all: AnalyzerPlan = { groups: [...ANALYZER_GROUPS].reverse() };
  assert.deepEqual(analyzerIds(all), ids(all));
  assert.deepEqual(analyzerIds({ groups: ['packages', 'packages'] }), ids({ groups: ['packages'] }));
});

test('analyzerIds: the IOC and clamd analyzers by name with their base versions (their inputs are in the layer key)', () => {
  const plan: AnalyzerPlan = {
    groups: ['malware', 'secrets'],
    secretConfig: 'rules: []\n',
    iocs: { entries: [{ sha256: 'a'.repeat(64), name: 'x' }] },
    clamd: { addr: '127.0.0.1:3310', dbVersion: '27000' },
  };
  assert.deepEqual(
    analyzerIds(plan).map((a) => a.name),
    buildAnalyzers(plan).map((a) => a.name),
  );
  assert.deepEqual(
    analyzerIds(plan).map((a) => a.version),
    [
      ANALYZER_VERSIONS['malware-heuristics'],
      ANALYZER_VERSIONS['malware-ioc'],
      ANALYZER_VERSIONS.clamav,
      ANALYZER_VERSIONS.secrets,
    ],
  );
});

test('every analyzer buildAnalyzers can build takes its version from ANALYZER_VERSIONS', () => {
  for (const a of buildAnalyzers({ groups: [...ANALYZER_GROUPS] })) {
    assert.equal(a.version, ANALYZER_VERSIONS[a.name as keyof typeof ANALYZER_VERSIONS], a.name);
  }
});
