/**
 * The secret scanner's settings and their defaults. Reading a config file (YAML, checked
 * against a schema) is config-file.ts: the image config is scanned with the defaults on every
 * scan and SBOM, which need neither the YAML parser nor the schema library.
 */
import type { SecretCategory, SecretRule } from './rule.js';

/** 10 MiB: secrets sit in config files and scripts; bigger text files are logs, dumps and bundles. */
export const DEFAULT_MAX_SECRET_FILE_SIZE = 10 * 1024 * 1024;

/** An allow-rule drops a finding when every field it sets matches (lists match on any element). */
export interface SecretAllowRule {
  readonly id: string;
  readonly description?: string;
  /** Regexes tested against the file path (no leading "/") or the config location ("config Env[2]"). */
  readonly paths?: readonly RegExp[];
  /** Regexes tested against the secret value and against the whole matched text. */
  readonly regexes?: readonly RegExp[];
  /** Rule ids the allow-rule applies to. */
  readonly rules?: readonly string[];
}

/** Secret scanning settings, validated (see config-file.ts `loadSecretConfig`, docs/secrets.md). */
export interface SecretConfig {
  /** Use the built-in rule set (default true). */
  readonly builtinRules: boolean;
  readonly disableRules: readonly string[];
  readonly disableCategories: readonly SecretCategory[];
  /** User rules; they run before the built-in ones and win where findings overlap. */
  readonly rules: readonly SecretRule[];
  readonly allowRules: readonly SecretAllowRule[];
  /** Paths never read, on top of the built-in skip list (skip-paths.ts). */
  readonly skipPaths: readonly RegExp[];
  /** Files larger than this are not read (bytes). */
  readonly maxFileSize: number;
}

export const DEFAULT_SECRET_CONFIG: SecretConfig = {
  builtinRules: true,
  disableRules: [],
  disableCategories: [],
  rules: [],
  allowRules: [],
  skipPaths: [],
  maxFileSize: DEFAULT_MAX_SECRET_FILE_SIZE,
};
