/**
 * The fuzzing harness: property-based (fast-check) runs of every target, each
 * input parsed in a sandboxed child process (sandbox.ts) under a time and a
 * memory budget. The property: a parse ends with a well-formed result or a
 * CustomsError, in time, within its memory budget. Anything else — another
 * exception type (TypeError, RangeError …), a malformed result, a hang, a
 * memory blow-up — is a finding: fast-check shrinks the input, the harness
 * saves it under the findings folder and prints how to replay it.
 *
 * Time: `seconds` of search are shared by the targets across `jobs` lanes.
 * Each target searches in rounds (seed, seed+1 …) until its share is spent;
 * a round stops at its first failure, which is then shrunk (at most
 * `shrinkSeconds`) by replaying fast-check's path. A failure with a signature
 * already seen (same kind, exception and place) is counted, not shrunk again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as fc from 'fast-check';
import type { FailureKind, FuzzInput, FuzzTarget, Outcome } from './protocol.js';
import { isFailure } from './protocol.js';
import { Sandbox } from './sandbox.js';

export interface FuzzOptions {
  /** URL of the module exporting TARGETS (the child imports it too). */
  readonly targetsModule: string;
  /** Only these targets (all when absent). */
  readonly only?: readonly string[];
  /** Search time for all targets together. */
  readonly seconds: number;
  /** Shrinking time for each new failure. */
  readonly shrinkSeconds: number;
  /** Deadline of one parse. */
  readonly inputMs: number;
  /** Memory budget of one parse (resident growth, MiB). */
  readonly memoryMb: number;
  readonly jobs: number;
  /** Base seed; each target mixes in its name, so targets reproduce alone. */
  readonly seed: number;
  /** Replay: fast-check path of a counterexample (with `seed` used as is, for one target). */
  readonly path?: string;
  /** At most this many inputs per target (unbounded when absent: time decides). */
  readonly runs?: number;
  readonly findingsDir: string;
  /** Repository root, for the paths printed in replay commands. */
  readonly root: string;
  readonly log: (line: string) => void;
}

export interface Finding {
  readonly target: string;
  readonly kind: FailureKind;
  readonly signature: string;
  readonly summary: string;
  readonly outcome: Outcome;
  readonly input: FuzzInput;
  /** fast-check seed and path that generate the input (absent for an escaped late exception). */
  readonly seed?: number;
  readonly path?: string;
  /** Where the input was saved (.bin) and described (.json). */
  readonly file: string;
  /** How many inputs hit the same signature. */
  hits: number;
}

export interface TargetReport {
  readonly target: string;
  runs: number;
  ok: number;
  readonly rejected: Map<string, number>;
  slowestMs: number;
  peakMb: number;
  readonly findings: Finding[];
  /** The harness itself failed on this target (a generator threw, a child would not start). */
  error?: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly targets: readonly TargetReport[];
  readonly findings: readonly Finding[];
  /** Targets the harness could not fuzz (see TargetReport.error). */
  readonly errors: readonly string[];
}

const debug = (line: string): void => {
  if (process.env.FUZZ_DEBUG) process.stderr.write(`[fuzz ${new Date().toISOString()}] ${line}\n`);
};

class FuzzFailure extends Error {
  constructor(readonly outcome: Outcome) {
    super(describe(outcome));
    this.name = 'FuzzFailure';
  }
}

/** The outcome a property failed on; any other error is the harness's own (a child that cannot start …). */
function failureOf(e: unknown): Outcome {
  if (e instanceof FuzzFailure) return e.outcome;
  throw e instanceof Error ? e : new Error(String(e));
}

/** One line saying what went wrong. */
export function describe(o: Outcome): string {
  switch (o.kind) {
    case 'crash':
      return `${o.name}: ${o.message.split('\n')[0]}`;
    case 'malformed':
      return `malformed result: ${o.problems.slice(0, 3).join('; ')}`;
    case 'hang':
      return `no result after ${o.ms} ms`;
    case 'memory':
      return o.detail;
    case 'rejected':
      return `rejected: ${o.code}`;
    default:
      return 'ok';
  }
}

/** Same kind, same exception, same place: one finding, however many inputs reach it. */
export function signature(o: Outcome): string {
  const norm = (s: string): string =>
    s
      .replace(/"[^"]*"|'[^']*'/g, '…')
      .replace(/\d+/g, 'N')
      .slice(0, 100);
  switch (o.kind) {
    case 'crash': {
      const frame = o.stack.split('\n').find((l) => /\/(src|node_modules)\//.test(l)) ?? '';
      const where = /\/((?:src|node_modules)\/[^:)]+)/.exec(frame)?.[1] ?? '';
      return `crash ${o.name}: ${norm(o.message)} @ ${where}`;
    }
    case 'malformed':
      return `malformed: ${norm(o.problems[0] ?? '')}`;
    default:
      return o.kind;
  }
}

function hashName(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32LE(0);
}

const hex = (b: Uint8Array, n: number): string => Buffer.from(b.subarray(0, n)).toString('hex');

function saveFinding(
  opts: FuzzOptions,
  target: string,
  outcome: Outcome,
  input: FuzzInput,
  seed: number | undefined,
  path: string | undefined,
): Finding {
  const kind = outcome.kind as FailureKind;
  const digest = createHash('sha256').update(input.bytes).update(String(input.knob)).digest('hex').slice(0, 12);
  mkdirSync(opts.findingsDir, { recursive: true });
  const base = join(opts.findingsDir, `${target}-${kind}-${digest}`);
  writeFileSync(`${base}.bin`, input.bytes);
  const rel = relative(opts.root, `${base}.json`);
  const replay = [`node dist-test/test/fuzz/run.js --replay ${rel}`];
  if (seed !== undefined && path !== undefined)
    replay.push(`make fuzz FUZZ_TARGETS=${target} FUZZ_SEED=${seed} FUZZ_PATH=${path}`);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify(
      {
        target,
        kind,
        summary: describe(outcome),
        signature: signature(outcome),
        outcome,
        input: { file: `${target}-${kind}-${digest}.bin`, size: input.bytes.length, knob: input.knob },
        ...(seed !== undefined ? { seed } : {}),
        ...(path !== undefined ? { path } : {}),
        replay,
      },
      null,
      2,
    )}\n`,
  );
  return {
    target,
    kind,
    signature: signature(outcome),
    summary: describe(outcome),
    outcome,
    input,
    ...(seed !== undefined ? { seed } : {}),
    ...(path !== undefined ? { path } : {}),
    file: rel,
    hits: 1,
  };
}

function printFinding(opts: FuzzOptions, f: Finding): void {
  const head = hex(f.input.bytes, 48);
  opts.log(`  FINDING [${f.target}] ${f.kind}: ${f.summary}`);
  opts.log(
    `    input: ${f.input.bytes.length} bytes, knob ${f.input.knob}, starts ${head}${f.input.bytes.length > 48 ? '…' : ''}`,
  );
  opts.log(`    saved: ${f.file} (and .bin)`);
  opts.log(`    replay: node dist-test/test/fuzz/run.js --replay ${f.file}`);
  if (f.seed !== undefined && f.path !== undefined)
    opts.log(`    regenerate: make fuzz FUZZ_TARGETS=${f.target} FUZZ_SEED=${f.seed} FUZZ_PATH=${f.path}`);
}

async function fuzzTarget(
  target: FuzzTarget,
  sandbox: Sandbox,
  opts: FuzzOptions,
  budgetMs: number,
  report: TargetReport,
  seen: Map<string, Finding>,
): Promise<void> {
  // Seeds and the child's start are not charged to the target's share of the time.
  const arb = target.arbitrary();
  await sandbox.warm();
  const count = (o: Outcome): void => {
    report.runs++;
    if (o.kind === 'ok') report.ok++;
    if (o.kind === 'rejected') report.rejected.set(o.code, (report.rejected.get(o.code) ?? 0) + 1);
    if ('peakMb' in o) report.peakMb = Math.max(report.peakMb, o.peakMb);
    report.slowestMs = Math.max(report.slowestMs, o.ms);
  };
  /** Failures met while shrinking toward another signature: kept, unshrunk, if new. */
  const stray: { outcome: Outcome; input: FuzzInput }[] = [];
  let wanted: string | undefined;
  const property = fc.asyncProperty(arb, async (input) => {
    debug(`${target.name}: run ${input.bytes.length} bytes`);
    const o = await sandbox.run(target.name, input);
    debug(`${target.name}: ${o.kind} in ${Math.round(o.ms)} ms`);
    count(o);
    if (!isFailure(o)) return;
    if (wanted !== undefined && signature(o) !== wanted) {
      stray.push({ outcome: o, input });
      return;
    }
    throw new FuzzFailure(o);
  });
  const record = (o: Outcome, input: FuzzInput, seed: number | undefined, path: string | undefined): void => {
    const sig = signature(o);
    const old = seen.get(sig);
    if (old) {
      old.hits++;
      return;
    }
    const f = saveFinding(opts, target.name, o, input, seed, path);
    seen.set(sig, f);
    report.findings.push(f);
    printFinding(opts, f);
  };

  const deadline = Date.now() + budgetMs;
  const exact = opts.path !== undefined;
  const base = exact ? opts.seed : (opts.seed ^ hashName(target.name)) >>> 0;
  for (let round = 0; Date.now() < deadline || exact; round++) {
    const seed = (base + round) >>> 0;
    wanted = undefined;
    debug(`${target.name}: round ${round}, seed ${seed}`);
    let details: fc.RunDetails<[FuzzInput]>;
    if (exact) {
      details = await fc.check<[FuzzInput]>(property, {
        seed,
        path: opts.path as string,
        plugins: [fc.interruptAfterTimeLimit(opts.shrinkSeconds * 1000)],
      });
    } else {
      const left = deadline - Date.now();
      details = await fc.check<[FuzzInput]>(property, {
        seed,
        numRuns: opts.runs ?? 2 ** 30,
        endOnFailure: true,
        plugins: [fc.interruptAfterTimeLimit(left)],
      });
    }
    if (!details.failed || details.counterexample === null) break;
    const first = failureOf(details.errorInstance);
    const sig = signature(first);
    const known = seen.get(sig);
    if (known) {
      known.hits++;
      if (exact) break;
      continue;
    }
    let best = { input: details.counterexample[0], outcome: first, path: details.counterexamplePath };
    if (!exact) {
      // Shrink: replay the failing path, failing only on this signature.
      wanted = sig;
      debug(`${target.name}: shrinking ${sig}`);
      const shrunk = await fc.check<[FuzzInput]>(property, {
        seed,
        path: details.counterexamplePath,
        plugins: [fc.interruptAfterTimeLimit(opts.shrinkSeconds * 1000)],
      });
      wanted = undefined;
      if (shrunk.failed && shrunk.counterexample !== null) {
        best = {
          input: shrunk.counterexample[0],
          outcome: failureOf(shrunk.errorInstance),
          path: shrunk.counterexamplePath,
        };
      }
    }
    record(best.outcome, best.input, seed, best.path);
    for (const s of stray.splice(0)) record(s.outcome, s.input, undefined, undefined);
    if (exact) break;
    if (opts.runs !== undefined && report.runs >= opts.runs) break;
  }
}

/** Run every selected target for its share of the time; findings are saved and returned. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const mod = (await import(opts.targetsModule)) as { TARGETS: readonly FuzzTarget[] };
  const all = mod.TARGETS;
  const unknown = (opts.only ?? []).filter((n) => !all.some((t) => t.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown fuzz target(s): ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`);
  const targets = opts.only ? all.filter((t) => opts.only?.includes(t.name)) : all;
  const jobs = Math.max(1, Math.min(opts.jobs, targets.length));
  const shareMs = (opts.seconds * 1000 * jobs) / Math.max(1, targets.length);
  const reports = targets.map(
    (t): TargetReport => ({
      target: t.name,
      runs: 0,
      ok: 0,
      rejected: new Map(),
      slowestMs: 0,
      peakMb: 0,
      findings: [],
    }),
  );
  const queue = targets.map((t, i) => ({ t, r: reports[i] as TargetReport }));
  opts.log(
    `fuzz: ${targets.length} targets, ${opts.seconds}s of search over ${jobs} lane(s) (~${(shareMs / 1000).toFixed(1)}s each), ` +
      `seed ${opts.seed}, ${opts.inputMs} ms and ${opts.memoryMb} MiB per input`,
  );
  const seenBy = new Map(targets.map((t) => [t.name, new Map<string, Finding>()]));
  const reportBy = new Map(queue.map(({ t, r }) => [t.name, r]));
  const lane = async (): Promise<void> => {
    // One child per lane for all its targets (it loads them all): startup is paid once, not per target.
    const sandbox = new Sandbox({
      targetsModule: opts.targetsModule,
      inputMs: opts.inputMs,
      memoryMb: opts.memoryMb,
      onLate: (input, name, outcome) => {
        const seen = seenBy.get(name);
        const r = reportBy.get(name);
        if (!seen || !r || seen.has(signature(outcome))) return;
        const f = saveFinding(opts, name, outcome, input, undefined, undefined);
        seen.set(f.signature, f);
        r.findings.push(f);
        printFinding(opts, f);
      },
    });
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { t, r } = next;
        try {
          await fuzzTarget(t, sandbox, opts, shareMs, r, seenBy.get(t.name) as Map<string, Finding>);
        } catch (e) {
          // Not a finding about customs: the harness could not run this target. Say so and go on.
          r.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
          opts.log(`  HARNESS ERROR [${t.name}]: ${r.error.split('\n').slice(0, 4).join(' | ')}`);
        }
        opts.log(summaryLine(r));
      }
    } finally {
      sandbox.close();
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  return {
    seed: opts.seed,
    targets: reports,
    findings: reports.flatMap((r) => r.findings),
    errors: reports.flatMap((r) => (r.error ? [`${r.target}: ${r.error.split('\n')[0]}`] : [])),
  };
}

function summaryLine(r: TargetReport): string {
  const rejected = [...r.rejected.values()].reduce((a, b) => a + b, 0);
  const pct = (n: number): string => `${r.runs === 0 ? 0 : Math.round((100 * n) / r.runs)}%`;
  const codes = [...r.rejected.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([c, n]) => `${c} ${pct(n)}`)
    .join(', ');
  const found = r.findings.map((f) => `${f.kind}×${f.hits}`).join(' ');
  return (
    `${r.target.padEnd(16)} ${String(r.runs).padStart(6)} inputs  ok ${pct(r.ok).padStart(4)}  ` +
    `rejected ${pct(rejected).padStart(4)}${codes ? ` (${codes})` : ''}  slowest ${Math.round(r.slowestMs)} ms  ` +
    `peak +${Math.round(r.peakMb)} MiB${found ? `  FINDINGS: ${found}` : ''}`
  );
}
