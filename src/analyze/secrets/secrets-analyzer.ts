import { createHash } from 'node:crypto';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';
import type { Analyzer } from '../types.js';
import { DEFAULT_SECRET_CONFIG, type SecretConfig } from './config.js';
import { createRuleSet } from './rule-set.js';
import { BINARY_SNIFF_BYTES, isBinary, scanBytes } from './scan-text.js';
import { isSkippedPath } from './skip-paths.js';

/** Bump (analyzer-ids.ts) when the built-in rules or the scanner change what they report for the same bytes. */
const SECRETS_ANALYZER_VERSION = ANALYZER_VERSIONS.secrets;

/**
 * The secret scanner as a layer analyzer: every regular, non-empty file up to
 * the size cap, outside the skip list, whose first 8 KiB hold no NUL byte.
 */
export function createSecretsAnalyzer(config: SecretConfig = DEFAULT_SECRET_CONFIG): Analyzer {
  // Built on the first file, not here: the module's default instance is created on import,
  // and a run that scans no file for secrets (an SBOM, a warm scan) need not build its
  // keyword automaton.
  let set: ReturnType<typeof createRuleSet> | undefined;
  const { maxFileSize, skipPaths } = config;
  return {
    name: 'secrets',
    version: config === DEFAULT_SECRET_CONFIG ? SECRETS_ANALYZER_VERSION : configVersion(config),
    wants: (path, info) =>
      info.size > 0 && info.size <= maxFileSize && !isSkippedPath(path) && !skipPaths.some((re) => re.test(path)),
    sniff: { bytes: BINARY_SNIFF_BYTES, test: (head) => !isBinary(head) },
    analyze: (file) => {
      set ??= createRuleSet(config);
      const secrets = scanBytes(file.bytes, file.path, set);
      return secrets.length > 0 ? { secrets } : {};
    },
  };
}

/**
 * Layer caches key results by analyzer name and version only, so a custom
 * configuration gets its own version: a hash of the analyzer version and
 * every setting (regexes by source and flags), as a positive 31-bit number.
 */
function configVersion(config: SecretConfig): number {
  const re = (r: RegExp): string => `/${r.source}/${r.flags}`;
  const text = JSON.stringify({
    v: SECRETS_ANALYZER_VERSION,
    builtin: config.builtinRules,
    disableRules: config.disableRules,
    disableCategories: config.disableCategories,
    rules: config.rules.map((r) => ({
      ...r,
      regex: re(r.regex),
      path: r.path ? re(r.path) : null,
      validate: null,
      examples: null,
    })),
    allow: config.allowRules.map((a) => ({ ...a, paths: a.paths?.map(re), regexes: a.regexes?.map(re) })),
    skip: config.skipPaths.map(re),
    max: config.maxFileSize,
  });
  return createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

/** The analyzer with the built-in rules and default settings. */
export const secretsAnalyzer: Analyzer = createSecretsAnalyzer();
