import type { OsInfo, PackageFact, RatedSeverity } from '../core/index.js';

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
  /** Secrets found in the file (values redacted). Kept even when a later layer deletes the file. */
  readonly secrets?: readonly SecretFact[];
  /** Malware indicators found in the file. Kept even when a later layer deletes the file. */
  readonly malware?: readonly MalwareFact[];
  /** Licences a file declares for an OS package (Debian `usr/share/doc/PKG/copyright`). */
  readonly packageLicenses?: readonly {
    readonly ecosystem: 'deb' | 'rpm' | 'apk';
    readonly name: string;
    readonly licenses: readonly string[];
  }[];
  /** Facts about the file itself (setuid/setgid bits, executables in odd places). */
  readonly fileFacts?: readonly FileFact[];
}

/** A secret's or malware rule's severity: the core scale, every rule rated (core/severity.ts). */
export type FindingSeverity = RatedSeverity;

/** A secret in a file, image config or history entry. `match` is always redacted. */
export interface SecretFact {
  readonly ruleId: string;
  readonly category: string;
  readonly title: string;
  readonly severity: FindingSeverity;
  /** 1-based line and column of the match, when the source is text. */
  readonly line?: number;
  readonly column?: number;
  /** The matched text with the secret value redacted (e.g. "AKIA****************"). */
  readonly match: string;
}

export interface MalwareFact {
  /** ioc-hash, clamav, miner, reverse-shell, hidden-executable … */
  readonly kind: string;
  readonly ruleId: string;
  readonly severity: FindingSeverity;
  readonly title: string;
  readonly detail: string;
  readonly sha256?: string;
}

/** A secret in the image: in a layer's file (possibly deleted later), or in the config/history. */
export interface SecretFinding extends SecretFact {
  /** The file (no leading "/"), or where in the config: "config Env[3] (ENV DB_PASSWORD)", "history[5] created_by". */
  readonly location: string;
  /** The file's path, when the secret is in a file. */
  readonly path?: string;
  /** diffID of the layer that holds the file. */
  readonly layer?: string;
  /** diffID of the later layer that deleted or replaced the file: hidden, but it still ships. */
  readonly hiddenByLayer?: string;
}

/** A malware indicator in a layer's file (possibly deleted later). */
export interface MalwareFinding extends MalwareFact {
  readonly path: string;
  readonly layer: string;
  readonly hiddenByLayer?: string;
}

export interface FileFact {
  /** setuid, setgid, world-writable, executable-in-tmp … */
  readonly kind: string;
  readonly mode: number;
}

/**
 * What one file may cost a parser of attacker-controlled bytes that runs
 * isolated (src/analyze/sandbox/, docs/security.md "Parser sandbox and decoder
 * budgets"). Past it the parser is stopped and the file becomes an Unknown
 * (ANALYZER_BUDGET_EXCEEDED).
 */
export interface AnalyzerBudget {
  /** Wall-clock time for one file, in milliseconds. */
  readonly ms: number;
  /** V8 heap (old generation) of the sandbox running the parser, in MiB. */
  readonly heapMb: number;
  /**
   * Where the parser runs: 'thread' (a worker thread; stopping it interrupts
   * JavaScript) or 'process' (a child process killed with SIGKILL), required
   * for parsers that spend their time in native code such as SQLite, which a
   * thread's termination cannot interrupt.
   */
  readonly isolation: 'thread' | 'process';
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
  /** The analyzer decides from the path and tar header alone: it gets empty `bytes`, and the body is not read for it. */
  readonly headerOnly?: boolean;
  /**
   * Set on analyzers that parse complex attacker-controlled formats (databases,
   * archives): each file is analysed in a sandbox, re-created there by `name`
   * from the analyzer registry (analyzers.ts), within this budget.
   */
  readonly budget?: AnalyzerBudget;
  analyze(file: AnalyzerFile): AnalyzerResult | Promise<AnalyzerResult>;
}
