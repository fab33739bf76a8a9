/**
 * Worker-thread entry: analyses whole layers (read, decompress, verify, walk)
 * so a second core works on another layer beside the main thread. Messages:
 * in  {id, source, plan, config}
 * out {id, progress} | {id, result} | {id, error: {code, message}}
 */
import { parentPort } from 'node:worker_threads';
import { type Config, createContext, isCustomsError } from '../core/index.js';
import { layerFromSource, type LayerSource } from '../image/index.js';
import { type AnalyzerPlan, buildAnalyzers } from './analyzers.js';
import { walkLayer } from './layer-walker.js';

export interface LayerJob {
  readonly id: number;
  readonly source: LayerSource;
  readonly plan: AnalyzerPlan;
  readonly config: Config;
}

const port = parentPort;
if (port) {
  port.on('message', async (job: LayerJob) => {
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
      const result = await walkLayer(job.source.diffID, stream, { analyzers, ctx });
      port.postMessage({ id: job.id, result });
    } catch (e) {
      port.postMessage({
        id: job.id,
        error: { code: isCustomsError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) },
      });
    } finally {
      stream?.destroy();
    }
  });
}
