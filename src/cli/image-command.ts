import { CustomsError, type Unknown } from '../core/index.js';
import type { ScanContext } from '../engine/index.js';
import { openLayerCache } from './cache.js';
import { contextFrom, type ImageFlags } from './options.js';

/**
 * The scaffolding of every command that reads an image (sbom, scan, gate): the Context
 * from the flags, the layer cache opened for the run and closed after it, and --strict.
 * `run` does the command's work and returns the unknowns of what it read; output is
 * written inside `run`, after `strict` has passed.
 */
export async function withImageContext(
  flags: ImageFlags,
  signal: AbortSignal,
  run: (ctx: ScanContext, strict: (unknowns: readonly Unknown[]) => void) => Promise<void>,
): Promise<void> {
  const ctx = contextFrom(flags, signal);
  const cache = ctx.config.cache ? await openLayerCache(ctx.config.cacheDir, ctx) : undefined;
  // Progress output ends before the report and any error are written.
  const strict = (unknowns: readonly Unknown[]): void => {
    ctx.finish();
    if (!ctx.config.strict || unknowns.length === 0) return;
    const first = unknowns[0];
    throw new CustomsError(
      'ANALYZE_INCOMPLETE',
      `${unknowns.length} file(s) could not be analysed (first: /${first?.path}: ${first?.message}); --strict makes that fatal`,
    );
  };
  try {
    await run(cache ? { ...ctx, cache } : ctx, strict);
  } finally {
    ctx.finish();
    cache?.close();
  }
}

/** Colour and width for a report: colour only on a terminal, and never in a file. */
export function renderTarget(file: string | undefined): { color: boolean; width: number } {
  return { color: file === undefined && process.stdout.isTTY === true, width: process.stdout.columns ?? 120 };
}
