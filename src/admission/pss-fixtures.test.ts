/**
 * Kubernetes' own Pod Security Admission fixtures (testdata/pss/README.md):
 * the webhook, enforcing a level, answers as the fixture's folder says, and
 * as `customs scan k8s` does on the same YAML (the checks of that level).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkKubernetes, KUBERNETES_CHECKS } from '../checks/index.js';
import { AdmissionController } from './admission-controller.js';
import { admissionConfigOf } from './config.js';
import { admissionReview } from './test-support/kubectl.js';

// dist/admission → src/admission/testdata (the YAML is not copied by tsc).
const ROOT = fileURLToPath(new URL('../../src/admission/testdata/pss/', import.meta.url));
const never = new AbortController().signal;

for (const level of ['baseline', 'restricted'] as const) {
  const ids = new Set(
    KUBERNETES_CHECKS.filter(
      (c) => c.standards.pss === 'baseline' || (level === 'restricted' && c.standards.pss === level),
    ).map((c) => c.id),
  );
  const controller = new AdmissionController({
    config: admissionConfigOf({ rules: [{ name: `pss-${level}`, mode: 'enforce', pss: level }] }, 'test'),
  });
  for (const outcome of ['pass', 'fail'] as const) {
    const dir = join(ROOT, level, outcome);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    test(`${level}/${outcome}: ${files.length} PSA fixtures`, async () => {
      assert.ok(files.length >= 2);
      for (const f of files) {
        const text = readFileSync(join(dir, f), 'utf8');
        const scanFindings = checkKubernetes(text, f).filter((m) => ids.has(m.checkId));
        const r = await controller.validate(admissionReview(parse(text) as Record<string, unknown>), never);
        assert.equal(
          r.allowed,
          outcome === 'pass',
          `${level}/${outcome}/${f}: webhook says allowed=${r.allowed} (${r.status?.message ?? ''})`,
        );
        assert.equal(scanFindings.length === 0, r.allowed, `${f}: customs scan k8s and the webhook disagree`);
        for (const m of scanFindings)
          assert.ok(r.status?.message.includes(m.checkId), `${f}: ${m.checkId} missing from the denial`);
      }
    });
  }
}
