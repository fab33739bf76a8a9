import { Worker } from 'node:worker_threads';
import { type Config, CustomsError, fromWireError, type WireError } from '../core/index.js';
import type { LayerSource } from '../image/index.js';
import type { AnalyzerPlan } from './analyzers.js';
import type { LayerResult } from './layer-result.js';
import type { LayerJob, SandboxAnswer, SandboxRequest } from './layer-worker.js';
import type { Sandbox } from './sandbox/sandbox-pool.js';

type Reply =
  | SandboxRequest
  | { readonly id: number; readonly progress: number }
  | { readonly id: number; readonly result: LayerResult }
  | { readonly id: number; readonly error: WireError };

/**
 * Young generation of a layer thread, MiB. The walk allocates fast and keeps
 * little (tar headers, paths, a file's facts), so V8 grows the young
 * generation to its 64-bit default (three 16 MiB semi-spaces) for nothing:
 * on the 1.9 GB benchmark image a cap of 8 MiB cut the scan's peak RSS by
 * tens of MB at the same CPU time, and 4 MiB another 10-15 MB on a registry
 * scan, again at the same CPU time (docs/adr/0009).
 */
export const LAYER_THREAD_YOUNG_GENERATION_MB = 4;

/** A worker thread that analyses one layer at a time (see layer-worker.ts). */
export class LayerThread {
  private readonly worker: Worker;
  private nextId = 0;
  private pending:
    | {
        id: number;
        resolve: (r: LayerResult) => void;
        reject: (e: unknown) => void;
        progress: (n: number) => void;
        sandbox: Sandbox | undefined;
      }
    | undefined;

  constructor() {
    this.worker = new Worker(new URL('./layer-worker.js', import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: LAYER_THREAD_YOUNG_GENERATION_MB },
    });
    this.worker.on('message', (m: Reply) => {
      const p = this.pending;
      if (!p || p.id !== m.id) return;
      if ('sandbox' in m) this.runIsolated(p.sandbox, m);
      else if ('progress' in m) p.progress(m.progress);
      else if ('result' in m) {
        this.pending = undefined;
        p.resolve(m.result);
      } else {
        this.pending = undefined;
        p.reject(fromWireError(m.error));
      }
    });
    this.worker.on('error', (e) => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new CustomsError('INTERNAL', `layer worker failed: ${e.message}`, e));
    });
  }

  analyze(
    source: LayerSource,
    plan: AnalyzerPlan,
    config: Config,
    progress: (n: number) => void,
    sandbox?: Sandbox,
  ): Promise<LayerResult> {
    if (this.pending) return Promise.reject(new CustomsError('INTERNAL', 'layer worker is busy'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject, progress, sandbox };
      const job: LayerJob = { id, source, plan, config, sandboxed: sandbox !== undefined };
      // A piped layer's port moves to the worker with the job.
      this.worker.postMessage(job, source.pipe ? [source.pipe] : []);
    });
  }

  /**
   * The worker's isolated analyzers run in the main thread's sandbox pool, so
   * that every sandbox belongs to the thread that handles signals and can kill
   * them (a thread cannot stop a child process it started once it is gone).
   */
  private runIsolated(sandbox: Sandbox | undefined, m: SandboxRequest): void {
    const answer = (a: SandboxAnswer): void => this.worker.postMessage(a);
    if (!sandbox) {
      answer({
        sandboxReply: m.sandbox.req,
        error: { code: 'INTERNAL', message: 'no sandbox for isolated analyzers' },
      });
      return;
    }
    sandbox.run(m.sandbox.analyzer, m.sandbox.file).then(
      (result) => answer({ sandboxReply: m.sandbox.req, result }),
      (e: unknown) =>
        answer({
          sandboxReply: m.sandbox.req,
          error: {
            code:
              (e as { code?: unknown }).code === undefined ? 'ANALYZER_FAILED' : String((e as { code: unknown }).code),
            message: e instanceof Error ? e.message : String(e),
          },
        }),
    );
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
