/**
 * One lane of the harness: a child process (child.ts) that parses inputs one at
 * a time under two budgets the parent enforces from outside:
 *   time:   an input that has not finished after `inputMs` is a hang; the child
 *           is killed (SIGKILL: a synchronous loop cannot be interrupted from
 *           inside) and replaced for the next input;
 *   memory: the child's resident memory is sampled while it parses; growing more
 *           than `memoryMb` above where it started kills it too. The child also
 *           reports its exact peak (VmHWM) for inputs that finish, and its V8
 *           heap is capped (--max-old-space-size) so a runaway heap aborts it.
 * Once a child has been killed, a spare is kept started, so the next input does
 * not wait for a child to load every target.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, FuzzInput, Outcome } from './protocol.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const PAGE_MB = 4096 / (1024 * 1024);
const POLL_MS = 20;
const STARTUP_MS = 60_000;

export interface SandboxOptions {
  /** URL of the module exporting TARGETS. */
  readonly targetsModule: string;
  readonly inputMs: number;
  readonly memoryMb: number;
  /** An exception that escaped a finished parse (charged to that input). */
  readonly onLate?: (input: FuzzInput, target: string, outcome: Outcome) => void;
}

interface Pending {
  readonly id: number;
  readonly target: string;
  readonly input: FuzzInput;
  readonly resolve: (o: Outcome) => void;
  readonly started: number;
  readonly timers: NodeJS.Timeout[];
  readonly child: Child;
}

interface Child {
  readonly proc: ChildProcess;
  /** Resident memory when it last reported (MiB). */
  baselineMb: number;
  stderr: string;
}

/** Resident memory of a process in MiB, from /proc (undefined once it is gone). */
function rssOf(pid: number): number | undefined {
  try {
    const resident = Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
    return Number.isFinite(resident) ? resident * PAGE_MB : undefined;
  } catch {
    return undefined;
  }
}

export class Sandbox {
  private child: Child | undefined;
  private spare: Promise<Child> | undefined;
  private pending: Pending | undefined;
  /** The last completed input, to charge a late exception to. */
  private last: { id: number; target: string; input: FuzzInput } | undefined;
  private nextId = 1;
  /** Inputs run one at a time: fast-check may start the next before an interrupted one ends. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly all = new Set<ChildProcess>();
  /** Children started (the first, replacements of killed ones, spares). */
  started = 0;

  constructor(private readonly opts: SandboxOptions) {}

  private spawn(): Promise<Child> {
    return new Promise<Child>((resolve, reject) => {
      this.started++;
      const proc = fork(CHILD, [this.opts.targetsModule], {
        execArgv: [`--max-old-space-size=${Math.max(256, this.opts.memoryMb + 256)}`, '--expose-gc'],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      this.all.add(proc);
      const c: Child = { proc, baselineMb: 0, stderr: '' };
      let ready = false;
      proc.stderr?.on('data', (d: Buffer) => {
        c.stderr = (c.stderr + d.toString('utf8')).slice(-4000);
      });
      proc.stdout?.on('data', () => {});
      const startup = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`fuzz child did not start in ${STARTUP_MS} ms: ${c.stderr}`));
      }, STARTUP_MS);
      proc.on('message', (raw: unknown) => {
        const m = raw as ChildMessage;
        if (m.type === 'ready') {
          clearTimeout(startup);
          ready = true;
          c.baselineMb = m.rssMb;
          resolve(c);
        } else if (m.type === 'done') {
          c.baselineMb = m.rssMb;
          this.finish(m.id, m.outcome);
        } else if (m.type === 'late') {
          const last = this.last;
          if (last && last.id === m.id) this.opts.onLate?.(last.input, last.target, m.outcome);
        }
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(startup);
        this.all.delete(proc);
        if (this.child === c) this.child = undefined;
        if (!ready) {
          reject(new Error(`fuzz child exited while starting (${code ?? signal}): ${c.stderr}`));
          return;
        }
        const p = this.pending;
        if (!p || p.child !== c) return;
        const ms = Date.now() - p.started;
        // V8's heap limit (--max-old-space-size) is the memory budget; other fatal errors are crashes.
        const heap = /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts/.test(c.stderr);
        const fatal = /FATAL ERROR: [^\n]*/.exec(c.stderr)?.[0];
        this.finish(
          p.id,
          heap
            ? {
                kind: 'memory',
                mb: this.opts.memoryMb,
                ms,
                detail: `the V8 heap passed its limit: ${fatal ?? c.stderr.slice(-300)}`,
              }
            : {
                kind: 'crash',
                name: 'ProcessExit',
                message: `the parser process died (${signal ?? `exit ${code}`})${fatal ? `: ${fatal}` : c.stderr ? `: ${c.stderr.slice(-600)}` : ''}`,
                stack: c.stderr.slice(-2000),
                ms,
                peakMb: 0,
              },
        );
      });
    });
  }

  private async current(): Promise<Child> {
    if (this.child) return this.child;
    const next = this.spare ?? this.spawn();
    const hadSpare = this.spare !== undefined;
    this.spare = undefined;
    const c = await next;
    this.child = c;
    // A kill happened (or is about to, again): keep the next child warm.
    if (hadSpare || this.started > 1) {
      this.spare = this.spawn();
      this.spare.catch(() => undefined);
    }
    return c;
  }

  private finish(id: number, outcome: Outcome): void {
    const p = this.pending;
    if (!p || p.id !== id) return;
    for (const t of p.timers) clearTimeout(t);
    this.pending = undefined;
    this.last = { id: p.id, target: p.target, input: p.input };
    p.resolve(outcome);
  }

  private kill(c: Child | undefined): void {
    if (!c) return;
    if (this.child === c) this.child = undefined;
    c.proc.kill('SIGKILL');
  }

  /** Have a child started and ready (after whatever input is running). */
  warm(): Promise<void> {
    const next = this.queue.then(async () => {
      if (!this.closed) await this.current();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Parse one input in the child; resolves with how it ended (never rejects for the input's sake). */
  run(target: string, input: FuzzInput): Promise<Outcome> {
    const next = this.queue.then(() => this.runNow(target, input));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(target: string, input: FuzzInput): Promise<Outcome> {
    // After close (the last predicate of an interrupted fast-check run): no new child.
    if (this.closed) return { kind: 'ok', ms: 0, peakMb: 0 };
    if (!this.child && this.spare === undefined && this.started > 0) {
      // The previous child was killed: start the replacement and a spare.
      this.spare = this.spawn();
    }
    const child = await this.current();
    const pid = child.proc.pid;
    const id = this.nextId++;
    const baseline = child.baselineMb;
    const outcome = await new Promise<Outcome>((resolve) => {
      const p: Pending = { id, target, input, resolve, started: Date.now(), timers: [], child };
      this.pending = p;
      p.timers.push(
        setTimeout(() => {
          if (this.pending !== p) return;
          this.kill(child);
          this.finish(id, { kind: 'hang', ms: Date.now() - p.started });
        }, this.opts.inputMs),
      );
      const poll = (): void => {
        if (this.pending !== p || pid === undefined) return;
        const rss = rssOf(pid);
        if (rss !== undefined && rss - baseline > this.opts.memoryMb) {
          this.kill(child);
          this.finish(id, {
            kind: 'memory',
            mb: Math.round(rss - baseline),
            ms: Date.now() - p.started,
            detail: `resident memory grew by ${Math.round(rss - baseline)} MiB while parsing`,
          });
          return;
        }
        p.timers.push(setTimeout(poll, POLL_MS));
      };
      p.timers.push(setTimeout(poll, POLL_MS));
      child.proc.send({ type: 'run', id, target, input });
    });
    // A parse that finished but peaked past the budget is a memory finding too.
    if (
      (outcome.kind === 'ok' || outcome.kind === 'rejected' || outcome.kind === 'malformed') &&
      outcome.peakMb > this.opts.memoryMb
    ) {
      return {
        kind: 'memory',
        mb: Math.round(outcome.peakMb),
        ms: outcome.ms,
        detail: `peak resident memory grew by ${Math.round(outcome.peakMb)} MiB (the parse ${outcome.kind === 'ok' ? 'succeeded' : `ended ${outcome.kind}`})`,
      };
    }
    return outcome;
  }

  /** Kill every child; later runs (stragglers of an interrupted fast-check run) do nothing. */
  close(): void {
    this.closed = true;
    for (const proc of this.all) proc.kill('SIGKILL');
    this.all.clear();
    this.child = undefined;
    this.spare = undefined;
  }
}
