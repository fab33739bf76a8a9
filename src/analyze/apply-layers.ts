import type { OsInfo, PackageFact, Unknown } from '../core/index.js';
import type { FileFinding, LayerResult } from './layer-result.js';
import type { Analyzer, FileFact, MalwareFact, SecretFact } from './types.js';

/** A package in the merged filesystem, with the layer that introduced it. */
export interface LocatedPackage {
  readonly fact: PackageFact;
  /** The file it was found in (a package DB, manifest or binary). */
  readonly path: string;
  readonly analyzer: string;
  /** Index into the image's layers of the layer that introduced it. */
  readonly layerIndex: number;
}

/**
 * A fact about file content that stays reportable after the file is deleted or
 * replaced: the bytes still ship in the image's lower layer.
 */
export interface LayerFact<T> {
  readonly fact: T;
  readonly path: string;
  readonly analyzer: string;
  /** The layer that holds the file. */
  readonly layerIndex: number;
  /** The first later layer that deleted or replaced the file, if any. */
  readonly hiddenByLayerIndex?: number;
}

/** A fact about a file present in the final filesystem, with the layer its version comes from. */
export interface LiveFact<T> {
  readonly fact: T;
  readonly path: string;
  readonly layerIndex: number;
}

export interface MergedFacts {
  readonly os: readonly { readonly path: string; readonly os: OsInfo }[];
  readonly packages: readonly LocatedPackage[];
  /**
   * Of the files the facts here were found in (a nested archive's outer file: `outerPath`),
   * those an OS package manager says it installed, merged-/usr aliases included: a language
   * package or a secret in a file the distribution shipped. Only these paths are kept, not every
   * owned path of the image (tens of thousands): they are all that is asked of it.
   */
  readonly ownedFiles: ReadonlySet<string>;
  readonly unknowns: readonly Unknown[];
  readonly layerCount: number;
  /** Symlinks of the merged filesystem: path → target path resolved inside the image. */
  readonly symlinks: ReadonlyMap<string, string>;
  /** Secrets from every layer, including files a later layer deleted. */
  readonly secrets: readonly LayerFact<SecretFact>[];
  /** Malware indicators from every layer, including files a later layer deleted. */
  readonly malware: readonly LayerFact<MalwareFact>[];
  /** Facts about files in the final filesystem (setuid bits …). */
  readonly fileFacts: readonly LiveFact<FileFact>[];
  /** Licences declared for OS packages by files in the final filesystem. */
  readonly packageLicenses: readonly LiveFact<{
    ecosystem: 'deb' | 'rpm' | 'apk';
    name: string;
    licenses: readonly string[];
  }>[];
}

interface ContentRecord {
  readonly secret?: SecretFact;
  readonly malware?: MalwareFact;
  readonly path: string;
  readonly analyzer: string;
  readonly layerIndex: number;
  hiddenByLayerIndex?: number;
}

interface PathState {
  readonly layer: number;
  readonly findings: readonly FileFinding[];
}

const MAX_LINK_HOPS = 40;

const HIDES_ITSELF = 1;
const HIDES_BELOW = 2;

/** Paths of one layer as a tree of names, each marked with what it hides. */
class PathMarks {
  private readonly root: { flags: number; kids: Map<string, PathMarks['root']> } = { flags: 0, kids: new Map() };

  add(path: string, flags: number): void {
    let node = this.root;
    for (const name of path === '' ? [] : path.split('/')) {
      let next = node.kids.get(name);
      if (!next) {
        next = { flags: 0, kids: new Map() };
        node.kids.set(name, next);
      }
      node = next;
    }
    node.flags |= flags;
  }

  /** True when the path itself is marked HIDES_ITSELF, or a proper ancestor (the root included) HIDES_BELOW. */
  hides(path: string): boolean {
    let node = this.root;
    for (let at = 0; at <= path.length; ) {
      if (node.flags & HIDES_BELOW) return true;
      const slash = path.indexOf('/', at);
      const end = slash === -1 ? path.length : slash;
      const next = node.kids.get(path.slice(at, end));
      if (!next) return false;
      node = next;
      at = end + 1;
    }
    return (node.flags & HIDES_ITSELF) !== 0;
  }
}

function keysOf(findings: readonly FileFinding[] | undefined): Set<string> {
  const keys = new Set<string>();
  for (const f of findings ?? []) {
    for (const p of f.result.packages ?? []) keys.add(packageKey(f, p));
  }
  return keys;
}

function packageKey(f: FileFinding, p: PackageFact): string {
  return [f.path, f.analyzer, p.ecosystem, p.name, p.version, p.arch ?? '', p.epoch ?? ''].join('\0');
}

/**
 * Apply layers bottom to top as an overlay filesystem would (OCI image-spec
 * layer.md "Applying Changesets"): whiteouts and opaque directories delete
 * what lower layers put there, a path's top version wins. A package is
 * attributed to the lowest layer from which it stayed present up to the top.
 */
export function applyLayers(layers: readonly LayerResult[], analyzers: readonly Analyzer[]): MergedFacts {
  const files = new Map<string, PathState>();
  const links = new Map<string, string>();
  const introduced = new Map<string, number>();
  const content: ContentRecord[] = [];
  /** Findings of the merge itself (where runtimes would disagree). */
  const mergeUnknowns: Unknown[] = [];
  /** Content records of the files currently visible, by path. */
  const liveContent = new Map<string, ContentRecord[]>();
  let current = 0;

  const hideContent = (path: string): void => {
    for (const r of liveContent.get(path) ?? []) r.hiddenByLayerIndex = current;
    liveContent.delete(path);
  };
  const remove = (path: string): void => {
    for (const k of keysOf(files.get(path)?.findings)) introduced.delete(k);
    hideContent(path);
    files.delete(path);
    links.delete(path);
  };
  /**
   * Delete what this layer hides, in one pass over the merged tree: everything
   * under opaque directories (the directory itself stays), whiteout paths and
   * what is under them, and what is under a path this layer puts a
   * non-directory at (overlayfs: an upper file, symlink or device hides a lower
   * directory whole). The layer's paths are kept as a tree of names, so each
   * merged path is checked in one walk over its own names.
   */
  const removeHidden = (opaque: readonly string[], whiteouts: readonly string[], nonDirs: readonly string[]): void => {
    if (opaque.length === 0 && whiteouts.length === 0 && nonDirs.length === 0) return;
    if (files.size === 0 && links.size === 0) return;
    const marks = new PathMarks();
    for (const p of opaque) marks.add(p, HIDES_BELOW);
    for (const p of nonDirs) marks.add(p, HIDES_BELOW);
    for (const p of whiteouts) marks.add(p, HIDES_ITSELF | HIDES_BELOW);
    for (const p of [...files.keys(), ...links.keys()]) if (marks.hides(p)) remove(p);
  };

  layers.forEach((layer, i) => {
    current = i;
    const byPath = new Map<string, FileFinding[]>();
    for (const f of layer.findings) {
      const list = byPath.get(f.path);
      if (list) list.push(f);
      else byPath.set(f.path, [f]);
    }
    // A file that could not be analysed, or held nothing, still replaces what lower layers had at its path.
    for (const u of layer.unknowns) if (!byPath.has(u.path) && u.analyzer !== 'layer') byPath.set(u.path, []);
    for (const path of layer.touched ?? []) if (!byPath.has(path)) byPath.set(path, []);

    const others = layer.others ?? [];
    removeHidden(
      layer.opaqueDirs,
      [...layer.whiteouts, ...others],
      [...byPath.keys(), ...layer.symlinks.map(([p]) => p)],
    );
    // A directory replaces a lower non-directory at its path (and merges with a lower directory).
    for (const d of layer.dirs ?? []) if (files.has(d) || links.has(d)) remove(d);
    for (const d of layer.impliedDirs ?? []) {
      const target = links.get(d);
      if (target !== undefined) {
        // Runtimes differ here: Docker's overlay2 unpacks each layer on its own, so the parent
        // becomes a new directory over the symlink; containerd unpacks onto the lower layers and
        // follows it. customs keeps Docker's view and says so.
        mergeUnknowns.push({
          path: d,
          layer: layer.diffID,
          analyzer: 'layer',
          code: 'LAYER_PATH_ESCAPE',
          message: `this layer writes below "/${d}", a symlink to "/${target}" in a lower layer, without an entry for it: Docker makes "/${d}" a directory (analysed so), containerd would write below "/${target}"`,
        });
      }
      if (files.has(d) || links.has(d)) remove(d);
    }
    // Content replaced within this layer: its secrets and malware ship in the layer's bytes all the same.
    for (const f of layer.shadowed ?? []) {
      for (const secret of f.result.secrets ?? [])
        content.push({ secret, path: f.path, analyzer: f.analyzer, layerIndex: i, hiddenByLayerIndex: i });
      for (const malware of f.result.malware ?? [])
        content.push({ malware, path: f.path, analyzer: f.analyzer, layerIndex: i, hiddenByLayerIndex: i });
    }
    for (const [path, findings] of byPath) {
      const oldKeys = keysOf(files.get(path)?.findings);
      const newKeys = keysOf(findings);
      for (const k of oldKeys) if (!newKeys.has(k)) introduced.delete(k);
      for (const k of newKeys) if (!introduced.has(k)) introduced.set(k, i);
      hideContent(path);
      const records: ContentRecord[] = [];
      for (const f of findings) {
        for (const secret of f.result.secrets ?? [])
          records.push({ secret, path, analyzer: f.analyzer, layerIndex: i });
        for (const malware of f.result.malware ?? [])
          records.push({ malware, path, analyzer: f.analyzer, layerIndex: i });
      }
      if (records.length > 0) {
        content.push(...records);
        liveContent.set(path, records);
      }
      links.delete(path);
      files.set(path, { layer: i, findings });
    }
    for (const [path, target] of layer.symlinks) {
      remove(path);
      links.set(path, target);
    }
  });

  const resolve = (path: string): string | undefined => {
    let p = path;
    for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
      const next = links.get(p);
      if (next === undefined) return p;
      p = next;
    }
    return undefined; // a loop
  };

  const os: { path: string; os: OsInfo }[] = [];
  const packages: LocatedPackage[] = [];
  /** File lists of OS packages present in the merged filesystem. */
  const ownedLists: (readonly string[])[] = [];
  const fileFacts: LiveFact<FileFact>[] = [];
  const packageLicenses: MergedFacts['packageLicenses'][number][] = [];
  for (const [path, state] of files) {
    for (const f of state.findings) {
      if (f.result.os) os.push({ path, os: f.result.os });
      for (const fact of f.result.fileFacts ?? []) fileFacts.push({ fact, path, layerIndex: state.layer });
      for (const fact of f.result.packageLicenses ?? []) packageLicenses.push({ fact, path, layerIndex: state.layer });
      if (f.result.ownedFiles) ownedLists.push(f.result.ownedFiles);
      for (const p of f.result.packages ?? []) {
        if (p.files) ownedLists.push(p.files);
        packages.push({
          fact: p,
          path,
          analyzer: f.analyzer,
          layerIndex: introduced.get(packageKey(f, p)) ?? state.layer,
        });
      }
    }
  }
  // OS identity files are often symlinks (etc/os-release -> ../usr/lib/os-release):
  // read them through the link, inside the image only.
  for (const [path] of links) {
    const target = resolve(path);
    const state = target === undefined ? undefined : files.get(target);
    for (const f of state?.findings ?? []) {
      const a = analyzers.find((x) => x.name === f.analyzer);
      if (f.result.os && a?.wants(path, { path, size: 0, mode: 0 })) os.push({ path, os: f.result.os });
    }
  }
  const layerFact = <T>(fact: T, r: ContentRecord): LayerFact<T> => ({
    fact,
    path: r.path,
    analyzer: r.analyzer,
    layerIndex: r.layerIndex,
    ...(r.hiddenByLayerIndex !== undefined ? { hiddenByLayerIndex: r.hiddenByLayerIndex } : {}),
  });
  const asked = new Set<string>();
  for (const p of packages) asked.add(outerPath(p.path));
  for (const r of content) asked.add(outerPath(r.path));
  return {
    os,
    packages,
    ownedFiles: ownedAmong(asked, ownedLists),
    unknowns: [...layers.flatMap((l) => l.unknowns), ...mergeUnknowns],
    layerCount: layers.length,
    symlinks: links,
    secrets: content.flatMap((r) => (r.secret ? [layerFact(r.secret, r)] : [])),
    malware: content.flatMap((r) => (r.malware ? [layerFact(r.malware, r)] : [])),
    fileFacts,
    packageLicenses,
  };
}

/** Merged /usr (Debian ≥ 12, Fedora, Ubuntu): /bin, /sbin, /lib* are symlinks into /usr. */
const MERGED_USR = /^(?:bin|sbin|lib|lib32|lib64|libx32)\//;

/** `app.war!/WEB-INF/lib/x.jar` lives in the file `app.war`. */
export function outerPath(path: string): string {
  const i = path.indexOf('!/');
  return i === -1 ? path : path.slice(0, i);
}

/** The paths of `asked` that the package file lists name, directly or as the merged-/usr twin of one. */
function ownedAmong(asked: ReadonlySet<string>, lists: readonly (readonly string[])[]): Set<string> {
  const owned = new Set<string>();
  if (asked.size === 0) return owned;
  for (const list of lists) {
    for (const raw of list) {
      let p = raw;
      if (p.charCodeAt(0) === 47 || p.charCodeAt(p.length - 1) === 47) p = p.replace(/^\/+/, '').replace(/\/+$/, '');
      if (!p) continue;
      if (asked.has(p)) owned.add(p);
      const c = p.charCodeAt(0);
      // Only paths starting with b, s, l or u can have a merged-/usr twin.
      if (c === 98 || c === 115 || c === 108) {
        if (MERGED_USR.test(p)) {
          const twin = `usr/${p}`;
          if (asked.has(twin)) owned.add(twin);
        }
      } else if (c === 117 && p.startsWith('usr/') && MERGED_USR.test(p.slice(4))) {
        const twin = p.slice(4);
        if (asked.has(twin)) owned.add(twin);
      }
    }
  }
  return owned;
}
