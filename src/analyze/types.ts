import type { OsInfo, PackageFact } from '../core/index.js';

/** What the layer walker tells an analyzer about a path before reading it. */
export interface FileInfo {
  /** Path inside the image, normalised: no leading "/", no "./", no "..". */
  readonly path: string;
  readonly size: number;
  /** Unix mode bits from the tar header (permissions; 0o111 = executable). */
  readonly mode: number;
}

/** A file the walker read because an analyzer wanted it. */
export interface AnalyzerFile extends FileInfo {
  /** diffID of the layer the file is in. */
  readonly layer: string;
  readonly bytes: Buffer;
  /** UTF-8 text of the file. */
  text(): string;
}

/**
 * What an analyzer found in one file. Results are cached per layer and merged
 * across layers by path: the file's last version wins, whiteouts delete.
 */
export interface AnalyzerResult {
  readonly packages?: readonly PackageFact[];
  readonly os?: OsInfo;
  /**
   * Paths (no leading "/") that the OS package manager says it installed, for
   * analyzers of package databases. Language packages found at these paths
   * belong to the OS package and are not reported twice.
   */
  readonly ownedFiles?: readonly string[];
}

/**
 * An analyzer: a pure `wants` test on the path, and `analyze` from bytes to
 * facts. Bump `version` whenever output for the same bytes changes (it is part
 * of the layer cache key). Throwing records an Unknown for the file.
 */
export interface Analyzer {
  readonly name: string;
  readonly version: number;
  /** Must be cheap: called for every entry of every layer. */
  wants(path: string, info: FileInfo): boolean;
  /**
   * Optional content prefilter: the walker reads the first `bytes` bytes and
   * buffers the rest of the file only if `test(head)` is true (e.g. ELF magic
   * for binaries), so executables are not all held in memory for nothing.
   */
  readonly sniff?: { readonly bytes: number; test(head: Buffer): boolean };
  analyze(file: AnalyzerFile): AnalyzerResult | Promise<AnalyzerResult>;
}
