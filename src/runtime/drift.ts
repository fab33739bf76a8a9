/**
 * Drift: how a container's filesystem departs from its image. Files from the
 * overlay upper dir (overlay-diff.ts); packages by re-inventorying the merged
 * filesystem with the same analyzers a scan uses (engine.sbom): the image's
 * inventory, minus the packages whose evidence files the container changed or
 * deleted, plus the packages found in the upper dir. A package DB rewritten at run
 * time (dpkg's status after `apt install`) is copied up whole, so its new
 * analysis replaces the image's; a new npm/pip manifest is simply added.
 */
import type { Package } from '../core/index.js';
import { CustomsError } from '../core/index.js';
import { type ScanContext, sbom } from '../engine/index.js';
import type { Inventory } from '../sbom/index.js';
import { type DockerApi, dockerApi } from './docker-api.js';
import { containerInfoOf, inspectContainer } from './docker-inventory.js';
import { obj, str } from './json-fields.js';
import { type DriftEntry, overlayDiff } from './overlay-diff.js';
import type { ContainerInfo } from './types.js';

export interface PackageRef {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly paths: readonly string[];
}

export interface PackageDrift {
  readonly added: readonly PackageRef[];
  readonly removed: readonly PackageRef[];
  readonly changed: readonly { readonly from: PackageRef; readonly to: PackageRef }[];
}

export interface ContainerDrift {
  readonly container: Pick<ContainerInfo, 'id' | 'name' | 'imageRef' | 'imageId' | 'state'>;
  readonly storageDriver: string;
  readonly upperDir: string;
  readonly summary: {
    readonly added: number;
    readonly changed: number;
    readonly deleted: number;
    readonly opaque: number;
    readonly newExecutables: number;
    readonly packagesAdded: number;
    readonly packagesRemoved: number;
    readonly packagesChanged: number;
  };
  readonly files: readonly DriftEntry[];
  /** Paths of executables added or rewritten at run time (ELF or shebang script with an exec bit). */
  readonly newExecutables: readonly string[];
  readonly packages: PackageDrift;
  readonly notes: readonly string[];
}

export interface OverlayDirs {
  readonly driver: string;
  readonly upperDir: string;
  readonly lowerDirs: readonly string[];
  readonly mergedDir?: string;
}

/** GraphDriver.Data of overlay2 (Docker): UpperDir and LowerDir ("top:…:bottom"). */
export function overlayDirsOf(inspect: Readonly<Record<string, unknown>>): OverlayDirs {
  const gd = obj(inspect.GraphDriver);
  const driver = str(gd.Name) ?? 'unknown';
  const data = obj(gd.Data);
  const upperDir = str(data.UpperDir);
  if (driver !== 'overlay2' || !upperDir)
    throw new CustomsError(
      'RUNTIME_UNSUPPORTED',
      `container ${str(inspect.Name) ?? ''} uses the ${driver} storage driver: drift reads overlay2's upper dir only`,
    );
  const merged = str(data.MergedDir);
  return {
    driver,
    upperDir,
    lowerDirs: (str(data.LowerDir) ?? '').split(':').filter(Boolean),
    ...(merged ? { mergedDir: merged } : {}),
  };
}

const refOf = (p: Package): PackageRef => ({
  ecosystem: p.ecosystem,
  name: p.name,
  version: p.version,
  purl: p.purl,
  paths: p.paths,
});

/** Same package = same ecosystem, name and architecture; its version may change. */
const keyOf = (p: Package): string => `${p.ecosystem}\u0000${p.name}\u0000${p.arch ?? ''}`;

/** The merged inventory's packages: the image's, less those whose evidence the container touched, plus the upper dir's. */
export function mergePackages(
  image: readonly Package[],
  upper: readonly Package[],
  files: readonly DriftEntry[],
): Package[] {
  const touched = new Set(files.filter((f) => f.kind !== 'added').map((f) => f.path));
  const opaque = files.filter((f) => f.kind === 'opaque').map((f) => `${f.path}/`);
  const hidden = (path: string): boolean => touched.has(path) || opaque.some((o) => path.startsWith(o));
  const kept = image.filter((p) => !p.paths.some(hidden));
  return [...kept, ...upper];
}

export function packageDrift(image: readonly Package[], merged: readonly Package[]): PackageDrift {
  const before = new Map(image.map((p) => [keyOf(p), p]));
  const after = new Map(merged.map((p) => [keyOf(p), p]));
  const added: PackageRef[] = [];
  const removed: PackageRef[] = [];
  const changed: { from: PackageRef; to: PackageRef }[] = [];
  for (const [k, p] of after) {
    const was = before.get(k);
    if (!was) added.push(refOf(p));
    else if (was.version !== p.version) changed.push({ from: refOf(was), to: refOf(p) });
  }
  for (const [k, p] of before) if (!after.has(k)) removed.push(refOf(p));
  const order = (a: PackageRef, b: PackageRef): number =>
    a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return { added: added.sort(order), removed: removed.sort(order), changed: changed.sort((a, b) => order(a.to, b.to)) };
}

export interface DriftOptions {
  readonly api?: DockerApi;
  /** The image's inventory when the caller has it (a stored scan); else it is read from the Docker Engine. */
  readonly imageInventory?: Inventory;
}

export async function containerDrift(
  nameOrId: string,
  ctx: ScanContext,
  opts: DriftOptions = {},
): Promise<ContainerDrift> {
  const api = opts.api ?? dockerApi(ctx);
  const inspect = await inspectContainer(api, nameOrId);
  const info = containerInfoOf(inspect, []);
  const dirs = overlayDirsOf(inspect);
  const diff = await overlayDiff(dirs.upperDir, dirs.lowerDirs);
  const notes = [...diff.notes];
  const imageInv = opts.imageInventory ?? (await sbom(`docker-daemon:${info.imageId}`, ctx));
  const upperInv = await sbom(`dir:${dirs.upperDir}`, ctx);
  for (const u of upperInv.unknowns) notes.push(`/${u.path}: ${u.message}`);
  const merged = mergePackages(imageInv.packages, upperInv.packages, diff.entries);
  const packages = packageDrift(imageInv.packages, merged);
  const files = diff.entries;
  const newExecutables = files
    .filter((f) => f.executable !== undefined && (f.kind === 'added' || f.contentChanged === true))
    .map((f) => f.path);
  const count = (k: DriftEntry['kind']): number => files.filter((f) => f.kind === k).length;
  return {
    container: { id: info.id, name: info.name, imageRef: info.imageRef, imageId: info.imageId, state: info.state },
    storageDriver: dirs.driver,
    upperDir: dirs.upperDir,
    summary: {
      added: count('added'),
      changed: count('changed'),
      deleted: count('deleted'),
      opaque: count('opaque'),
      newExecutables: newExecutables.length,
      packagesAdded: packages.added.length,
      packagesRemoved: packages.removed.length,
      packagesChanged: packages.changed.length,
    },
    files,
    newExecutables,
    packages,
    notes,
  };
}

export function driftTable(d: ContainerDrift): string {
  const s = d.summary;
  const lines = [
    `container ${d.container.name} (${d.container.id.slice(0, 12)}) image ${d.container.imageRef}`,
    `files: ${s.added} added, ${s.changed} changed, ${s.deleted} deleted, ${s.opaque} opaque dirs; ${s.newExecutables} new executables`,
    `packages: ${s.packagesAdded} added, ${s.packagesRemoved} removed, ${s.packagesChanged} changed`,
    '',
  ];
  const mark = { added: 'A', changed: 'C', deleted: 'D', opaque: 'O' } as const;
  for (const f of d.files) {
    if (f.type === 'dir' && f.kind === 'added') continue;
    const exe = f.executable && (f.kind === 'added' || f.contentChanged) ? `  [new ${f.executable} executable]` : '';
    const meta = f.kind === 'changed' && f.contentChanged === false ? '  (metadata only)' : '';
    lines.push(`${mark[f.kind]} /${f.path}${exe}${meta}`);
  }
  if (d.packages.added.length + d.packages.removed.length + d.packages.changed.length > 0) lines.push('');
  for (const p of d.packages.added) lines.push(`+ ${p.purl}`);
  for (const p of d.packages.removed) lines.push(`- ${p.purl}`);
  for (const c of d.packages.changed) lines.push(`~ ${c.from.purl} -> ${c.to.version}`);
  for (const n of d.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
