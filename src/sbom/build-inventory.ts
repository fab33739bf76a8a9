import type { ImageAnalysis, LocatedPackage } from '../analyze/index.js';
import { isDistrolessDpkg, outerPath, pickOs } from '../analyze/index.js';
import {
  type Context,
  type OsInfo,
  OS_ECOSYSTEMS,
  type Package,
  purlOf,
  sha256,
  stableJson,
  toolVersion,
  type Unknown,
} from '../core/index.js';
import type { Image, ImageConfig } from '../image/index.js';
import { joinDeclaredLicenses } from './license-normalize.js';
import { sortPackages, sortUnknowns } from './sort.js';
import type { Inventory, InventoryLayer, InventoryTarget } from './types.js';

/** Turn the merged analysis of an image into its Inventory (see sbom/types.ts for the sort keys). */
export function buildInventory(image: Image, analysis: ImageAnalysis, ctx: Context): Inventory {
  const { merged } = analysis;
  const os = pickOs(merged.os, { distroless: isDistrolessDpkg(merged.packages.map((p) => p.path)) });
  const layerIds = image.layers.map((l) => l.diffID);

  const kept = withoutDuplicates(merged.packages, merged.ownedFiles);
  // OS package databases do not carry licences (dpkg): take them from the package's copyright file.
  const declared = new Map<string, string>();
  for (const { fact } of merged.packageLicenses) {
    if (fact.licenses.length > 0) declared.set(`${fact.ecosystem}\0${fact.name}`, joinDeclaredLicenses(fact.licenses));
  }
  const packages = sortPackages(
    kept.map((lp) => {
      const p = toPackage(lp, os, layerIds);
      const license = p.license === undefined ? declared.get(`${p.ecosystem}\0${p.name}`) : undefined;
      return license === undefined ? p : { ...p, license };
    }),
  );
  const unknowns = sortUnknowns(
    [
      ...merged.unknowns,
      ...(image.transport === 'dir' && os === undefined && packages.length === 0 && merged.unknowns.length === 0
        ? [notRootfs(image)]
        : []),
    ],
    layerIds,
  );
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: toolVersion() },
    createdAt: ctx.now().toISOString(),
    target: targetOf(image),
    ...(os ? { os } : {}),
    packages,
    unknowns: dedupUnknowns(unknowns),
  };
}

/** The Unknown code of a dir: target that does not look like a root filesystem. */
export const NOT_ROOTFS = 'ANALYZE_NOT_ROOTFS';

/**
 * A dir: target with no OS and no package of any ecosystem (and no package file that failed
 * to parse, which may have held some) is most likely not the root of an unpacked image (a
 * source tree, an empty or wrong directory): the scan would pass it with only image-config
 * findings. It is an Unknown, so the reports say so and --strict fails.
 */
function notRootfs(image: Image): Unknown {
  return {
    path: '',
    layer: image.layers[0]?.diffID ?? '',
    analyzer: 'rootfs',
    code: NOT_ROOTFS,
    message: `does not look like a root filesystem: no OS release file (etc/os-release), package database or language manifest in ${image.name}`,
  };
}

/**
 * Drop what would be reported twice: a language package shipped by an OS
 * package (its manifest is in the package manager's file lists), and a
 * lockfile entry for a package that is also installed under the same app.
 */
function withoutDuplicates(all: readonly LocatedPackage[], owned: ReadonlySet<string>): LocatedPackage[] {
  const os = new Set<string>(OS_ECOSYSTEMS);
  const notOwned = all.filter((p) => os.has(p.fact.ecosystem) || !owned.has(outerPath(p.path)));
  const installed = new Map<string, string[]>();
  for (const p of notOwned) {
    if (p.fact.meta?.source === 'lockfile') continue;
    const key = `${p.fact.ecosystem}\0${p.fact.name}\0${p.fact.version}`;
    const list = installed.get(key);
    if (list) list.push(p.path);
    else installed.set(key, [p.path]);
  }
  return notOwned.filter((p) => {
    if (p.fact.meta?.source !== 'lockfile') return true;
    const dir = p.path.includes('/') ? p.path.slice(0, p.path.lastIndexOf('/') + 1) : '';
    const paths = installed.get(`${p.fact.ecosystem}\0${p.fact.name}\0${p.fact.version}`) ?? [];
    return !paths.some((x) => x.startsWith(dir));
  });
}

function toPackage(lp: LocatedPackage, os: OsInfo | undefined, layerIds: readonly string[]): Package {
  const { fact } = lp;
  const isOs = OS_ECOSYSTEMS.includes(fact.ecosystem);
  const path = fact.meta?.path ?? lp.path;
  const id = sha256(
    stableJson([fact.ecosystem, fact.name, fact.version, fact.arch ?? '', fact.epoch ?? '', path]),
  ).slice(7, 23);
  return {
    ...fact,
    id,
    purl: purlOf(fact, isOs ? os : undefined),
    paths: [path],
    layer: layerIds[lp.layerIndex] ?? '',
  };
}

function dedupUnknowns(list: readonly Unknown[]): Unknown[] {
  const seen = new Set<string>();
  return list.filter((u) => {
    const k = `${u.layer}\0${u.path}\0${u.analyzer}\0${u.code}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function targetOf(image: Image): InventoryTarget {
  const c = image.config;
  const history = (c.history ?? []).filter((h) => !h.empty_layer);
  const layers: InventoryLayer[] = image.layers.map((l, i) => {
    const createdBy = history[i]?.created_by;
    return {
      diffID: l.diffID,
      digest: l.digest,
      mediaType: l.mediaType,
      ...(l.size !== undefined ? { size: l.size } : {}),
      ...(createdBy ? { createdBy } : {}),
    };
  });
  const labels = c.config?.Labels;
  const platform = platformOf(c);
  return {
    name: image.name,
    transport: image.transport,
    ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}),
    configDigest: image.configDigest,
    repoDigests: [...image.repoDigests].sort(),
    repoTags: [...image.repoTags].sort(),
    ...(platform ? { platform } : {}),
    ...(c.created ? { created: c.created } : {}),
    ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
    layers,
  };
}

function platformOf(c: ImageConfig): string | undefined {
  if (!c.os || !c.architecture) return undefined;
  return [c.os, c.architecture, c.variant].filter(Boolean).join('/');
}
