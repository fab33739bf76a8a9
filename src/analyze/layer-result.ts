import type { Unknown } from '../core/index.js';
import type { AnalyzerResult } from './types.js';

/** What one analyzer found in one file of a layer. */
export interface FileFinding {
  readonly path: string;
  readonly analyzer: string;
  readonly result: AnalyzerResult;
}

/**
 * Everything customs learned from one layer in one streaming pass. Plain JSON:
 * it is cached by diffID (with the analyzers' versions) and merged later.
 */
export interface LayerResult {
  readonly diffID: string;
  readonly findings: readonly FileFinding[];
  /** Every symlink of the layer: [path, resolved target path]. */
  readonly symlinks: readonly (readonly [string, string])[];
  /** Paths deleted from lower layers by `.wh.NAME` entries. */
  readonly whiteouts: readonly string[];
  /** Directories made opaque by `.wh..wh..opq`: lower layers' contents are hidden. */
  readonly opaqueDirs: readonly string[];
  readonly unknowns: readonly Unknown[];
  /**
   * Paths analyzers wanted but found nothing in (or whose content sniff failed):
   * no finding is stored for them, but they still replace a lower layer's version.
   */
  readonly touched?: readonly string[];
  /** Directories of the layer: each replaces a lower layer's non-directory at its path. */
  readonly dirs?: readonly string[];
  /**
   * Directories the layer has no entry for but holds entries below: the unpack
   * creates them. Docker (overlay2) makes one a directory over a lower symlink;
   * containerd would follow the symlink instead (docs/security.md).
   */
  readonly impliedDirs?: readonly string[];
  /** Devices, fifos and entries of unknown type: each replaces a lower layer's path and what is under it. */
  readonly others?: readonly string[];
  /**
   * Findings with secrets or malware in content that a later entry of the same
   * layer replaced: hidden in the image, but its bytes still ship in the layer.
   */
  readonly shadowed?: readonly FileFinding[];
  readonly stats: { readonly entries: number; readonly bytes: number };
}
