import type { FileFact } from '../../analyze/index.js';
import type { ImageConfig } from '../../image/index.js';
import type { HistoryEntry } from '../dockerfile/history-model.js';

/**
 * What the image checks need, collected by the engine from one scan:
 *
 * - `target`: the image as the user named it (findings' target).
 * - `config`: the OCI image config (User, Env, ExposedPorts, Healthcheck, Labels).
 * - `history`: `config.history` (ADD URL, curl | sh, build-arg secrets).
 * - `paths`: every path of the merged filesystem for which `isImageCheckPath(path)`
 *   is true (package-manager caches), with the index of the layer that holds its
 *   final version; no leading "/".
 * - `fileFacts`: the analyzers' file facts of the merged filesystem (setuid/setgid
 *   files), as `MergedFacts.fileFacts` gives them.
 * - `baseLayerCount`: how many of the bottom layers come from the base image (0 when
 *   unknown: then every layer counts as the image's own). The engine can take it
 *   from the `org.opencontainers.image.base.digest` label's image, or from history
 *   (entries up to the last one the base image had).
 * - `packages`: the Inventory's packages (only ecosystem, name, version are read).
 */
export interface ImageCheckInput {
  readonly target: string;
  readonly config: ImageConfig;
  readonly history: readonly HistoryEntry[];
  readonly paths: readonly { readonly path: string; readonly layerIndex: number }[];
  readonly fileFacts: readonly { readonly fact: FileFact; readonly path: string; readonly layerIndex: number }[];
  readonly baseLayerCount: number;
  readonly packages: readonly { readonly ecosystem: string; readonly name: string; readonly version: string }[];
}

// The patterns live beside the analyzer that collects the paths (analyze is a lower layer).
export { CACHE_PATTERNS, isImageCheckPath } from '../../analyze/index.js';
