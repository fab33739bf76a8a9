/**
 * Runs a real implementation once per batch: writes one case per line to its
 * stdin and reads one answer per line from stdout. One process for thousands
 * of pairs keeps the differential tests fast.
 */
import { spawnSync } from 'node:child_process';

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
