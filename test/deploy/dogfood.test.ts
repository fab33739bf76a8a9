/**
 * Dogfood: customs judges its own Dockerfile by the project's release policy
 * (deploy/policy.yaml). The image itself is gated, and its SBOM kept as a build artifact,
 * by scripts/release.sh in test/deploy/release.test.ts: one scan and one SBOM of the
 * image serve both the release and the dogfood.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, runCustoms } from '../support/images.js';

const policy = join(REPO_ROOT, 'deploy', 'policy.yaml');

describe('customs on its own Dockerfile', () => {
  test('the Dockerfile has no misconfiguration and passes the release policy', async () => {
    const scan = await runCustoms(['scan', 'dockerfile', join(REPO_ROOT, 'Dockerfile'), '-f', 'json', '-q']);
    assert.equal(scan.code, 0, scan.stderr);
    const result = JSON.parse(scan.stdout) as { misconfigurations: unknown[] };
    assert.deepEqual(result.misconfigurations, []);
    const gate = await runCustoms(['gate', 'dockerfile', join(REPO_ROOT, 'Dockerfile'), '--policy', policy, '-q']);
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
  });
});
