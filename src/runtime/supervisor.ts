/**
 * A child process kept running: its stdout and stderr read line by line; when it
 * exits it is started again after a backoff that doubles from `initialMs` up to
 * `maxMs`, and resets once a run has lasted `stableMs`. Stopping sends SIGTERM
 * (SIGKILL after a grace period) and resolves when the child is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SupervisorOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Each start and exit, for the log. */
  readonly onState?: (state: SupervisorState) => void;
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly stableMs?: number;
}

export interface SupervisorState {
  readonly event: 'started' | 'exited' | 'spawn-failed' | 'stopped';
  readonly pid?: number;
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly restarts: number;
  readonly nextDelayMs?: number;
  readonly message?: string;
}

export interface Supervisor {
  readonly restarts: () => number;
  readonly pid: () => number | undefined;
  stop(): Promise<void>;
}

export function supervise(opts: SupervisorOptions): Supervisor {
  const initial = opts.initialMs ?? 1000;
  const max = opts.maxMs ?? 30_000;
  const stable = opts.stableMs ?? 60_000;
  let delay = initial;
  let restarts = 0;
  let child: ChildProcess | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = (): void => {
    if (stopped) return;
    const startedAt = Date.now();
    const c = spawn(opts.command, [...opts.args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    child = c;
    let done!: () => void;
    exited = new Promise((r) => {
      done = r;
    });
    createInterface({ input: c.stdout }).on('line', (l) => opts.onLine(l, 'stdout'));
    createInterface({ input: c.stderr }).on('line', (l) => opts.onLine(l, 'stderr'));
    let ended = false;
    const again = (state: Omit<SupervisorState, 'restarts' | 'nextDelayMs'>): void => {
      // 'error' (spawn failed) and 'exit' can both come for one child: one restart.
      if (ended) return;
      ended = true;
      child = undefined;
      done();
      if (stopped) {
        opts.onState?.({ ...state, event: 'stopped', restarts });
        return;
      }
      if (Date.now() - startedAt >= stable) delay = initial;
      opts.onState?.({ ...state, restarts, nextDelayMs: delay });
      restarts++;
      timer = setTimeout(start, delay);
      delay = Math.min(delay * 2, max);
    };
    c.once('error', (e) => again({ event: 'spawn-failed', message: e.message }));
    c.once('spawn', () => opts.onState?.({ event: 'started', ...(c.pid ? { pid: c.pid } : {}), restarts }));
    c.once('exit', (code, signal) => again({ event: 'exited', code, signal }));
  };
  start();
  return {
    restarts: () => restarts,
    pid: () => child?.pid,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (!c) return;
      const kill = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    },
  };
}
