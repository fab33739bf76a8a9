import type { Digest, OsInfo, Package, Unknown } from '../core/index.js';

export interface InventoryLayer {
  readonly diffID: Digest;
  readonly digest: Digest;
  readonly size?: number;
  readonly mediaType: string;
  /** The history entry (`created_by`) that made the layer, when the config says. */
  readonly createdBy?: string;
}

export interface InventoryTarget {
  /** What was scanned, as the user named it (normalised). */
  readonly name: string;
  readonly transport: string;
  readonly manifestDigest?: Digest;
  readonly configDigest: Digest;
  readonly repoDigests: readonly string[];
  readonly repoTags: readonly string[];
  /** os/architecture[/variant] from the image config. */
  readonly platform?: string;
  readonly created?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly layers: readonly InventoryLayer[];
}

/**
 * What is in an image: its OS and every package, each with the layer that
 * introduced it and where it was found. Lists are sorted: packages by
 * (ecosystem, name, version, first path), unknowns by (layer index, path,
 * analyzer). Serialised as `customs` JSON (schema/inventory-v1.json).
 */
export interface Inventory {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'customs'; readonly version: string };
  /** ISO time of the scan, from the Context clock. */
  readonly createdAt: string;
  readonly target: InventoryTarget;
  readonly os?: OsInfo;
  readonly packages: readonly Package[];
  readonly unknowns: readonly Unknown[];
}
