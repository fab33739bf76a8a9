/**
 * The harness catches what it promises (docs/security.md "Fuzzing"): another
 * exception type, a hang, a memory blow-up and a malformed result, each shrunk,
 * saved and replayable; a clean parser yields nothing. Targets with planted
 * bugs stand in for customs' parsers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Finding, type FuzzReport, runFuzz } from './harness.js';
import { Sandbox } from './sandbox.js';

const TARGETS = new URL('./self-test-targets.js', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'customs-fuzz-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const options = {
  targetsModule: TARGETS,
  shrinkSeconds: 4,
  inputMs: 1500,
  memoryMb: 128,
  jobs: 2,
  findingsDir: dir,
  root: dir,
  log: () => {},
};

let report: FuzzReport | undefined;
async function fuzzed(): Promise<FuzzReport> {
  report ??= await runFuzz({ ...options, seconds: 12, seed: 42 });
  return report;
}

const only = (r: FuzzReport, target: string): Finding[] => r.findings.filter((f) => f.target === target);

test('another exception type is a crash, shrunk to the smallest input', async () => {
  const [f, ...rest] = only(await fuzzed(), 'throws');
  assert.equal(rest.length, 0);
  assert.equal(f?.kind, 'crash');
  assert.match(f?.summary ?? '', /^TypeError: self-test: planted TypeError/);
  assert.deepEqual([...(f?.input.bytes ?? [])], [0x42]);
  // Saved and replayable: the .bin holds the input, the .json says how to replay it.
  const meta = JSON.parse(readFileSync(join(dir, f?.file ?? ''), 'utf8')) as {
    replay: string[];
    input: { file: string };
  };
  assert.deepEqual([...readFileSync(join(dir, meta.input.file))], [0x42]);
  assert.ok(meta.replay.some((r) => r.includes('--replay')));
  assert.ok(meta.replay.some((r) => r.includes(`FUZZ_SEED=${f?.seed}`) && r.includes(`FUZZ_PATH=${f?.path}`)));
});

test('an input that never returns is a hang, reported with its input', async () => {
  const [f] = only(await fuzzed(), 'loops');
  assert.equal(f?.kind, 'hang');
  assert.equal(f?.input.bytes[0], 7);
});

test('an input that takes more memory than the budget is a memory finding', async () => {
  const [f] = only(await fuzzed(), 'allocates');
  assert.equal(f?.kind, 'memory');
  assert.ok(f?.input.bytes.some((b) => b % 32 === 9));
});

test('a malformed result is a finding; a clean parser gives none', async () => {
  const r = await fuzzed();
  const [f] = only(r, 'malformed');
  assert.equal(f?.kind, 'malformed');
  assert.equal(f?.input.bytes.length, 3);
  assert.deepEqual(only(r, 'clean'), []);
  const clean = r.targets.find((t) => t.target === 'clean');
  assert.ok((clean?.runs ?? 0) > 100, `the clean target ran ${clean?.runs} inputs`);
  assert.ok((clean?.rejected.get('ANALYZE_FILE_INVALID') ?? 0) > 0, 'rejections are counted, not reported');
});

test('seed and path regenerate the same counterexample', async () => {
  const [f] = only(await fuzzed(), 'throws');
  assert.ok(f?.seed !== undefined && f.path !== undefined);
  const again = await runFuzz({
    ...options,
    seconds: 5,
    only: ['throws'],
    seed: f.seed,
    path: f.path,
    findingsDir: join(dir, 'again'),
  });
  const [g] = again.findings;
  assert.equal(g?.kind, 'crash');
  assert.deepEqual([...(g?.input.bytes ?? [])], [0x42]);
});

test('the sandbox survives a killed child: the next input runs in a fresh one', async () => {
  const sandbox = new Sandbox({ targetsModule: TARGETS, inputMs: 1000, memoryMb: 128 });
  try {
    assert.equal((await sandbox.run('loops', { bytes: new Uint8Array([7]), knob: 0 })).kind, 'hang');
    assert.equal((await sandbox.run('loops', { bytes: new Uint8Array([1]), knob: 0 })).kind, 'ok');
    assert.equal((await sandbox.run('clean', { bytes: new Uint8Array(9), knob: 0 })).kind, 'rejected');
  } finally {
    sandbox.close();
  }
});
