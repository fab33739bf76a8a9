/**
 * Every finding kind flows through filter → suppress → judge → every writer through the
 * result model alone (src/result/findings.ts): a throwaway sixth kind, added here as its one
 * FINDING_KINDS entry, is filtered by severity, suppressed by an ignore-file line, judged
 * by the gate's rules and rendered by every writer whose format is not restricted to some
 * kinds, without any stage knowing it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Digest } from '../core/index.js';
import { judge, parseIgnoreFile } from '../policy/index.js';
import { SCAN_WRITERS } from '../report/index.js';
import {
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  findingsOf,
  mapFindings,
  type ScanResult,
} from '../result/index.js';

interface Drift {
  readonly ruleId: string;
  readonly path: string;
  readonly severity: 'critical' | 'high' | 'medium' | 'low';
}
type WithDrift = ScanResult & { readonly drift?: readonly Drift[] };

const driftKind: FindingKind<Drift> = {
  kind: 'drift',
  read: (r) => (r as WithDrift).drift,
  write: (r, drift) => ({ ...r, drift }) as ScanResult,
  describe: (d) =>
    ({
      kind: 'drift',
      scanner: 'drift',
      id: `${d.ruleId}@${d.path}`,
      refIds: [`${d.ruleId}@${d.path}`],
      ruleId: d.ruleId,
      ruleIds: [d.ruleId],
      severity: d.severity,
      unfixed: false,
      title: `Drifted file ${d.path}`,
      summary: `Drifted file ${d.path} (${d.severity})`,
      ruleSummary: `Drifted file ${d.path} (${d.severity}): ${d.ruleId}`,
      paths: [d.path],
      packages: [],
      drift: d,
    }) as unknown as Finding,
};

const kinds = FINDING_KINDS as FindingKind[];
before(() => kinds.push(driftKind as FindingKind));
after(() => kinds.splice(kinds.indexOf(driftKind as FindingKind), 1));

const L1 = `sha256:${'a'.repeat(64)}` as Digest;
const NOW = new Date('2026-06-01T00:00:00Z');

function result(): WithDrift {
  return {
    schemaVersion: 1,
    scanners: ['secret', 'drift'],
    inventory: {
      schemaVersion: 1,
      tool: { name: 'customs', version: '0.1.0' },
      createdAt: '2026-01-01T00:00:00.000Z',
      target: {
        name: 'oci:app',
        transport: 'oci',
        configDigest: L1,
        repoDigests: [],
        repoTags: [],
        layers: [{ diffID: L1, digest: L1, mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
      },
      packages: [],
      unknowns: [],
    },
    vulnerabilities: [],
    notes: [],
    secrets: [
      {
        ruleId: 'aws-access-key-id',
        category: 'AWS',
        title: 'AWS access key ID',
        severity: 'critical',
        match: 'AKIA****************',
        location: 'app/.env',
        path: 'app/.env',
        layer: L1,
        line: 3,
      },
    ],
    drift: [
      { ruleId: 'drift-binary', path: 'usr/bin/miner', severity: 'high' },
      { ruleId: 'drift-config', path: 'etc/motd', severity: 'low' },
      { ruleId: 'drift-accepted', path: 'opt/tool', severity: 'high' },
    ],
  };
}

test('findingsOf and mapFindings see a kind that only FINDING_KINDS names', () => {
  const r = result();
  assert.deepEqual(
    findingsOf(r).map((f) => `${f.kind}:${f.id}`),
    [
      'secret:aws-access-key-id@app/.env:3',
      'drift:drift-binary@usr/bin/miner',
      'drift:drift-config@etc/motd',
      'drift:drift-accepted@opt/tool',
    ],
  );
  const kept = mapFindings(r, (f) => f.severity !== 'low') as WithDrift;
  assert.deepEqual(
    kept.drift?.map((d) => d.path),
    ['usr/bin/miner', 'opt/tool'],
  );
  assert.equal(kept.secrets?.length, 1);
  // A section of a scanner that did not run stays absent.
  assert.equal('malware' in kept, false);
});

test('the sixth kind is filtered, suppressed, judged and rendered by every writer', () => {
  const ignore = { file: '.trivyignore', entries: parseIgnoreFile('drift-accepted\n', '.trivyignore') };
  const outcome = judge(result(), { severities: ['critical', 'high'], ignore }, NOW);
  const left = outcome.result as WithDrift;
  // Filter: the low drift is gone; suppress: the ignored one is listed as suppressed.
  assert.deepEqual(
    left.drift?.map((d) => d.path),
    ['usr/bin/miner', 'opt/tool'],
  );
  assert.deepEqual(
    outcome.verdict.suppressed.map((s) => `${s.by}:${s.finding.kind}:${s.finding.id}`),
    ['ignorefile:drift:drift-accepted@opt/tool'],
  );
  // Judge: the gate's any-finding rule names the drift that is left, and the secret.
  const rule = outcome.verdict.rules.find((r) => r.ruleId === 'cli.any-finding');
  assert.deepEqual(
    rule?.findings.map((f) => f.id),
    ['aws-access-key-id@app/.env:3', 'drift-binary@usr/bin/miner'],
  );
  assert.equal(outcome.verdict.status, 'fail');
  // Writers: each one that carries every kind shows the drift finding.
  for (const w of SCAN_WRITERS) {
    const text = w.render(outcome.result, { verdict: outcome.verdict });
    if ('kinds' in w) {
      assert.ok(
        !(w.kinds as readonly string[]).includes('drift'),
        `${w.format} is restricted to ${w.kinds.join(', ')}`,
      );
      continue;
    }
    assert.ok(text.includes('usr/bin/miner'), `${w.format} shows the drift finding`);
    assert.ok(!text.includes('etc/motd'), `${w.format} does not show the filtered drift finding`);
  }
});
