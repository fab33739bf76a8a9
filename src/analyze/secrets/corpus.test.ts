import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ImageConfig } from '../../image/index.js';
import { DEFAULT_SECRET_CONFIG } from './config.js';
import { scanImageConfig } from './image-config.js';
import { createRuleSet } from './rule-set.js';
import { scanBytes } from './scan-text.js';

/** test/corpus/secrets of the repository (tests run from dist/analyze/secrets/). */
const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'corpus', 'secrets');

interface Manifest {
  readonly deleted: readonly string[];
  readonly negatives: readonly string[];
  readonly env: readonly string[];
  readonly buildArgs: readonly string[];
  readonly expected: readonly { path: string; line: number; ruleId: string }[];
  readonly expectedConfig: readonly { source: 'env' | 'buildArg'; name: string; ruleId: string }[];
}
const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as Manifest;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Precision and recall of `found` against `expected` (sets of keys). */
function score(
  found: readonly string[],
  expected: readonly string[],
): { precision: number; recall: number; missed: string[]; extra: string[] } {
  const want = new Set(expected);
  const got = new Set(found);
  const tp = [...got].filter((k) => want.has(k)).length;
  return {
    precision: got.size === 0 ? 1 : tp / got.size,
    recall: want.size === 0 ? 1 : tp / want.size,
    missed: [...want].filter((k) => !got.has(k)),
    extra: [...got].filter((k) => !want.has(k)),
  };
}

test('corpus files: precision = recall = 1.0 on the built-in rules', () => {
  const set = createRuleSet(DEFAULT_SECRET_CONFIG);
  const root = join(CORPUS, 'files');
  const found: string[] = [];
  for (const file of files(root)) {
    const path = relative(root, file).split('\\').join('/');
    for (const s of scanBytes(readFileSync(file), path, set)) found.push(`${path}:${s.line}:${s.ruleId}`);
  }
  const expected = manifest.expected.map((e) => `${e.path}:${e.line}:${e.ruleId}`);
  const s = score(found, expected);
  assert.deepEqual({ missed: s.missed, extra: s.extra }, { missed: [], extra: [] });
  assert.equal(s.precision, 1);
  assert.equal(s.recall, 1);
  // The manifest's own consistency: deleted files hold expected secrets, negatives hold none.
  for (const d of manifest.deleted)
    assert.ok(
      manifest.expected.some((e) => e.path === d),
      d,
    );
  for (const n of manifest.negatives) assert.ok(!manifest.expected.some((e) => e.path === n), n);
});

test('corpus ENV and build args: found in the config and history as the builders record them', () => {
  const config: ImageConfig = {
    rootfs: { type: 'layers', diff_ids: [] },
    config: { Env: [...manifest.env] },
    history: [
      { created_by: `|${manifest.buildArgs.length} ${manifest.buildArgs.join(' ')} /bin/sh -c npm ci` },
      {
        created_by: `RUN |${manifest.buildArgs.length} ${manifest.buildArgs.join(' ')} /bin/sh -c ./build.sh # buildkit`,
      },
    ],
  };
  const found = scanImageConfig(config).map((f) => `${f.location}:${f.ruleId}`);
  const expected = manifest.expectedConfig.flatMap((e) =>
    e.source === 'env'
      ? [`config Env[${manifest.env.findIndex((v) => v.startsWith(`${e.name}=`))}] (ENV ${e.name}):${e.ruleId}`]
      : [`history[0] created_by (ARG ${e.name}):${e.ruleId}`, `history[1] created_by (ARG ${e.name}):${e.ruleId}`],
  );
  const s = score(found, expected);
  assert.deepEqual({ missed: s.missed, extra: s.extra }, { missed: [], extra: [] });
});
