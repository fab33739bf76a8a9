import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkDockerfile } from './dockerfile/check-dockerfile.js';
import { checkKubernetes } from './kubernetes/check-kubernetes.js';
import type { Misconfiguration } from './types.js';

/** test/corpus/misconfig: files with `# expect: CHECK-ID LINE` comments (see its README). */
const CORPUS = fileURLToPath(new URL('../../test/corpus/misconfig/', import.meta.url));

function expected(text: string): string[] {
  return [...text.matchAll(/^#\s*expect:\s*(\S+)\s+(\d+)\s*$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
}

function actual(list: readonly Misconfiguration[]): string[] {
  return list.map((f) => `${f.checkId} ${f.location?.startLine ?? 0}`).sort();
}

/** Multiset difference a − b. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const rest = [...b];
  return a.filter((x) => {
    const i = rest.indexOf(x);
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

test('misconfiguration corpus: precision = recall = 1.0', () => {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  const problems: string[] = [];
  for (const kind of ['dockerfile', 'kubernetes'] as const) {
    for (const name of readdirSync(join(CORPUS, kind)).sort()) {
      const text = readFileSync(join(CORPUS, kind, name), 'utf8');
      const got = actual(
        kind === 'dockerfile'
          ? checkDockerfile(text, name)
          : checkKubernetes(text, name, { allowedRegistries: ['registry.example.com'] }),
      );
      const want = expected(text);
      const fp = minus(got, want);
      const fn = minus(want, got);
      truePositives += got.length - fp.length;
      falsePositives += fp.length;
      falseNegatives += fn.length;
      if (fp.length > 0) problems.push(`${kind}/${name}: unexpected ${fp.join(', ')}`);
      if (fn.length > 0) problems.push(`${kind}/${name}: missing ${fn.join(', ')}`);
    }
  }
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, truePositives + falseNegatives);
  assert.deepEqual(problems, []);
  assert.equal(precision, 1);
  assert.equal(recall, 1);
  assert.ok(truePositives > 40, `the corpus should exercise many checks (got ${truePositives} findings)`);
});
