/**
 * Runs a real implementation once per batch: writes one case per line to its
 * stdin and reads one answer per line from stdout. One process for thousands
 * of pairs keeps the differential tests fast.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

export interface OracleCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
}

export function runOracle(cmd: OracleCommand, lines: readonly string[]): string[] {
  const res = spawnSync(cmd.command, [...cmd.args], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(cmd.cwd === undefined ? {} : { cwd: cmd.cwd }),
  });
  if (res.error !== undefined) throw res.error;
  if (res.status !== 0) throw new Error(`${cmd.command} exited ${res.status}: ${res.stderr}`);
  const out = res.stdout.split('\n');
  if (out[out.length - 1] === '') out.pop();
  if (out.length !== lines.length) {
    throw new Error(
      `${cmd.command}: ${out.length} answers for ${lines.length} cases; stderr: ${res.stderr.slice(0, 2000)}`,
    );
  }
  return out;
}

/**
 * The environment variable that lets a machine without an oracle skip the
 * differential test that needs it. `make test` never sets it: there a missing
 * oracle is a failure, so a green run means every comparator met its oracle.
 */
export const ALLOW_MISSING_ORACLES = 'CUSTOMS_ALLOW_MISSING_ORACLES';

export interface Oracle {
  /** What the test compares with, as a person would install it ("dpkg", "python3-apt"). */
  readonly name: string;
  readonly present: boolean;
  /** How to get it on this machine. */
  readonly install: string;
}

/**
 * Options for a differential test's `test()` call. With the oracle present:
 * none. Missing: the test is skipped only when CUSTOMS_ALLOW_MISSING_ORACLES=1;
 * otherwise it runs and `requireOracle` fails it.
 */
export function oracleOptions(oracle: Oracle, env: NodeJS.ProcessEnv = process.env): { skip?: string } {
  if (oracle.present || env[ALLOW_MISSING_ORACLES] !== '1') return {};
  return { skip: `${oracle.name} missing (${ALLOW_MISSING_ORACLES}=1)` };
}

/** First statement of a differential test: fails it, naming the fix, when its oracle is missing. */
export function requireOracle(oracle: Oracle): void {
  if (oracle.present) return;
  throw new Error(
    `${oracle.name} missing: this differential test needs it as its oracle. ${oracle.install}; ` +
      `or set ${ALLOW_MISSING_ORACLES}=1 to skip the test on this machine.`,
  );
}

/** A test that compares a comparator with `oracle`: fails when the oracle is missing (see oracleOptions). */
export function differentialTest(name: string, oracle: Oracle, fn: () => void | Promise<void>): void {
  test(name, oracleOptions(oracle), async () => {
    requireOracle(oracle);
    await fn();
  });
}

/** Whether a program is on PATH (or an absolute path exists and runs). */
export function haveCommand(command: string, args: readonly string[] = ['--version']): boolean {
  const res = spawnSync(command, [...args], { encoding: 'utf8' });
  return res.error === undefined;
}

/** Normalises any comparator result to -1, 0 or 1. */
export const sgn = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/**
 * Compares our answers with the oracle's and returns readable mismatches
 * (the pair, both answers), at most `limit` of them.
 */
export function mismatches(
  pairs: ReadonlyArray<readonly [string, string]>,
  ours: readonly string[],
  theirs: readonly string[],
  limit = 20,
): string[] {
  const bad: string[] = [];
  for (let i = 0; i < pairs.length && bad.length < limit; i++) {
    if (ours[i] !== theirs[i]) {
      const [a, b] = pairs[i] ?? ['', ''];
      bad.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ours ${ours[i]}, oracle ${theirs[i]}`);
    }
  }
  return bad;
}
