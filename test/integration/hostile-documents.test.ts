/**
 * Documents handed to `customs gate` that are built to break it: a CycloneDX
 * VEX whose analysis state is an Object.prototype member, a VEX nested
 * 200,000 deep, a policy nested 200,000 deep. Each is an input error (exit 3,
 * VEX_INVALID / POLICY_INVALID) whose message names the file and the problem,
 * never an internal error (exit 4) or a stack trace.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeDockerArchive } from '../../src/image/test-support/image-fixtures.js';
import { freshDir, runCustoms } from '../support/images.js';

let dir = '';
let archive = '';
const POLICY = 'apiVersion: customs/v1\nkind: Policy\nrules:\n  - {id: r, action: fail, message: m, secrets: {}}\n';

before(async () => {
  dir = await freshDir('hostile-documents');
  archive = join(dir, 'plain.tar');
  writeDockerArchive(archive, [{ tags: ['plain:1'], image: { layers: [{ files: [{ path: 'etc/', type: 'dir' }] }] } }]);
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
});

async function gate(extra: readonly string[]): Promise<{ code: number; stderr: string }> {
  const r = await runCustoms(['gate', `docker-archive:${archive}`, '--scanners', 'secret', ...extra], {
    CUSTOMS_CACHE_DIR: join(dir, 'cache'),
  });
  return { code: r.code, stderr: r.stderr };
}

test('a CycloneDX VEX with analysis.state "constructor" is VEX_INVALID, exit 3', async () => {
  const vex = join(dir, 'proto.vex.json');
  writeFileSync(
    vex,
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      vulnerabilities: [{ id: 'CVE-2024-1', analysis: { state: 'constructor' }, affects: [{ ref: 'pkg:npm/a@1' }] }],
    }),
  );
  const r = await gate(['--policy', join(dir, 'policy.yaml'), '--vex', vex]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /proto\.vex\.json: CycloneDX VEX is invalid/);
  assert.match(r.stderr, /analysis\.state: "constructor" is not a CycloneDX impact analysis state/);
  assert.match(r.stderr, /\[VEX_INVALID\]/);
});

test('a VEX nested 200,000 deep is VEX_INVALID, exit 3, not a crash', async () => {
  const vex = join(dir, 'deep.vex.json');
  const n = 200_000;
  writeFileSync(
    vex,
    `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[${'{"components":['.repeat(n)}${']}'.repeat(n)}]}`,
  );
  const r = await gate(['--policy', join(dir, 'policy.yaml'), '--vex', vex]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /deep\.vex\.json: nested more than 256 levels deep at \/components\/0\/components\//);
  assert.match(r.stderr, /\[VEX_INVALID\]/);
});

test('a policy nested 200,000 deep is POLICY_INVALID, exit 3', async () => {
  const policy = join(dir, 'deep.yaml');
  const n = 200_000;
  writeFileSync(policy, `${POLICY}exceptions: ${'['.repeat(n)}${']'.repeat(n)}\n`);
  const r = await gate(['--policy', policy]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /deep\.yaml: line 5: nested more than 256 levels deep/);
  assert.match(r.stderr, /\[POLICY_INVALID\]/);
});
