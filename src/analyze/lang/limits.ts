import { CustomsError } from '../../core/index.js';

/**
 * Safety limits shared by the language analyzers. Image content is hostile
 * input (docs/security.md): every count, size and depth
 * an analyzer follows is bounded by one of these.
 */
export const LIMITS = {
  /** Largest executable the Go / Rust binary analyzers buffer (bigger ones are skipped by `wants`). */
  maxBinaryBytes: 256 * 1024 * 1024,
  /** Largest decompressed cargo-auditable `.dep-v0` JSON. */
  maxAuditJsonBytes: 8 * 1024 * 1024,
  /** Java: nested archives are followed at most this deep (outer.war!/a.jar!/b.jar). */
  maxArchiveDepth: 3,
  /** Java: entries in one zip central directory. */
  maxZipEntries: 200_000,
  /** Java: declared uncompressed size of one metadata entry (pom.properties, MANIFEST.MF). */
  maxZipMetaBytes: 1024 * 1024,
  /** Java: declared uncompressed size of one nested archive. */
  maxNestedArchiveBytes: 128 * 1024 * 1024,
  /** Java: total bytes inflated for one outer archive, nested ones included. */
  maxInflatedBytesPerArchive: 512 * 1024 * 1024,
  /** Packages reported from one file (lockfiles, build info). */
  maxPackagesPerFile: 100_000,
} as const;

/** A malformed file: the walker records it as an Unknown for the path. */
export function invalidFile(path: string, what: string, cause?: unknown): CustomsError {
  return new CustomsError('ANALYZE_FILE_INVALID', `${path}: ${what}`, cause);
}

/** A file that breaks a safety limit: recorded as an Unknown, not followed. */
export function limitExceeded(path: string, what: string): CustomsError {
  return new CustomsError('ANALYZE_LIMIT_EXCEEDED', `${path}: ${what}`);
}

/** Parse a JSON document, turning syntax errors into ANALYZE_FILE_INVALID naming the file. */
export function parseJsonFile(path: string, text: string): unknown {
  try {
    // A UTF-8 BOM is legal in files written by Windows tools (.deps.json, composer).
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (e) {
    throw invalidFile(
      path,
      `not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is corrupt or truncated`,
      e,
    );
  }
}

/** A plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The string at `key`, or undefined when absent or not a non-empty string. */
export function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Last path segment. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}
