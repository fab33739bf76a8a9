import type { Readable } from 'node:stream';
import { type Context, CustomsError, isCustomsError, type Unknown } from '../core/index.js';
import type { FileFinding, LayerResult } from './layer-result.js';
import { normaliseEntryName, resolveLinkTarget, type TarEntry, TarReader } from '../image/index.js';
import { LayerTree, type TreeNode } from './layer-tree.js';
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

/** A file of the layer's tree: its content, and the outcomes of header-only analyzers, which judge a path. */
interface FileNode {
  readonly content: Content;
  readonly header: Map<string, Outcome>;
}

/**
 * One streaming pass over a layer's tar, building the layer's own tree the way
 * a container runtime unpacks it (layer-tree.ts; Docker's overlay2 and
 * containerd unpack each entry into the layer's directory in order):
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
  /** Secrets and malware in content that a later entry of this layer replaced: the bytes still ship. */
  const shadowed: FileFinding[] = [];
  const tree: LayerTree<FileNode> = new LayerTree((node) => {
    if (node.entry?.kind !== 'file') return;
    const { content } = node.entry.file;
    if (--content.refs > 0) return;
    for (const [analyzer, o] of content.outcomes) {
      if (o.kind === 'result' && (o.result.secrets?.length || o.result.malware?.length))
        shadowed.push({ path: tree.pathOf(node), analyzer, result: o.result });
    }
  });
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  const layerUnknowns: Unknown[] = [];
  /** Hard links whose name an analyzer wants but whose content it has not seen. */
  const deferred: Deferred[] = [];

  const layerUnknown = (path: string, code: string, message: string): void => {
    layerUnknowns.push({ path, layer: diffID, analyzer: 'layer', code, message });
  };

  const run = (a: Analyzer, file: AnalyzerFile): Promise<Outcome> => runAnalyzer(a, file, opts.sandbox);

  /**
   * Where an entry name lands: its directory in the tree (created as the unpack
   * creates missing parents, when `create`) and its last name; undefined when it
   * is refused or not there (refusals are recorded as Unknowns).
   */
  const landing = (
    raw: string,
    what: string,
    create: boolean,
  ): { dir: TreeNode<FileNode>; name: string; path: string } | undefined => {
    const norm = normaliseEntryName(raw);
    if (!norm.ok) {
      layerUnknown(raw, 'LAYER_PATH_ESCAPE', `${what} refused: ${norm.reason}`);
      return undefined;
    }
    if (norm.path === '') return undefined; // the root itself
    const parts = norm.path.split('/');
    const name = parts.pop() as string;
    const dir = tree.dir(parts, create);
    const resolved = typeof dir === 'object' ? tree.pathOf(dir) : undefined;
    const path = resolved === undefined ? norm.path : resolved ? `${resolved}/${name}` : name;
    if (norm.climbed) {
      layerUnknown(
        path,
        'LAYER_PATH_ESCAPE',
        `${what} "${raw}" climbs above the image root; container runtimes stop at the root and write it at "/${path}", so it is analysed there`,
      );
    }
    if (dir === 'loop') {
      layerUnknown(path, 'LAYER_CORRUPT', `${what} "${raw}" goes through a symlink loop; not analysed`);
      return undefined;
    }
    if (dir === 'not-a-directory') {
      layerUnknown(
        path,
        'LAYER_CORRUPT',
        `${what} "${raw}" is below a file of this layer; container runtimes refuse the layer; not analysed`,
      );
      return undefined;
    }
    if (dir === undefined) return undefined;
    return { dir, name, path };
  };

  /**
   * Offer a file's bytes to the analyzers that want it (`wanting`, asked by the caller, so the
   * walk awaits nothing for the many files no analyzer wants); read them only if one does.
   */
  const analyseFile = async (
    info: FileInfo,
    entry: TarEntry,
    { content, header }: FileNode,
    wanting: Analyzer[],
  ): Promise<void> => {
    if (wanting.some((a) => a.headerOnly)) {
      const headerFile = analyzerFile(info, diffID, Buffer.alloc(0));
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

  const placeFile = (at: { dir: TreeNode<FileNode>; name: string }, content: Content): TreeNode<FileNode> => {
    const node = tree.place(at.dir, at.name, { kind: 'file', file: { content, header: new Map() } });
    content.refs++;
    return node;
  };

  const linkTo = async (at: { dir: TreeNode<FileNode>; name: string; path: string }, entry: TarEntry) => {
    const { path } = at;
    const src = landing(entry.linkname, 'hard link target', false);
    const target = src?.dir.children?.get(src.name)?.entry;
    if (target === undefined || target.kind === 'dir') {
      // Docker refuses the layer (link(2) finds nothing, or a directory); containerd
      // would link to a lower layer's file, which this pass cannot see.
      const info: FileInfo = { path, size: 0, mode: entry.mode };
      const why = `hard link to "${entry.linkname}", which is not a file earlier in this layer; not analysed`;
      const content: Content = { ord: 0, size: 0, mode: entry.mode, outcomes: new Map(), refs: 0 };
      for (const a of analyzers) {
        if (a.wants(path, info)) content.outcomes.set(a.name, { kind: 'unknown', code: 'LAYER_CORRUPT', message: why });
      }
      if (content.outcomes.size > 0) placeFile(at, content);
      else layerUnknown(path, 'LAYER_CORRUPT', why);
      return;
    }
    if (target.kind !== 'file') {
      // link(2) does not follow a symlink: the new name is the same symlink (or device, fifo).
      tree.place(at.dir, at.name, target);
      return;
    }
    const { content } = target.file;
    const node = placeFile(at, content);
    const header = node.entry?.kind === 'file' ? node.entry.file.header : new Map<string, Outcome>();
    const info: FileInfo = { path, size: content.size, mode: content.mode };
    for (const a of analyzers) {
      if (content.outcomes.has(a.name) || !a.wants(path, info)) continue;
      if (a.headerOnly) {
        header.set(a.name, await run(a, analyzerFile(info, diffID, Buffer.alloc(0))));
      } else if (content.size > maxFileSize) {
        content.outcomes.set(a.name, tooLarge(content.size, maxFileSize));
      } else deferred.push({ node, path, content, analyzer: a });
    }
  };

  try {
    for (;;) {
      if (ctx.signal.aborted) throw new CustomsError('ABORTED', 'scan cancelled');
      const entry = await reader.next();
      if (entry === null) break;
      const at = landing(entry.name, 'entry', true);
      if (at === undefined) continue;
      if (at.name.startsWith(WHITEOUT)) {
        const dir = tree.pathOf(at.dir);
        if (at.name === OPAQUE) opaqueDirs.push(dir);
        else if (!at.name.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
          const name = at.name.slice(WHITEOUT.length);
          whiteouts.push(dir ? `${dir}/${name}` : name);
        }
        continue;
      }
      switch (entry.type) {
        case 'dir':
          tree.place(at.dir, at.name, { kind: 'dir' });
          break;
        case 'other':
          tree.place(at.dir, at.name, { kind: 'other' });
          break;
        case 'symlink':
          tree.place(at.dir, at.name, { kind: 'symlink', target: entry.linkname });
          break;
        case 'hardlink':
          await linkTo(at, entry);
          break;
        case 'file': {
          const content: Content = {
            ord: reader.entries,
            size: entry.size,
            mode: entry.mode,
            outcomes: new Map(),
            refs: 0,
          };
          const node = placeFile(at, content);
          const info: FileInfo = { path: at.path, size: entry.size, mode: entry.mode };
          const wanting = analyzers.filter((a) => a.wants(at.path, info));
          if (wanting.length > 0 && node.entry?.kind === 'file')
            await analyseFile(info, entry, node.entry.file, wanting);
          break;
        }
      }
    }
  } finally {
    await reader.close();
  }

  await readDeferred(deferred, diffID, opts);

  const findings: FileFinding[] = [];
  const touched: string[] = [];
  const unknowns: Unknown[] = [...layerUnknowns];
  const symlinks: [string, string][] = [];
  const dirs: string[] = [];
  /** Parents the layer never lists: the unpack creates them, so they replace lower non-directories too. */
  const impliedDirs: string[] = [];
  const others: string[] = [];
  for (const [path, node] of tree.nodes()) {
    const e = node.entry;
    if (e === undefined) impliedDirs.push(path);
    else if (e.kind === 'dir') dirs.push(path);
    else if (e.kind === 'other') others.push(path);
    else if (e.kind === 'symlink') symlinks.push([path, resolveLinkTarget(path, e.target)]);
    else {
      const { content, header } = e.file;
      const info: FileInfo = { path, size: content.size, mode: content.mode };
      let seen = false;
      let found = false;
      for (const a of analyzers) {
        const o = header.get(a.name) ?? content.outcomes.get(a.name);
        // A hard link's name may not be wanted by every analyzer that read its content.
        if (o === undefined || (!header.has(a.name) && !a.wants(path, info))) continue;
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

interface Deferred {
  readonly node: TreeNode<FileNode>;
  readonly path: string;
  readonly content: Content;
  readonly analyzer: Analyzer;
}

/**
 * Second pass for hard links whose name was wanted after their content went by:
 * read the layer again and analyse those entries under the link's name. The
 * outcomes are kept only if the whole stream reads back (its digest is checked
 * at the end), so a source that changes between passes cannot slip bytes in.
 */
async function readDeferred(deferred: readonly Deferred[], diffID: string, opts: WalkOptions): Promise<void> {
  // Only links still in the layer's final tree matter.
  const live = deferred.filter(
    (d) =>
      d.node.attached &&
      d.node.entry?.kind === 'file' &&
      d.node.entry.file.content === d.content &&
      !d.content.outcomes.has(d.analyzer.name),
  );
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
