/**
 * The Context carries what would otherwise be global state: configuration,
 * clock, fetch, log sink and the abort signal. Defaults live in DEFAULTS,
 * shared by CLI flags, the server and library callers.
 */

import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export type LogEvent =
  | { readonly kind: 'info' | 'warn' | 'debug'; readonly message: string }
  | { readonly kind: 'progress-start'; readonly id: string; readonly label: string; readonly total: number }
  | { readonly kind: 'progress'; readonly id: string; readonly done: number }
  | { readonly kind: 'progress-end'; readonly id: string };

export type LogSink = (event: LogEvent) => void;

export interface Limits {
  /** Largest single file an analyzer may read into memory. */
  readonly maxFileSize: number;
  /** Largest uncompressed size of one layer (decompression-bomb guard). */
  readonly maxLayerSize: number;
  /** Largest compressed/uncompressed ratio tolerated for a layer after 64 MiB. */
  readonly maxCompressionRatio: number;
  /** Layers analysed at once. */
  readonly concurrency: number;
}

export interface Config {
  readonly cacheDir: string;
  /** false disables the layer cache entirely. */
  readonly cache: boolean;
  readonly limits: Limits;
  /** `os/arch[/variant]` to pick from an image index. */
  readonly platform?: string;
  /** Plain HTTP and unverified TLS allowed for registries. */
  readonly insecure: boolean;
  /** Extra CA bundle for registries (PEM). */
  readonly caFile?: string;
  /** Path of the docker config with registry credentials. */
  readonly dockerConfig: string;
  /**
   * Credentials for one registry host, given by the caller (the server's stored
   * registry credentials); they go to that host only and win over the docker config.
   */
  readonly registryAuth?: { readonly host: string; readonly username: string; readonly password: string };
  /** Docker Engine endpoint (unix socket path or tcp URL). */
  readonly dockerHost: string;
  /** Unknowns fail the run. */
  readonly strict: boolean;
  /** Directory of the vulnerability DB (customs.db); env CUSTOMS_DB_DIR. */
  readonly dbDir: string;
  /**
   * Feed URL overrides by feed name ("osv-npm", "nvd", "kev" …; see docs/vulndb.md), from
   * env CUSTOMS_FEED_<NAME> (name upper-cased, "-" as "_") and `--feed NAME=URL`. Mirrors go here.
   */
  readonly feedUrls: Readonly<Record<string, string>>;
}

export interface Context {
  readonly config: Config;
  readonly now: () => Date;
  readonly log: LogSink;
  readonly signal: AbortSignal;
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.CUSTOMS_CACHE_DIR) return env.CUSTOMS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'customs');
  const home = homedir();
  return home ? join(home, '.cache', 'customs') : join(tmpdir(), 'customs-cache');
}

function defaultDbDir(env: NodeJS.ProcessEnv): string {
  if (env.CUSTOMS_DB_DIR) return env.CUSTOMS_DB_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'customs', 'db');
  const home = homedir();
  return home ? join(home, '.local', 'share', 'customs', 'db') : join(tmpdir(), 'customs-db');
}

/** CUSTOMS_FEED_OSV_NPM=https://mirror/npm/all.zip → { "osv-npm": "https://mirror/npm/all.zip" }. */
function feedUrlsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('CUSTOMS_FEED_') || value === undefined) continue;
    out[key.slice('CUSTOMS_FEED_'.length).toLowerCase().replaceAll('_', '-')] = value;
  }
  return out;
}

export const DEFAULT_LIMITS: Limits = {
  maxFileSize: 256 * 1024 * 1024,
  maxLayerSize: 32 * 1024 * 1024 * 1024,
  maxCompressionRatio: 1000,
  concurrency: 2,
};

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dockerHost = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return {
    cacheDir: defaultCacheDir(env),
    cache: true,
    limits: DEFAULT_LIMITS,
    insecure: false,
    dockerConfig: env.DOCKER_CONFIG
      ? join(env.DOCKER_CONFIG, 'config.json')
      : join(homedir(), '.docker', 'config.json'),
    dockerHost,
    strict: false,
    dbDir: defaultDbDir(env),
    feedUrls: feedUrlsFromEnv(env),
    ...(env.SSL_CERT_FILE ? { caFile: env.SSL_CERT_FILE } : {}),
  };
}

export function createContext(
  overrides: Partial<Omit<Context, 'config'>> & { config?: Partial<Config> } = {},
): Context {
  const config = { ...defaultConfig(), ...overrides.config };
  return {
    config,
    now: overrides.now ?? (() => new Date()),
    log: overrides.log ?? (() => {}),
    signal: overrides.signal ?? new AbortController().signal,
  };
}
