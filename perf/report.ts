/**
 * How the benchmarks report (perf/*.ts; perf/trivy.sh is the shell twin): each
 * target as MET or MISSED with its measured value, the commit and date of the
 * run (numbers copied into docs carry both), and a loud failure when the
 * benchmark's own preconditions do not hold, because a target measured on the
 * wrong input says nothing.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export type Op = '<' | '<=' | '>' | '>=';

const holds = (value: number, op: Op, limit: number): boolean =>
  op === '<' ? value < limit : op === '<=' ? value <= limit : op === '>' ? value > limit : value >= limit;

/** Prints `target NAME: VALUE OP LIMIT: MET|MISSED`; returns whether it was met. */
export function target(name: string, value: number, op: Op, limit: number, unit = ''): boolean {
  const met = holds(value, op, limit);
  const v = Number.isInteger(value) ? String(value) : value.toFixed(1);
  console.log(`target ${name.padEnd(34)} ${v.padStart(10)}${unit} ${op} ${limit}${unit}: ${met ? 'MET' : 'MISSED'}`);
  return met;
}

/** Exits 1 with the reason when a precondition of the benchmark does not hold. */
export function precondition(ok: boolean, reason: string): void {
  if (ok) return;
  console.error(`bench: FAILED: ${reason}`);
  process.exit(1);
}

/** "run: COMMIT, DATE, N CPUs" for the numbers a run prints. */
export function provenance(cwd: string): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
    if (dirty.trim() !== '') commit += '+changes';
  } catch {
    // not a git checkout: the date still says when
  }
  return `run: ${commit}, ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} CPUs`;
}
