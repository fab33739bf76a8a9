import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderChecksDoc } from './checks-doc.js';
import { DOCKERFILE_CHECKS, HISTORY_CHECKS } from './dockerfile/registry.js';
import { IMAGE_CHECKS } from './image/registry.js';
import { KUBERNETES_CHECKS } from './kubernetes/registry.js';

const DOC = new URL('../../docs/checks.md', import.meta.url);

test('docs/checks.md is generated from the registries', () => {
  const want = renderChecksDoc();
  if (process.env.UPDATE_GOLDEN) writeFileSync(DOC, want);
  assert.equal(readFileSync(DOC, 'utf8'), want, 'run UPDATE_GOLDEN=1 to regenerate docs/checks.md');
});

test('check ids are unique, well-formed and every check is documented', () => {
  const all = [...IMAGE_CHECKS, ...DOCKERFILE_CHECKS, ...KUBERNETES_CHECKS];
  const ids = all.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate check id');
  for (const c of all) {
    assert.match(c.id, /^CUS-(IMG|DF|K8S)-\d{3}$/);
    assert.ok(c.rationale.length > 20 && c.remediation.length > 10, `${c.id} needs a rationale and a fix`);
    assert.ok(c.references.length > 0 && c.references.every((r) => r.startsWith('https://')), `${c.id} references`);
  }
  for (const h of HISTORY_CHECKS) assert.ok(DOCKERFILE_CHECKS.includes(h), `${h.id} is a Dockerfile check`);
});
