/**
 * A small pool of sandboxes for analyzers that parse attacker bytes in complex
 * formats (those with a `budget`): each file goes to a worker thread or a
 * child process (the analyzer's `budget.isolation`) that is stopped on the
 * budget's deadline, whose heap is capped, and whose death costs one Unknown,
 * not the scan. Sandboxes start on first use and are reused for later files
 * of the same analyzer; only isolated analyzers pay for them.
 * See docs/adr/0005-parser-sandbox.md.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { CustomsError, ERROR_CODES, type ErrorCode } from '../../core/index.js';
import type { AnalyzerPlan } from '../analyzers.js';
import type { Analyzer, AnalyzerBudget, AnalyzerFile, AnalyzerResult } from '../types.js';
import { SANDBOX_STACK_MB, SANDBOX_START_MS, SANDBOX_YOUNG_GENERATION_MB } from './budgets.js';
import type { SandboxInit, SandboxJob, SandboxReply } from './sandbox-worker.js';

/** What a sandbox needs of an analyzer: it re-creates the analyzer itself by name. */
export type SandboxedAnalyzer = Pick<Analyzer, 'name' | 'version' | 'budget'>;
/** A file as the sandbox receives it (text() is rebuilt there). */
export type SandboxFile = Omit<AnalyzerFile, 'text'>;

/** Runs one isolated analyzer on one file. The layer walker's view of a sandbox. */
export interface Sandbox {
  run(analyzer: SandboxedAnalyzer, file: SandboxFile): Promise<AnalyzerResult>;
}

export interface SandboxPoolOptions {
  /** The scan's analyzer plan: the sandbox re-creates analyzers by name from it. */
  readonly plan: AnalyzerPlan;
  /** Aborting kills every sandbox at once and fails the files in flight with ABORTED. */
  readonly signal?: AbortSignal;
  /** Sandboxes per analyzer at most (files of one analyzer wait beyond that). */
  readonly perAnalyzer?: number;
  /** Extra module URLs whose exported analyzers the sandbox also knows (tests, embedders). */
  readonly modules?: readonly string[];
}

const WORKER_URL = new URL('./sandbox-worker.js', import.meta.url);

/** Flags a child process must not inherit: test runners, debuggers, heap limits set here. */
const NOT_INHERITED = /^--(test|inspect|watch|max-old-space-size|max-semi-space-size|stack-size|heapsnapshot)/;

interface Job {
  readonly message: SandboxJob;
  readonly budget: AnalyzerBudget;
  readonly resolve: (r: AnalyzerResult) => void;
  readonly reject: (e: unknown) => void;
}

/** One sandbox (a thread or a process) and the job it runs, if any. */
class Slot {
  busy: Job | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dead = false;
  private readonly thread: Worker | undefined;
  private readonly child: ChildProcess | undefined;

  constructor(
    readonly analyzer: string,
    budget: AnalyzerBudget,
    init: SandboxInit,
    private readonly onFree: (slot: Slot) => void,
  ) {
    if (budget.isolation === 'thread') {
      const w = new Worker(WORKER_URL, {
        resourceLimits: {
          maxOldGenerationSizeMb: budget.heapMb,
          maxYoungGenerationSizeMb: SANDBOX_YOUNG_GENERATION_MB,
          stackSizeMb: SANDBOX_STACK_MB,
        },
      });
      w.on('message', (m: SandboxReply) => this.reply(m));
      w.on('error', (e: Error & { code?: string }) =>
        this.died(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : `failed: ${e.message}`),
      );
      w.on('exit', (code) => this.died(`exited with code ${code}`));
      w.postMessage(init);
      this.thread = w;
    } else {
      const c = fork(WORKER_URL, [], {
        serialization: 'advanced',
        // V8 reports a heap limit on stderr and aborts (SIGABRT): the signal is what is read here.
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        execArgv: [
          ...process.execArgv.filter((a) => !NOT_INHERITED.test(a)),
          `--max-old-space-size=${budget.heapMb}`,
          `--max-semi-space-size=${Math.max(1, Math.floor(SANDBOX_YOUNG_GENERATION_MB / 3))}`,
        ],
      });
      c.on('message', (m: SandboxReply) => this.reply(m));
      c.on('error', (e) => this.died(`failed: ${e.message}`));
      c.on('exit', (code, signal) => {
        this.died(signal === 'SIGABRT' ? 'memory' : `exited with ${signal ?? `code ${code}`}`);
      });
      c.send(init);
      this.child = c;
    }
    this.idle();
  }

  start(job: Job): void {
    this.busy = job;
    this.ref();
    // Until the sandbox says it started on the file, only the start-up allowance runs.
    this.timer = setTimeout(() => {
      this.fail(
        new Error(`the sandbox of analyzer ${this.analyzer} did not start within ${seconds(SANDBOX_START_MS)}`),
      );
      this.kill();
    }, SANDBOX_START_MS);
    const bytes = job.message.file.bytes;
    if (this.thread) {
      // A view is cloned with its whole ArrayBuffer: send exactly the file's bytes.
      const tight = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      this.thread.postMessage(
        tight ? job.message : { ...job.message, file: { ...job.message.file, bytes: Uint8Array.from(bytes) } },
      );
    } else this.child?.send(job.message);
  }

  /** The deadline counts from when the analyzer starts on the file: loading the sandbox is not the file's fault. */
  private startClock(job: Job): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(budgetError(this.analyzer, job, `its ${seconds(job.budget.ms)} budget`));
      this.kill();
    }, job.budget.ms);
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.timer);
    // SIGKILL: the process may be inside native code that no signal handler could leave.
    this.child?.kill('SIGKILL');
    void this.thread?.terminate();
    this.onFree(this);
  }

  fail(e: unknown): void {
    const job = this.busy;
    this.busy = undefined;
    clearTimeout(this.timer);
    job?.reject(e);
  }

  private reply(m: SandboxReply): void {
    const job = this.busy;
    if (!job || job.message.id !== m.id) return;
    if ('started' in m) {
      this.startClock(job);
      return;
    }
    this.busy = undefined;
    clearTimeout(this.timer);
    this.idle();
    if ('result' in m) job.resolve(m.result);
    else
      job.reject(
        m.error.code in ERROR_CODES
          ? new CustomsError(m.error.code as ErrorCode, m.error.message)
          : Object.assign(new Error(m.error.message), { code: m.error.code }),
      );
    this.onFree(this);
  }

  private died(why: string): void {
    const job = this.busy;
    if (job) {
      this.fail(
        why === 'memory'
          ? budgetError(this.analyzer, job, `its ${job.budget.heapMb} MB memory budget`)
          : new Error(`the sandbox of analyzer ${this.analyzer} ${why} while reading ${job.message.file.path}`),
      );
    }
    this.kill();
  }

  /** An idle sandbox does not keep the process alive. */
  private idle(): void {
    this.thread?.unref();
    this.child?.unref();
    this.child?.channel?.unref();
  }

  private ref(): void {
    this.thread?.ref();
    this.child?.ref();
    this.child?.channel?.ref();
  }

  get isDead(): boolean {
    return this.dead;
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function budgetError(analyzer: string, job: Job, what: string): CustomsError {
  const b = job.budget;
  return new CustomsError(
    'ANALYZER_BUDGET_EXCEEDED',
    `analyzer ${analyzer} on /${job.message.file.path} exceeded ${what} (${seconds(b.ms)} / ${b.heapMb} MB); the file is likely crafted`,
  );
}

/**
 * Sandboxes by analyzer, each running one file at a time. Files wait in order
 * when all of an analyzer's sandboxes are busy.
 */
export class SandboxPool implements Sandbox {
  private readonly slots = new Map<string, Slot[]>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed: CustomsError | undefined;
  private readonly init: SandboxInit;
  private readonly perAnalyzer: number;
  private readonly onAbort = (): void => this.shutdown(new CustomsError('ABORTED', 'scan cancelled'));

  constructor(private readonly opts: SandboxPoolOptions) {
    this.init = { init: { plan: opts.plan, modules: opts.modules ?? [] } };
    this.perAnalyzer = Math.max(1, opts.perAnalyzer ?? 1);
    if (opts.signal?.aborted) this.onAbort();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  run(analyzer: SandboxedAnalyzer, file: SandboxFile): Promise<AnalyzerResult> {
    if (this.closed) return Promise.reject(this.closed);
    const budget = analyzer.budget;
    if (!budget) return Promise.reject(new CustomsError('INTERNAL', `analyzer ${analyzer.name} has no budget`));
    return new Promise((resolve, reject) => {
      this.queue.push({
        message: {
          id: this.nextId++,
          analyzer: analyzer.name,
          version: analyzer.version,
          file: { path: file.path, size: file.size, mode: file.mode, layer: file.layer, bytes: file.bytes },
        },
        budget,
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  /** Sandboxes running now (for tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (const list of this.slots.values()) n += list.length;
    return n;
  }

  /** Stop every sandbox; files still waiting fail with INTERNAL. */
  async close(): Promise<void> {
    this.shutdown(new CustomsError('INTERNAL', 'the analyzer sandbox pool was closed'));
  }

  private shutdown(reason: CustomsError): void {
    if (this.closed) return;
    this.closed = reason;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    for (const job of this.queue.splice(0)) job.reject(reason);
    for (const list of this.slots.values())
      for (const slot of [...list]) {
        slot.fail(reason);
        slot.kill();
      }
    this.slots.clear();
  }

  private dispatch(): void {
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i] as Job;
      const name = job.message.analyzer;
      const list = this.slots.get(name) ?? [];
      let slot = list.find((s) => !s.busy && !s.isDead);
      if (!slot && list.length < this.perAnalyzer) {
        slot = new Slot(name, job.budget, this.init, (s) => this.freed(s));
        list.push(slot);
        this.slots.set(name, list);
      }
      if (!slot) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      slot.start(job);
    }
  }

  /** A sandbox finished a file or died: forget the dead, then hand out waiting files. */
  private freed(slot: Slot): void {
    if (slot.isDead) {
      const list = this.slots.get(slot.analyzer);
      if (list) {
        const at = list.indexOf(slot);
        if (at >= 0) list.splice(at, 1);
      }
    }
    if (!this.closed) queueMicrotask(() => this.dispatch());
  }
}
