import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { type Context, CustomsError, isCustomsError, type Unknown } from '../core/index.js';
import type { FileFinding, LayerResult } from './layer-result.js';
import { normaliseEntryName, resolveLinkTarget, TarReader } from '../image/index.js';
import type { Sandbox } from './sandbox/sandbox-pool.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult, FileInfo } from './types.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export interface WalkOptions {
  readonly analyzers: readonly Analyzer[];
  readonly ctx: Context;
  /**
   * Where analyzers with a `budget` run (sandbox/). Without one they run here,
   * unbounded: analyzeImage always gives one.
   */
  readonly sandbox?: Sandbox;
}

/**
 * One streaming pass over a layer's tar: every entry is offered to every
 * analyzer's `wants`; only wanted files are read into memory. Whiteouts and
 * wanted symlinks are recorded for the merge. Hostile entries become Unknowns
 * and are never followed. (Decompression bombs are stopped where the layer is
 * decoded, in image/layer-decoder.ts.)
 */
export async function walkLayer(diffID: string, tar: Readable, opts: WalkOptions): Promise<LayerResult> {
  const { analyzers, ctx, sandbox } = opts;
  const { maxFileSize } = ctx.config.limits;
  const reader = new TarReader(tar);
  const findings: FileFinding[] = [];
  const symlinks: [string, string][] = [];
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  const unknowns: Unknown[] = [];
  /** Paths that analyzers wanted but found nothing in (they still replace lower layers' versions). */
  const touched = new Set<string>();
  /** Findings by path in this layer, for hard links to files read earlier in it. */
  const byPath = new Map<string, FileFinding[]>();

  const unknown = (path: string, analyzer: string, code: string, message: string): void => {
    unknowns.push({ path, layer: diffID, analyzer, code, message });
  };

  const run = async (a: Analyzer, file: AnalyzerFile): Promise<void> => {
    try {
      const result = await (a.budget && sandbox ? sandbox.run(a, file) : a.analyze(file));
      if (isEmpty(result)) {
        // Most files analysed for secrets or malware hold nothing: keep only their path.
        touched.add(file.path);
        return;
      }
      const f: FileFinding = { path: file.path, analyzer: a.name, result };
      findings.push(f);
      const list = byPath.get(file.path);
      if (list) list.push(f);
      else byPath.set(file.path, [f]);
    } catch (e) {
      // A cancelled scan stops here; anything else the analyzer did is one file's Unknown.
      if (isCustomsError(e) && e.code === 'ABORTED') throw e;
      const code = isCustomsError(e) ? e.code : 'ANALYZER_FAILED';
      unknown(file.path, a.name, code, e instanceof Error ? e.message : String(e));
    }
  };

  try {
    for (;;) {
      if (ctx.signal.aborted) throw new CustomsError('ABORTED', 'scan cancelled');
      const entry = await reader.next();
      if (entry === null) break;
      const norm = normaliseEntryName(entry.name);
      if (!norm.ok) {
        unknown(entry.name, 'layer', 'LAYER_PATH_ESCAPE', `entry refused: ${norm.reason}`);
        continue;
      }
      const path = norm.path;
      if (path === '') continue;
      const base = posix.basename(path);
      if (base.startsWith(WHITEOUT)) {
        if (base === OPAQUE) opaqueDirs.push(parentOf(path));
        else if (!base.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
          const dir = parentOf(path);
          const name = base.slice(WHITEOUT.length);
          whiteouts.push(dir ? `${dir}/${name}` : name);
        }
        continue;
      }
      if (entry.type === 'dir' || entry.type === 'other') continue;
      const info: FileInfo = { path, size: entry.size, mode: entry.mode };
      if (entry.type === 'symlink') {
        if (analyzers.some((a) => a.wants(path, info))) symlinks.push([path, resolveLinkTarget(path, entry.linkname)]);
        continue;
      }
      if (entry.type === 'hardlink') {
        const src = normaliseEntryName(entry.linkname);
        if (!src.ok) {
          unknown(path, 'layer', 'LAYER_PATH_ESCAPE', `hard link refused: ${src.reason}`);
          continue;
        }
        // A hard link shares the content of a file earlier in the same layer: reuse what was found there.
        if (touched.has(src.path)) touched.add(path);
        for (const f of byPath.get(src.path) ?? []) {
          const a = analyzers.find((x) => x.name === f.analyzer);
          if (a?.wants(path, info)) findings.push({ path, analyzer: f.analyzer, result: f.result });
        }
        continue;
      }
      let wanting = analyzers.filter((a) => a.wants(path, info));
      if (wanting.length === 0) continue;
      if (wanting.some((a) => a.headerOnly)) {
        const empty = Buffer.alloc(0);
        const headerFile: AnalyzerFile = { ...info, layer: diffID, bytes: empty, text: () => '' };
        for (const a of wanting) if (a.headerOnly) await run(a, headerFile);
        wanting = wanting.filter((a) => !a.headerOnly);
        if (wanting.length === 0) continue;
      }
      if (entry.size > maxFileSize) {
        for (const a of wanting) {
          unknown(
            path,
            a.name,
            'FILE_TOO_LARGE',
            `file of ${entry.size} bytes is over the ${maxFileSize}-byte limit; not analysed`,
          );
        }
        continue;
      }
      const sniffBytes = Math.max(0, ...wanting.map((a) => a.sniff?.bytes ?? 0));
      if (sniffBytes > 0) {
        const head = await reader.readHead(sniffBytes);
        const passed = wanting.filter((a) => !a.sniff || a.sniff.test(head));
        // A rejected file still replaces a lower layer's version of its path: record it, empty.
        if (passed.length < wanting.length) touched.add(path);
        wanting = passed;
        if (wanting.length === 0) continue;
      }
      const bytes = await reader.readBody();
      let text: string | undefined;
      const file: AnalyzerFile = {
        ...info,
        layer: diffID,
        bytes,
        text: () => {
          text ??= bytes.toString('utf8');
          return text;
        },
      };
      for (const a of wanting) await run(a, file);
    }
  } finally {
    await reader.close();
  }
  return {
    diffID,
    findings,
    symlinks,
    whiteouts,
    opaqueDirs,
    unknowns,
    touched: [...touched],
    stats: { entries: reader.entries, bytes: reader.position },
  };
}

/** The directory part of an image path ("" at the root). */
function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function isEmpty(r: AnalyzerResult): boolean {
  for (const v of Object.values(r)) {
    if (v === undefined) continue;
    if (Array.isArray(v) ? v.length > 0 : true) return false;
  }
  return true;
}
