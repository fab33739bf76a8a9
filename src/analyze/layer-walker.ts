import type { Readable } from 'node:stream';
import { type Context, CustomsError, isCustomsError, type Unknown } from '../core/index.js';
import type { FileFinding, LayerResult } from './layer-result.js';
import { normaliseEntryName, resolveLinkTarget, type TarEntry, TarReader } from '../image/index.js';
import type { Sandbox } from './sandbox/sandbox-pool.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult, FileInfo } from './types.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
/** Symlinks followed while resolving one path before giving up, as Linux (ELOOP). */
const MAX_LINK_HOPS = 40;

export interface WalkOptions {
  readonly analyzers: readonly Analyzer[];
  readonly ctx: Context;
  /**
   * Where analyzers with a `budget` run (sandbox/). Without one they run here,
   * unbounded: analyzeImage always gives one.
   */
  readonly sandbox?: Sandbox;
  /**
   * Opens the layer's tar again. A hard link can give a wanted name to bytes
   * that were streamed past unread (`var/lib/dpkg/status` linked to `tmp/x`):
   * a second pass reads them. Without it, such links are Unknowns.
   */
  readonly reopen?: () => Promise<Readable>;
}

/** What one analyzer made of some bytes. */
type Outcome =
  | { readonly kind: 'result'; readonly result: AnalyzerResult }
  | { readonly kind: 'unknown'; readonly code: string; readonly message: string };

/** File content (an inode: hard links share it), and what analyzers made of it. */
interface Content {
  /** Ordinal of the tar entry holding the bytes (TarReader.entries), for a second pass. */
  readonly ord: number;
  readonly size: number;
  readonly mode: number;
  readonly outcomes: Map<string, Outcome>;
  /** Paths of this layer that currently hold it. */
  refs: number;
}

type LayerNode =
  | {
      readonly kind: 'file';
      readonly content: Content;
      /** Outcomes of header-only analyzers, which judge a path, not bytes. */
      readonly header: Map<string, Outcome>;
    }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'dir' }
  | { readonly kind: 'other' };

/**
 * One streaming pass over a layer's tar, building the layer's own tree the way
 * a container runtime unpacks it (Docker's overlay2 and containerd unpack each
 * entry into the layer's directory in order):
 * - names are cleaned lexically, ".." stops at the root (entry-path.ts);
 * - a path whose parent is a symlink written earlier in the layer lands where
 *   the symlink points (the unpack follows it inside the layer's root);
 * - a later entry replaces an earlier one at the same path, and everything
 *   under it unless both are directories;
 * - a hard link shares the content of the earlier entry it names (a link to a
 *   symlink is a symlink); its name may be wanted when the content was not,
 *   then a second pass reads it (`reopen`).
 * Every entry is offered to every analyzer's `wants`; only wanted files are
 * read into memory. The result lists the layer's final files with findings,
 * its symlinks, directories, other entries, whiteouts and opaque directories.
 * Hostile entries become Unknowns and are never followed outside the image.
 * (Decompression bombs are stopped where the layer is decoded, in image/layer-decoder.ts.)
 */
export async function walkLayer(diffID: string, tar: Readable, opts: WalkOptions): Promise<LayerResult> {
  const { analyzers, ctx } = opts;
  const { maxFileSize } = ctx.config.limits;
  const reader = new TarReader(tar);
  const nodes = new Map<string, LayerNode>();
  /** Directories that exist because something below them does (tar needs no entry for them). */
  const implied = new Set<string>();
  let symlinkCount = 0;
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  const layerUnknowns: Unknown[] = [];
  /** Secrets and malware in content that a later entry of this layer replaced: the bytes still ship. */
  const shadowed: FileFinding[] = [];
  /** Hard links whose name an analyzer wants but whose content it has not seen. */
  const deferred: { path: string; content: Content; analyzer: Analyzer }[] = [];

  const layerUnknown = (path: string, code: string, message: string): void => {
    layerUnknowns.push({ path, layer: diffID, analyzer: 'layer', code, message });
  };

  const run = (a: Analyzer, file: AnalyzerFile): Promise<Outcome> => runAnalyzer(a, file, opts.sandbox);

  const drop = (path: string, node: LayerNode): void => {
    nodes.delete(path);
    if (node.kind === 'symlink') symlinkCount--;
    if (node.kind !== 'file' || --node.content.refs > 0) return;
    for (const [analyzer, o] of node.content.outcomes) {
      if (o.kind === 'result' && (o.result.secrets?.length || o.result.malware?.length))
        shadowed.push({ path, analyzer, result: o.result });
    }
  };

  /** Put a node at a path, replacing what the layer had there as the unpack does (remove, unless dir over dir). */
  const place = (path: string, node: LayerNode): void => {
    const old = nodes.get(path);
    if (node.kind === 'dir' && (old?.kind === 'dir' || (!old && implied.has(path)))) {
      if (!old) nodes.set(path, node);
      return;
    }
    if (old) drop(path, old);
    if (implied.has(path)) {
      const under = `${path}/`;
      for (const [p, n] of nodes) if (p.startsWith(under)) drop(p, n);
      for (const d of implied) if (d.startsWith(under)) implied.delete(d);
      implied.delete(path);
    }
    nodes.set(path, node);
    if (node.kind === 'file') node.content.refs++;
    if (node.kind === 'symlink') symlinkCount++;
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = path.slice(0, i);
      if (implied.has(dir)) break;
      implied.add(dir);
    }
  };

  /**
   * Resolve a clean path through this layer's symlinks, every component but the
   * last (a chroot lookup: absolute targets from the root, ".." stops there).
   * Undefined for a symlink loop.
   */
  const resolveParents = (path: string): string | undefined => {
    if (symlinkCount === 0) return path;
    const todo = path.split('/').reverse();
    const done: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const part = todo.pop() as string;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        done.pop();
        continue;
      }
      done.push(part);
      if (todo.length === 0) break;
      const node = nodes.get(done.join('/'));
      if (node?.kind !== 'symlink') continue;
      if (++hops > MAX_LINK_HOPS) return undefined;
      done.pop();
      if (node.target.startsWith('/')) done.length = 0;
      todo.push(...node.target.split('/').reverse());
    }
    return done.join('/');
  };

  /** Where an entry name lands, or undefined when it is refused (recorded as an Unknown). */
  const landing = (name: string, what: string): string | undefined => {
    const norm = normaliseEntryName(name);
    if (!norm.ok) {
      layerUnknown(name, 'LAYER_PATH_ESCAPE', `${what} refused: ${norm.reason}`);
      return undefined;
    }
    const path = resolveParents(norm.path);
    if (path === undefined) {
      layerUnknown(norm.path, 'LAYER_CORRUPT', `${what} "${name}" goes through a symlink loop; not analysed`);
      return undefined;
    }
    if (norm.climbed) {
      layerUnknown(
        path,
        'LAYER_PATH_ESCAPE',
        `${what} "${name}" climbs above the image root; container runtimes stop at the root and write it at "/${path}", so it is analysed there`,
      );
    }
    return path;
  };

  /** Offer a file's bytes to the analyzers that want it; read them only if one does. */
  const analyseFile = async (path: string, entry: TarEntry, content: Content, header: Map<string, Outcome>) => {
    const info: FileInfo = { path, size: entry.size, mode: entry.mode };
    let wanting = analyzers.filter((a) => a.wants(path, info));
    if (wanting.length === 0) return;
    if (wanting.some((a) => a.headerOnly)) {
      const headerFile: AnalyzerFile = { ...info, layer: diffID, bytes: Buffer.alloc(0), text: () => '' };
      for (const a of wanting) if (a.headerOnly) header.set(a.name, await run(a, headerFile));
      wanting = wanting.filter((a) => !a.headerOnly);
      if (wanting.length === 0) return;
    }
    if (entry.size > maxFileSize) {
      for (const a of wanting) content.outcomes.set(a.name, tooLarge(entry.size, maxFileSize));
      return;
    }
    const sniffBytes = Math.max(0, ...wanting.map((a) => a.sniff?.bytes ?? 0));
    if (sniffBytes > 0) {
      const head = await reader.readHead(sniffBytes);
      // A rejected file still replaces a lower layer's version of its path: record it, empty.
      for (const a of wanting) if (a.sniff && !a.sniff.test(head)) content.outcomes.set(a.name, EMPTY);
      wanting = wanting.filter((a) => !content.outcomes.has(a.name));
      if (wanting.length === 0) return;
    }
    const file = analyzerFile(info, diffID, await reader.readBody());
    for (const a of wanting) content.outcomes.set(a.name, await run(a, file));
  };

  const linkTo = async (path: string, entry: TarEntry): Promise<void> => {
    const src = landing(entry.linkname, 'hard link target');
    if (src === undefined) return;
    const target = nodes.get(src);
    if (target === undefined || target.kind === 'dir') {
      // Docker refuses the layer (link(2) finds nothing, or a directory); containerd
      // would link to a lower layer's file, which this pass cannot see.
      const info: FileInfo = { path, size: 0, mode: entry.mode };
      const why = `hard link to "${entry.linkname}", which is not a file earlier in this layer; not analysed`;
      const header = new Map<string, Outcome>();
      const content: Content = { ord: 0, size: 0, mode: entry.mode, outcomes: new Map(), refs: 0 };
      for (const a of analyzers) {
        if (a.wants(path, info)) content.outcomes.set(a.name, { kind: 'unknown', code: 'LAYER_CORRUPT', message: why });
      }
      if (content.outcomes.size > 0) place(path, { kind: 'file', content, header });
      else layerUnknown(path, 'LAYER_CORRUPT', why);
      return;
    }
    if (target.kind !== 'file') {
      // link(2) does not follow a symlink: the new name is the same symlink (or device, fifo).
      place(path, target);
      return;
    }
    const { content } = target;
    const header = new Map<string, Outcome>();
    place(path, { kind: 'file', content, header });
    const info: FileInfo = { path, size: content.size, mode: content.mode };
    for (const a of analyzers) {
      if (content.outcomes.has(a.name) || !a.wants(path, info)) continue;
      if (a.headerOnly) {
        header.set(a.name, await run(a, analyzerFile(info, diffID, Buffer.alloc(0))));
      } else if (content.size > maxFileSize) {
        content.outcomes.set(a.name, tooLarge(content.size, maxFileSize));
      } else deferred.push({ path, content, analyzer: a });
    }
  };

  try {
    for (;;) {
      if (ctx.signal.aborted) throw new CustomsError('ABORTED', 'scan cancelled');
      const entry = await reader.next();
      if (entry === null) break;
      const path = landing(entry.name, 'entry');
      if (path === undefined || path === '') continue;
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      if (base.startsWith(WHITEOUT)) {
        const dir = path.slice(0, Math.max(slash, 0));
        if (base === OPAQUE) opaqueDirs.push(dir);
        else if (!base.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
          const name = base.slice(WHITEOUT.length);
          whiteouts.push(dir ? `${dir}/${name}` : name);
        }
        continue;
      }
      switch (entry.type) {
        case 'dir':
          place(path, { kind: 'dir' });
          break;
        case 'other':
          place(path, { kind: 'other' });
          break;
        case 'symlink':
          place(path, { kind: 'symlink', target: entry.linkname });
          break;
        case 'hardlink':
          await linkTo(path, entry);
          break;
        case 'file': {
          const content: Content = {
            ord: reader.entries,
            size: entry.size,
            mode: entry.mode,
            outcomes: new Map(),
            refs: 0,
          };
          const header = new Map<string, Outcome>();
          place(path, { kind: 'file', content, header });
          await analyseFile(path, entry, content, header);
          break;
        }
      }
    }
  } finally {
    await reader.close();
  }

  await readDeferred(deferred, nodes, diffID, opts);

  const findings: FileFinding[] = [];
  const touched: string[] = [];
  const unknowns: Unknown[] = [...layerUnknowns];
  const symlinks: [string, string][] = [];
  const dirs: string[] = [];
  const others: string[] = [];
  for (const [path, node] of nodes) {
    if (node.kind === 'dir') dirs.push(path);
    else if (node.kind === 'other') others.push(path);
    else if (node.kind === 'symlink') symlinks.push([path, resolveLinkTarget(path, node.target)]);
    else {
      const info: FileInfo = { path, size: node.content.size, mode: node.content.mode };
      let seen = false;
      let found = false;
      for (const a of analyzers) {
        const o = node.header.get(a.name) ?? node.content.outcomes.get(a.name);
        // A hard link's name may not be wanted by every analyzer that read its content.
        if (o === undefined || (!node.header.has(a.name) && !a.wants(path, info))) continue;
        seen = true;
        if (o.kind === 'unknown') {
          unknowns.push({ path, layer: diffID, analyzer: a.name, code: o.code, message: o.message });
        } else if (!isEmpty(o.result)) {
          findings.push({ path, analyzer: a.name, result: o.result });
          found = true;
        }
      }
      // Wanted but nothing found: no finding is stored, but the path still replaces lower layers' version.
      if (seen && !found) touched.push(path);
    }
  }
  // Parents the layer never lists: the unpack creates them, so they replace lower non-directories too.
  const impliedDirs = [...implied].filter((d) => !nodes.has(d));
  return {
    diffID,
    findings,
    symlinks,
    whiteouts,
    opaqueDirs,
    unknowns,
    touched,
    dirs,
    ...(impliedDirs.length > 0 ? { impliedDirs } : {}),
    others,
    ...(shadowed.length > 0 ? { shadowed } : {}),
    stats: { entries: reader.entries, bytes: reader.position },
  };
}

/**
 * Second pass for hard links whose name was wanted after their content went by:
 * read the layer again and analyse those entries under the link's name. The
 * outcomes are kept only if the whole stream reads back (its digest is checked
 * at the end), so a source that changes between passes cannot slip bytes in.
 */
async function readDeferred(
  deferred: readonly { path: string; content: Content; analyzer: Analyzer }[],
  nodes: ReadonlyMap<string, LayerNode>,
  diffID: string,
  opts: WalkOptions,
): Promise<void> {
  // Only links still in the layer's final tree matter.
  const live = deferred.filter((d) => {
    const n = nodes.get(d.path);
    return n?.kind === 'file' && n.content === d.content && !d.content.outcomes.has(d.analyzer.name);
  });
  if (live.length === 0) return;
  if (!opts.reopen) {
    for (const d of live) {
      d.content.outcomes.set(d.analyzer.name, {
        kind: 'unknown',
        code: 'LAYER_CORRUPT',
        message: 'hard link to a file read before its name was known, and the layer cannot be read again; not analysed',
      });
    }
    return;
  }
  const byOrd = new Map<number, typeof live>();
  for (const d of live) byOrd.set(d.content.ord, [...(byOrd.get(d.content.ord) ?? []), d]);
  const pending: [Content, string, Outcome][] = [];
  const reader = new TarReader(await opts.reopen());
  try {
    for (;;) {
      if (opts.ctx.signal.aborted) throw new CustomsError('ABORTED', 'scan cancelled');
      const entry = await reader.next();
      if (entry === null) break;
      const wanted = byOrd.get(reader.entries);
      if (!wanted) continue;
      const bytes = Buffer.from(await reader.readBody());
      for (const { path, content, analyzer: a } of wanted) {
        const info: FileInfo = { path, size: content.size, mode: content.mode };
        if (a.sniff && !a.sniff.test(bytes.subarray(0, a.sniff.bytes))) {
          pending.push([content, a.name, EMPTY]);
          continue;
        }
        pending.push([content, a.name, await runAnalyzer(a, analyzerFile(info, diffID, bytes), opts.sandbox)]);
      }
    }
  } finally {
    await reader.close();
  }
  for (const [content, name, outcome] of pending) content.outcomes.set(name, outcome);
}

/** Run one analyzer on one file (in the sandbox when it has a budget); its failure is the file's Unknown. */
async function runAnalyzer(a: Analyzer, file: AnalyzerFile, sandbox: Sandbox | undefined): Promise<Outcome> {
  try {
    return { kind: 'result', result: await (a.budget && sandbox ? sandbox.run(a, file) : a.analyze(file)) };
  } catch (e) {
    // A cancelled scan stops here; anything else the analyzer did is one file's Unknown.
    if (isCustomsError(e) && e.code === 'ABORTED') throw e;
    const code = isCustomsError(e) ? e.code : 'ANALYZER_FAILED';
    return { kind: 'unknown', code, message: e instanceof Error ? e.message : String(e) };
  }
}

const EMPTY: Outcome = { kind: 'result', result: {} };

function tooLarge(size: number, max: number): Outcome {
  return {
    kind: 'unknown',
    code: 'FILE_TOO_LARGE',
    message: `file of ${size} bytes is over the ${max}-byte limit; not analysed`,
  };
}

function analyzerFile(info: FileInfo, layer: string, bytes: Buffer): AnalyzerFile {
  let text: string | undefined;
  return {
    ...info,
    layer,
    bytes,
    text: () => {
      text ??= bytes.toString('utf8');
      return text;
    },
  };
}

function isEmpty(r: AnalyzerResult): boolean {
  for (const v of Object.values(r)) {
    if (v === undefined) continue;
    if (Array.isArray(v) ? v.length > 0 : true) return false;
  }
  return true;
}
