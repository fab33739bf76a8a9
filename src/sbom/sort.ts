import { compareStrings, type Package, type Unknown } from '../core/index.js';

/**
 * The documented orders of an Inventory's lists (see types.ts and
 * docs in schema/inventory-v1.json). Strings compare by UTF-16 code units,
 * never by locale, so every machine sorts the same way.
 */
export { compareStrings };

/**
 * Packages by (ecosystem, name, version, first path, layer); the package id
 * breaks any remaining tie so the order is total.
 */
export function comparePackages(a: Package, b: Package): number {
  return (
    compareStrings(a.ecosystem, b.ecosystem) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version, b.version) ||
    compareStrings(a.paths[0] ?? '', b.paths[0] ?? '') ||
    compareStrings(a.layer, b.layer) ||
    compareStrings(a.id, b.id)
  );
}

/** A sorted copy; the input is not changed. */
export function sortPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(comparePackages);
}

/**
 * Unknowns by (layer index, path, analyzer), where the layer index is the
 * position of the unknown's diffID in `layerOrder` (the image's layers,
 * base first). Unknowns from a layer not in the list sort after all others,
 * by diffID. Code and message break remaining ties.
 */
export function sortUnknowns(unknowns: readonly Unknown[], layerOrder: readonly string[]): Unknown[] {
  const index = new Map<string, number>();
  layerOrder.forEach((d, i) => {
    if (!index.has(d)) index.set(d, i);
  });
  const rank = (u: Unknown): number => index.get(u.layer) ?? Number.MAX_SAFE_INTEGER;
  return [...unknowns].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      compareStrings(a.layer, b.layer) ||
      compareStrings(a.path, b.path) ||
      compareStrings(a.analyzer, b.analyzer) ||
      compareStrings(a.code, b.code) ||
      compareStrings(a.message, b.message),
  );
}
