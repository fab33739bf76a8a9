/**
 * Worker-thread entry: analyses whole layers (read, decompress, verify, walk)
 * so a second core works on another layer beside the main thread. Messages:
 * in  {id, source, plan, config, sandboxed} | {sandboxReply, result | error}
 * out {id, progress} | {id, result} | {id, error: {code, message}} | {id, sandbox: {req, analyzer, file}}
 * Files for isolated analyzers (with a `budget`) go back to the main thread,
 * which runs them in its sandbox pool (layer-thread.ts).
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { type Config, CustomsError, createContext, ERROR_CODES, type ErrorCode, toWireError } from '../core/index.js';
import { layerFromSource, type LayerSource } from '../image/index.js';
import { type AnalyzerPlan, buildAnalyzers } from './analyzers.js';
import { walkLayer } from './layer-walker.js';
import type { Sandbox, SandboxedAnalyzer, SandboxFile } from './sandbox/sandbox-pool.js';
import type { AnalyzerResult } from './types.js';

export interface LayerJob {
  readonly id: number;
  readonly source: LayerSource;
  readonly plan: AnalyzerPlan;
  readonly config: Config;
  /** The main thread has a sandbox pool for isolated analyzers. */
  readonly sandboxed: boolean;
}

/** Worker → main: run this file in the sandbox. */
export interface SandboxRequest {
  readonly id: number;
  readonly sandbox: { readonly req: number; readonly analyzer: SandboxedAnalyzer; readonly file: SandboxFile };
}

/** Main → worker: what the sandbox said. */
export type SandboxAnswer =
  | { readonly sandboxReply: number; readonly result: AnalyzerResult }
  | { readonly sandboxReply: number; readonly error: { readonly code: string; readonly message: string } };

/** The main thread's sandbox pool, reached through the worker's port. */
class ParentSandbox implements Sandbox {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (r: AnalyzerResult) => void; reject: (e: unknown) => void }>();

  constructor(
    private readonly port: MessagePort,
    private readonly jobId: number,
  ) {}

  run(analyzer: SandboxedAnalyzer, file: SandboxFile): Promise<AnalyzerResult> {
    const req = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(req, { resolve, reject });
      const { name, version, budget } = analyzer;
      const { path, size, mode, layer, bytes } = file;
      const message: SandboxRequest = {
        id: this.jobId,
        sandbox: {
          req,
          analyzer: { name, version, ...(budget ? { budget } : {}) },
          file: { path, size, mode, layer, bytes },
        },
      };
      this.port.postMessage(message);
    });
  }

  answer(a: SandboxAnswer): void {
    const w = this.waiting.get(a.sandboxReply);
    if (!w) return;
    this.waiting.delete(a.sandboxReply);
    if ('result' in a) w.resolve(a.result);
    else
      w.reject(
        a.error.code in ERROR_CODES
          ? new CustomsError(a.error.code as ErrorCode, a.error.message)
          : Object.assign(new Error(a.error.message), { code: a.error.code }),
      );
  }
}

const port = parentPort;
if (port) {
  let sandbox: ParentSandbox | undefined;
  port.on('message', async (m: LayerJob | SandboxAnswer) => {
    if ('sandboxReply' in m) {
      sandbox?.answer(m);
      return;
    }
    const job = m;
    sandbox = job.sandboxed ? new ParentSandbox(port, job.id) : undefined;
    const ctx = createContext({ config: job.config });
    const analyzers = buildAnalyzers(job.plan);
    const layer = layerFromSource(job.source, job.config.limits);
    let stream: Awaited<ReturnType<typeof layer.open>> | undefined;
    try {
      let done = 0;
      let last = 0;
      stream = await layer.open((n) => {
        done += n;
        // Coalesce progress messages: one per 4 MiB is plenty for a bar.
        if (done - last >= 4 * 1024 * 1024) {
          last = done;
          port.postMessage({ id: job.id, progress: done });
        }
      });
      const result = await walkLayer(job.source.diffID, stream, {
        analyzers,
        ctx,
        ...(sandbox ? { sandbox } : {}),
        reopen: () => layer.open(),
      });
      port.postMessage({ id: job.id, result });
    } catch (e) {
      port.postMessage({ id: job.id, error: toWireError(e) });
    } finally {
      stream?.destroy();
    }
  });
}
