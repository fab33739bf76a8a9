/**
 * Sandbox entry: runs isolated analyzers (those with a `budget`) one file at a
 * time, in a worker thread or in a child process (sandbox-pool.ts starts it
 * either way). The analyzer is re-created here by name from the registry
 * (analyzers.ts) built from the scan's plan, plus any extra modules the pool
 * names. Messages:
 * in  {init: {plan, modules}}, then {id, analyzer, version, file}
 * out {id, started} (the analyzer is found and starts: the deadline runs from here)
 *     | {id, result} | {id, error: {code, message}}
 */
import { parentPort, Worker } from 'node:worker_threads';
import { isCustomsError } from '../../core/index.js';
import type { AnalyzerPlan } from '../analyzers.js';
import { LANG_ANALYZERS } from '../lang/index.js';
import { OS_ANALYZERS } from '../os/index.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult } from '../types.js';
import { SANDBOX_ORPHAN_CHECK_MS } from './budgets.js';

export interface SandboxInit {
  readonly init: { readonly plan: AnalyzerPlan; readonly modules: readonly string[] };
}

export interface SandboxJob {
  readonly id: number;
  readonly analyzer: string;
  readonly version: number;
  readonly file: {
    readonly path: string;
    readonly size: number;
    readonly mode: number;
    readonly layer: string;
    readonly bytes: Uint8Array;
  };
}

export type SandboxReply =
  | { readonly id: number; readonly started: true }
  | { readonly id: number; readonly result: AnalyzerResult }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };

interface Channel {
  post(m: SandboxReply): void;
  listen(fn: (m: SandboxInit | SandboxJob) => void): void;
}

function channel(): Channel | undefined {
  const port = parentPort;
  if (port) return { post: (m) => port.postMessage(m), listen: (fn) => port.on('message', fn) };
  const send = process.send?.bind(process);
  if (!send) return undefined;
  // Started by fork(): a parent that goes away closes the channel; nothing is left to do.
  process.on('disconnect', () => process.exit(0));
  startOrphanWatchdog();
  return { post: (m) => send(m), listen: (fn) => process.on('message', fn) };
}

/**
 * A thread beside the parser that kills this process once its parent is gone.
 * The parser may be stuck in native code (SQLite) where neither the
 * 'disconnect' event nor a timer on this thread can run; the parent kills it
 * on its deadline, but a parent that dies first (SIGKILL, a crash) cannot.
 */
function startOrphanWatchdog(): void {
  const code = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL');
    }, workerData.every);`;
  const w = new Worker(code, {
    eval: true,
    workerData: { ppid: process.ppid, pid: process.pid, every: SANDBOX_ORPHAN_CHECK_MS },
  });
  w.unref();
}

function isAnalyzer(v: unknown): v is Analyzer {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Analyzer).name === 'string' &&
    typeof (v as Analyzer).analyze === 'function' &&
    typeof (v as Analyzer).wants === 'function'
  );
}

/**
 * Finds analyzers by name: first among the package analyzers (the isolated
 * ones live there, and loading only them keeps a sandbox's start short), then
 * in the full registry built from the scan's plan, then in the extra modules.
 */
class Registry {
  private full: Map<string, Analyzer> | undefined;

  constructor(private readonly init: SandboxInit['init']) {}

  async get(name: string): Promise<Analyzer | undefined> {
    const quick = [...OS_ANALYZERS, ...LANG_ANALYZERS].find((a: Analyzer) => a.name === name);
    if (quick) return quick;
    if (!this.full) {
      const full = new Map<string, Analyzer>();
      const { buildAnalyzers } = await import('../analyzers.js');
      for (const a of buildAnalyzers(this.init.plan)) full.set(a.name, a);
      for (const url of this.init.modules) {
        const mod = (await import(url)) as Record<string, unknown>;
        for (const v of Object.values(mod)) if (isAnalyzer(v)) full.set(v.name, v);
      }
      this.full = full;
    }
    return this.full.get(name);
  }
}

const ch = channel();
if (ch) {
  let analyzers: Registry | undefined;
  ch.listen(async (m) => {
    if ('init' in m) {
      analyzers = new Registry(m.init);
      return;
    }
    try {
      const a = await analyzers?.get(m.analyzer);
      if (!a || a.version !== m.version)
        throw new Error(
          `analyzer ${m.analyzer} v${m.version} is not in the registry the sandbox rebuilds from the scan plan; list it in analyzers.ts or name its module in the sandbox options`,
        );
      ch.post({ id: m.id, started: true });
      const { bytes: raw, ...info } = m.file;
      const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      let text: string | undefined;
      const file: AnalyzerFile = {
        ...info,
        bytes,
        text: () => {
          text ??= bytes.toString('utf8');
          return text;
        },
      };
      ch.post({ id: m.id, result: await a.analyze(file) });
    } catch (e) {
      ch.post({
        id: m.id,
        error: {
          code: isCustomsError(e) ? e.code : 'ANALYZER_FAILED',
          message: e instanceof Error ? e.message : String(e),
        },
      });
    }
  });
}
