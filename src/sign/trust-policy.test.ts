import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { parseNormalizedReference } from '../image/index.js';
import { generateKeyPair } from './keys.js';
import { imageMatches, loadTrustPolicy, parseTrustPolicy, ruleFor } from './trust-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'customs-trust-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'release.pub'), generateKeyPair('x').publicKey);
writeFileSync(
  join(dir, 'root.json'),
  JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' }),
);

const parse = (text: string) => parseTrustPolicy(text, 'policy.yaml', dir, (p) => readFileSync(p, 'utf8'));

function invalid(text: string, re: RegExp): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => e instanceof CustomsError && e.code === 'TRUST_POLICY_INVALID' && re.test(e.message),
  );
}

describe('trust policy', () => {
  test('patterns are globs over the normalised repository; the first matching rule decides', async () => {
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      `version: 1
trustedRoot: root.json
rules:
  - name: prod
    images: ["registry.example.com/prod/*"]
    signatures:
      minimum: 2
      keys: [release.pub]
      identities:
        - issuer: https://token.actions.githubusercontent.com
          subjectRegExp: '^https://github\\.com/org/.*$'
    attestations:
      - type: cyclonedx
  - name: hub
    images: [nginx, "docker.io/library/**"]
    signatures:
      keys: [release.pub]
`,
    );
    const p = await loadTrustPolicy(file);
    const ref = (s: string) => parseNormalizedReference(s);
    assert.equal(ruleFor(p, ref('registry.example.com/prod/app:1'))?.name, 'prod');
    assert.equal(ruleFor(p, ref('registry.example.com/prod/team/app:1')), undefined, '* stays inside one component');
    assert.equal(ruleFor(p, ref('nginx:1.25'))?.name, 'hub');
    assert.equal(ruleFor(p, ref('docker.io/library/redis'))?.name, 'hub');
    const prod = p.rules[0];
    assert.equal(prod?.minimum, 2);
    assert.equal(prod?.signers.keys[0]?.name, 'release.pub');
    assert.equal(prod?.attestations[0]?.predicateType, 'https://cyclonedx.org/bom');
    assert.ok(prod?.signers.identities[0]?.subjectRegExp?.test('https://github.com/org/x'));
    assert.ok(imageMatches('**', ref('anything.example/x/y')));
    assert.ok(!imageMatches('registry.example.com/prod/app', ref('registry.example.com/prod/app2')));
  });

  test('mistakes are TRUST_POLICY_INVALID naming the field', () => {
    invalid('rules: []', /"version: 1" is required/);
    invalid('version: 1\nrules: []', /non-empty list/);
    invalid('version: 1\nrules:\n  - images: [a]\n    signatures: {keys: [missing.pub]}', /cannot read missing\.pub/);
    invalid('version: 1\nrules:\n  - images: [a]\n    sigantures: {}', /unknown field "sigantures"/);
    invalid('version: 1\nrules:\n  - images: [a]', /names no "keys" or "identities"/);
    invalid(
      'version: 1\nrules:\n  - images: [a]\n    signatures:\n      identities: [{issuer: x, subject: y}]',
      /need a top-level "trustedRoot"/,
    );
    invalid(
      'version: 1\ntrustedRoot: root.json\nrules:\n  - images: [a]\n    signatures:\n      identities: [{issuer: x, subject: y, subjectRegExp: z}]',
      /exactly one of "subject" and "subjectRegExp"/,
    );
    invalid('version: 1\nrules:\n  - images: [a]\n    signatures: {keys: [release.pub], minimum: -1}', /whole number/);
    invalid(
      'version: 1\nrules:\n  - images: [a]\n    signatures: {keys: [release.pub]}\n    attestations: [{type: sbom}]',
      /neither one of/,
    );
    invalid(
      'version: 1\nrules:\n  - {name: a, images: [a], signatures: {keys: [release.pub]}}\n  - {name: a, images: [b], signatures: {keys: [release.pub]}}',
      /used twice/,
    );
    invalid('version: 1\nversion: 1\nrules: []', /not valid YAML/);
  });

  test('minimum 0 with no attestations needs no signer (an explicit "nothing required" rule)', () => {
    const p = parse('version: 1\nrules:\n  - name: open\n    images: ["**"]\n    signatures: {minimum: 0}');
    assert.equal(p.rules[0]?.minimum, 0);
  });
});
