/** Child processes of the store tests (store-child.ts): separate processes, separate connections. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./store-child.js', import.meta.url));

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningChild {
  readonly process: ChildProcess;
  /** Parsed JSON lines the child printed, as they come. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first printed line that satisfies `match`. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<ChildResult>;
}

export function startChild(args: readonly string[]): RunningChild {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] =
    [];
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    stdout += `${text}\n`;
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<ChildResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    process: child,
    lines,
    exited,
    waitFor: (match, timeoutMs) =>
      new Promise((resolve, reject) => {
        const found = lines.find(match);
        if (found) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`child ${args.join(' ')}: no matching line within ${timeoutMs} ms\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      }),
  };
}

/** Start every child at once; wait for all (killing the rest after `timeoutMs`). */
export async function runChildren(argv: readonly (readonly string[])[], timeoutMs: number): Promise<ChildResult[]> {
  const children = argv.map(startChild);
  const timer = setTimeout(() => {
    for (const c of children) c.process.kill('SIGKILL');
  }, timeoutMs);
  try {
    return await Promise.all(children.map((c) => c.exited));
  } finally {
    clearTimeout(timer);
  }
}
