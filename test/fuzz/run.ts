/**
 * `make fuzz` and the fuzz step of `make test` (docs/security.md "Fuzzing").
 *
 *   node dist-test/test/fuzz/run.js                  fuzz every target (settings from the environment)
 *   node dist-test/test/fuzz/run.js --replay F.json  parse one saved finding again, print how it ends
 *   node dist-test/test/fuzz/run.js --list           list the targets and their entry points
 *
 * Environment: FUZZ_SECONDS (search time, all targets; 600), FUZZ_SEED (base seed;
 * random when unset), FUZZ_TARGETS (comma-separated names), FUZZ_PATH (with
 * FUZZ_SEED and one target: regenerate a counterexample), FUZZ_INPUT_MS (deadline
 * of one parse; 3000), FUZZ_MEMORY_MB (memory budget of one parse; 512), FUZZ_JOBS
 * (parallel lanes; 2), FUZZ_SHRINK_SECONDS (per new failure; 30), FUZZ_RUNS (at most
 * this many inputs per target), FUZZ_FINDINGS (folder; test/fuzz/findings).
 * Exit status 1 when anything was found.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, runFuzz } from './harness.js';
import type { FuzzTarget } from './protocol.js';
import { Sandbox } from './sandbox.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TARGETS_MODULE = new URL('./targets/index.js', import.meta.url).href;

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw} is not a non-negative number`);
  return n;
}

const inputMs = num('FUZZ_INPUT_MS', 3000);
const memoryMb = num('FUZZ_MEMORY_MB', 512);
const args = process.argv.slice(2);

if (args[0] === '--list') {
  const { TARGETS } = (await import(TARGETS_MODULE)) as { TARGETS: readonly FuzzTarget[] };
  for (const t of TARGETS) console.log(`${t.name.padEnd(16)} ${t.entry}`);
} else if (args[0] === '--replay') {
  const file = args[1];
  if (!file) throw new Error('--replay needs the .json of a finding');
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { target: string; input: { file: string; knob: number } };
  const bytes = readFileSync(join(dirname(file), meta.input.file));
  const sandbox = new Sandbox({ targetsModule: TARGETS_MODULE, inputMs, memoryMb });
  try {
    const o = await sandbox.run(meta.target, { bytes: new Uint8Array(bytes), knob: meta.input.knob });
    console.log(`${meta.target}: ${o.kind} — ${describe(o)}`);
    if (o.kind === 'crash' && o.stack) console.log(o.stack);
    if (o.kind === 'malformed') for (const p of o.problems) console.log(`  ${p}`);
    process.exitCode = o.kind === 'ok' || o.kind === 'rejected' ? 0 : 1;
  } finally {
    sandbox.close();
  }
} else {
  const only = (process.env.FUZZ_TARGETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const path = process.env.FUZZ_PATH || undefined;
  const seedRaw = process.env.FUZZ_SEED;
  if (path !== undefined && (only.length !== 1 || !seedRaw))
    throw new Error('FUZZ_PATH replays one counterexample: set FUZZ_TARGETS to one target and FUZZ_SEED too');
  const seed = seedRaw ? num('FUZZ_SEED', 0) >>> 0 : randomInt(2 ** 31);
  const runs = process.env.FUZZ_RUNS ? num('FUZZ_RUNS', 0) : undefined;
  const report = await runFuzz({
    targetsModule: TARGETS_MODULE,
    ...(only.length > 0 ? { only } : {}),
    seconds: num('FUZZ_SECONDS', 600),
    shrinkSeconds: num('FUZZ_SHRINK_SECONDS', 30),
    inputMs,
    memoryMb,
    jobs: num('FUZZ_JOBS', 2),
    seed,
    ...(path !== undefined ? { path } : {}),
    ...(runs !== undefined ? { runs } : {}),
    findingsDir: resolve(process.env.FUZZ_FINDINGS || join(ROOT, 'test/fuzz/findings')),
    root: ROOT,
    log: (line) => console.log(line),
  });
  const n = report.findings.length;
  console.log(
    n === 0
      ? `fuzz: no findings (seed ${report.seed})`
      : `fuzz: ${n} finding(s) (seed ${report.seed}); inputs saved under test/fuzz/findings/`,
  );
  for (const e of report.errors) console.log(`fuzz: harness error: ${e}`);
  // Exit now: a straggling predicate of an interrupted run must not keep the process alive.
  process.exit(n > 0 || report.errors.length > 0 ? 1 : 0);
}
