/**
 * `customs sensor` as a child process for the runtime tests: its stdout JSON
 * lines collected, ready once it logs "sensor ready", stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDir, REPO_ROOT } from './images.js';

let started = 0;

export interface SensorProcess {
  readonly records: Record<string, unknown>[];
  readonly logs: Record<string, unknown>[];
  /** The sensor's process ID. */
  pid(): number;
  /** Wait until `pred` holds for some record (or the time is up); returns the matching records. */
  waitFor(pred: (r: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>[]>;
  stop(): Promise<number>;
  /** The exit status, once the sensor ends by itself. */
  exited(): Promise<number>;
}

/**
 * `dataHome` is the sensor's XDG_DATA_HOME: without --store or --server it records
 * into DATA_HOME/customs/sensor, so each test gets its own (default: a fresh one).
 */
export async function startSensor(args: readonly string[], input?: string, dataHome?: string): Promise<SensorProcess> {
  const bin = process.env.CUSTOMS_BIN ?? join(REPO_ROOT, 'bin', 'customs.js');
  const home = dataHome ?? (await freshDir(`sensor-data-${process.pid}-${++started}`));
  const child: ChildProcess = spawn(process.execPath, [bin, 'sensor', ...args], {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, XDG_DATA_HOME: home },
  });
  if (input !== undefined) child.stdin?.end(input);
  const records: Record<string, unknown>[] = [];
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? 128)));
  const parse = (line: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { text: line };
    }
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    const r = parse(l);
    if (r) records.push(r);
  });
  let ready = false;
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => {
    const r = parse(l);
    if (r) logs.push(r);
    if (r?.msg === 'sensor ready') ready = true;
  });
  const deadline = Date.now() + 90_000;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!ready && !done && Date.now() < deadline) await sleep(100);
  if (!ready && input === undefined) {
    child.kill('SIGKILL');
    throw new Error(`the sensor did not start: ${JSON.stringify(logs.slice(-5))}`);
  }
  return {
    records,
    logs,
    async waitFor(pred, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hits = records.filter(pred);
        if (hits.length > 0 || Date.now() > end || done) return hits;
        await sleep(100);
      }
    },
    exited: () => exited,
    pid: () => child.pid ?? 0,
    async stop() {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * What to print when a sensor ended badly: its last structured log lines and every
 * line that was not JSON (an uncaught error's stack), in order.
 */
export function sensorTail(logs: readonly Record<string, unknown>[]): string {
  const text = logs.filter((l) => typeof l.text === 'string').map((l) => l.text as string);
  const last = logs.filter((l) => typeof l.text !== 'string').slice(-5);
  return `last logs: ${JSON.stringify(last)}\nother output:\n${text.join('\n')}`;
}
