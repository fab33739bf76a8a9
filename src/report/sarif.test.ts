import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { testdata } from '../core/test-support/testdata.js';
import { pathToUri, renderSarif } from './sarif.js';
import { sampleResult, sampleVerdict } from './test-support/machine-sample.js';
import { writerTester } from './test-support/writer-tester.js';

type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((ajvFormats as unknown as { default?: AddFormats }).default ??
  (ajvFormats as unknown as AddFormats)) as AddFormats;

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region?: { startLine: number; endLine?: number; startColumn?: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; justification: string }[];
  properties: Record<string, unknown>;
}
interface SarifRule {
  id: string;
  help: { text: string; markdown: string };
  helpUri?: string;
  properties: { 'security-severity': string; tags: string[] };
}
interface SarifLog {
  version: string;
  runs: { tool: { driver: { name: string; version: string; rules: SarifRule[] } }; results: SarifResult[] }[];
}

const here = import.meta.url;
const schemaValidator = (() => {
  // The SARIF 2.1.0 JSON schema as Microsoft's sarif-multitool 5.7.0 ships it (sarif-2.1.0.json).
  const schema = JSON.parse(readFileSync(testdata(here, 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
})();

function parse(text: string): SarifLog {
  return JSON.parse(text) as SarifLog;
}

test('SARIF validates against the SARIF 2.1.0 JSON schema, with and without a verdict; the schema rejects a broken log', () => {
  for (const opts of [{}, { verdict: sampleVerdict(), dockerfile: { path: 'docker/Dockerfile', fromLine: 1 } }]) {
    const doc = JSON.parse(renderSarif(sampleResult(), opts)) as unknown;
    assert.equal(schemaValidator(doc), true, JSON.stringify(schemaValidator.errors, null, 2));
  }
  const broken = JSON.parse(renderSarif(sampleResult())) as { runs: { results: { level: string }[] }[] };
  (broken.runs[0]?.results[0] as { level: string }).level = 'fatal';
  assert.equal(schemaValidator(broken), false);
});

test('SARIF: one rule per ID with help, helpUri and security-severity; results point at the right place', () => {
  const log = parse(
    renderSarif(sampleResult(), { verdict: sampleVerdict(), dockerfile: { path: 'docker/Dockerfile', fromLine: 2 } }),
  );
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  assert.ok(run);
  assert.equal(run.tool.driver.name, 'customs');
  assert.equal(run.tool.driver.version, '0.1.0');
  const ids = run.tool.driver.rules.map((r) => r.id);
  assert.deepEqual(ids, [...new Set(ids)].sort());
  assert.deepEqual(ids, [
    'CUS-DF-004',
    'CUS-IMG-001',
    'CVE-2023-32681',
    'CVE-2023-38545',
    'CVE-2024-0001',
    'malware/xmrig',
    'secret/aws-access-key-id',
    'secret/github-pat',
  ]);
  const rule = (id: string): SarifRule => run.tool.driver.rules.find((r) => r.id === id) as SarifRule;
  // CVSS score when there is one, else a number in GitHub's band for the severity.
  assert.equal(rule('CVE-2023-38545').properties['security-severity'], '9.8');
  assert.equal(rule('CVE-2023-32681').properties['security-severity'], '6.1');
  assert.equal(rule('CVE-2024-0001').properties['security-severity'], '2.0');
  assert.equal(rule('secret/aws-access-key-id').properties['security-severity'], '9.5');
  assert.match(rule('CVE-2023-38545').help.text, /Upgrade curl from 7\.88\.1-10\+deb12u1 to 7\.88\.1-10\+deb12u4/);
  assert.match(rule('CVE-2023-38545').help.text, /rebuilding on a newer base image/);
  assert.match(rule('CVE-2023-38545').help.markdown, /\| curl \| 7\.88\.1-10\+deb12u1 \| 7\.88\.1-10\+deb12u4 \|/);
  assert.equal(rule('CVE-2023-38545').helpUri, 'https://security-tracker.debian.org/tracker/CVE-2023-38545');
  assert.ok(rule('CVE-2023-38545').properties.tags.includes('security'));

  const result = (id: string): SarifResult => run.results.find((r) => r.ruleId === id) as SarifResult;
  for (const r of run.results) assert.equal(ids[r.ruleIndex], r.ruleId);
  // Base-layer finding with a known Dockerfile: the FROM line.
  assert.deepEqual(result('CVE-2023-38545').locations[0]?.physicalLocation, {
    artifactLocation: { uri: 'docker/Dockerfile' },
    region: { startLine: 2 },
  });
  assert.equal(result('CVE-2023-38545').level, 'error');
  assert.match(result('CVE-2023-38545').message.text, /fail no-critical/);
  // App-layer finding: the package's file inside the image, percent-encoded.
  assert.equal(
    result('CVE-2024-0001').locations[0]?.physicalLocation.artifactLocation.uri,
    'app/node%20modules/odd%20pkg/package.json',
  );
  assert.equal(result('CVE-2024-0001').level, 'note');
  assert.equal(result('CVE-2023-32681').level, 'warning');
  // Misconfiguration at its file:line; secret at line and column.
  assert.deepEqual(result('CUS-DF-004').locations[0]?.physicalLocation.region, { startLine: 4, endLine: 5 });
  assert.deepEqual(result('secret/aws-access-key-id').locations[0]?.physicalLocation, {
    artifactLocation: { uri: 'app/.env' },
    region: { startLine: 3, startColumn: 5 },
  });
  // Suppressed by VEX (through an alias) and by an exception; others not.
  assert.equal(result('CVE-2023-32681').suppressions?.[0]?.status, 'accepted');
  assert.match(
    result('CVE-2023-32681').suppressions?.[0]?.justification ?? '',
    /vex: no proxy.*not_affected.*vulnerable_code_not_in_execute_path/,
  );
  assert.match(
    result('CUS-IMG-001').suppressions?.[0]?.justification ?? '',
    /exception: init container needs root; owner team-a; expires 2026-12-31/,
  );
  assert.equal(result('CVE-2023-38545').suppressions, undefined);
  assert.deepEqual(result('CVE-2023-38545').properties.remediation, [
    'Policy remediation: rebuild on a newer base image to get curl 7.88.1-10+deb12u4 (from 7.88.1-10+deb12u1) (clears no-critical).',
  ]);
  // Fingerprints: present, distinct, stable.
  const fps = run.results.map((r) => r.partialFingerprints['customsFinding/v1']);
  assert.equal(new Set(fps).size, run.results.length);
});

test('SARIF: without a Dockerfile, base-layer findings point at the package file; output is deterministic', () => {
  const run = parse(writerTester('sarif').renders(sampleResult()).deterministic().text).runs[0];
  const curl = run?.results.find((r) => r.ruleId === 'CVE-2023-38545');
  assert.equal(curl?.locations[0]?.physicalLocation.artifactLocation.uri, 'var/lib/dpkg/status');
  // A version upgrade keeps the fingerprint (GitHub tracks the alert across scans).
  const upgraded = sampleResult();
  const v = upgraded.vulnerabilities[0];
  assert.ok(v);
  const b = renderSarif({ ...upgraded, vulnerabilities: [{ ...v, installedVersion: '7.88.1-10+deb12u2' }] });
  assert.equal(
    parse(b).runs[0]?.results[0]?.partialFingerprints['customsFinding/v1'],
    curl?.partialFingerprints['customsFinding/v1'],
  );
  assert.equal(pathToUri('/a b/c#d?.txt'), 'a%20b/c%23d%3F.txt');
});

/**
 * Microsoft's SARIF validator (sarif-multitool, which applies the SARIF
 * spec's rules beyond the schema). Packed at test time into a cache dir,
 * not a dependency.
 */
function multitool(): string {
  const dir = join(tmpdir(), 'customs-sarif-multitool');
  const bin = join(dir, 'package', 'Sarif.Multitool');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['pack', '@microsoft/sarif-multitool-linux@5.7.0', '--silent'], {
      cwd: dir,
      stdio: 'pipe',
      timeout: 300_000,
    });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack produced no tarball');
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
  }
  chmodSync(bin, 0o755);
  return bin;
}

test("SARIF passes Microsoft's sarif-multitool validator with no errors", { timeout: 600_000 }, (t) => {
  const bin = multitool();
  const dir = mkdtempSync(join(tmpdir(), 'customs-sarif-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, opts] of [
    ['plain', {}],
    ['gate', { verdict: sampleVerdict(), dockerfile: { path: 'Dockerfile', fromLine: 1 } }],
  ] as const) {
    const file = join(dir, `${name}.sarif`);
    const out = join(dir, `${name}.result.sarif`);
    writeFileSync(file, renderSarif(sampleResult(), opts));
    try {
      execFileSync(bin, ['validate', file, '-o', out], {
        env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
        stdio: 'pipe',
        timeout: 120_000,
      });
    } catch (e) {
      // The validator exits non-zero when it finds errors; the output file says which.
      if (!existsSync(out)) throw e;
    }
    const validation = JSON.parse(readFileSync(out, 'utf8')) as {
      runs: { results?: { level?: string; ruleId: string; message: { text?: string; arguments?: string[] } }[] }[];
    };
    const errors = (validation.runs[0]?.results ?? []).filter((r) => r.level === 'error');
    assert.deepEqual(errors, [], `${name}: ${JSON.stringify(errors, null, 2)}`);
  }
  // The validator does report errors: a ruleIndex past the rules array (SARIF1009).
  const bad = JSON.parse(renderSarif(sampleResult())) as { runs: { results: { ruleIndex: number }[] }[] };
  (bad.runs[0]?.results[0] as { ruleIndex: number }).ruleIndex = 99;
  writeFileSync(join(dir, 'bad.sarif'), JSON.stringify(bad));
  try {
    execFileSync(bin, ['validate', join(dir, 'bad.sarif'), '-o', join(dir, 'bad.out')], {
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
      stdio: 'pipe',
      timeout: 120_000,
    });
  } catch {
    // exit status is not the contract; the results are
  }
  const badOut = JSON.parse(readFileSync(join(dir, 'bad.out'), 'utf8')) as {
    runs: { results?: { level?: string; ruleId: string }[] }[];
  };
  assert.ok((badOut.runs[0]?.results ?? []).some((r) => r.level === 'error' && r.ruleId === 'SARIF1009'));
});
