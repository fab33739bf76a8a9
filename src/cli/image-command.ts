import { CustomsError, flushMemos, type Unknown, useMemoBackend } from '../core/index.js';
import type { ScanContext } from '../engine/index.js';
import { contextFrom, type ImageFlags } from './options.js';

/**
 * The scaffolding of every command that reads an image (sbom, scan, gate): the Context
 * from the flags, the layer cache opened for the run and closed after it (with the memos it
 * keeps between runs, core/persisted-memos.ts), and --strict.
 * `run` does the command's work and returns the unknowns of what it read; output is
 * written inside `run`, after `strict` has passed.
 */
export async function withImageContext(
  flags: ImageFlags,
  signal: AbortSignal,
  run: (ctx: ScanContext, strict: (unknowns: readonly Unknown[]) => void) => Promise<void>,
): Promise<void> {
  const ctx = contextFrom(flags, signal);
  // The store loads only when the cache is used (not with --no-cache).
  const cache = ctx.config.cache ? (await import('./cache.js')).openLayerCache(ctx.config.cacheDir, ctx) : undefined;
  // Pure functions' answers kept from the last run (licence normalisation) live in the cache too.
  useMemoBackend(
    cache ? { read: (name) => cache.readMemo(name), write: (name, v) => cache.writeMemo(name, v) } : undefined,
  );
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
    flushMemos();
    useMemoBackend(undefined);
    cache?.close();
  }
}

/**
 * Colour and width for a report: colour only on a terminal, and never in a file. Off a
 * terminal (a file, a pipe, a CI log) nothing is cut: a log keeps every character of a
 * finding. On a terminal the width is COLUMNS when it is set (as POSIX shells and `ls`
 * honour it), else the terminal's.
 */
export function renderTarget(
  file: string | undefined,
  out: { readonly isTTY?: boolean; readonly columns?: number } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): { color: boolean; width: number } {
  const tty = file === undefined && out.isTTY === true;
  if (!tty) return { color: false, width: Number.POSITIVE_INFINITY };
  const columns = Number(env.COLUMNS);
  const width = Number.isInteger(columns) && columns > 0 ? columns : (out.columns ?? 120);
  return { color: true, width };
}
