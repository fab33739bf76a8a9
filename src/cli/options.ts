import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import {
  type Config,
  type Context,
  CustomsError,
  createContext,
  DEFAULT_LIMITS,
  dbPath,
  defaultConfig,
} from '../core/index.js';
import { renderLog } from './progress.js';

/** Flags shared by every command that reads an image. */
export const imageOptions = (): Option[] => [
  new Option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default: this host)'),
  new Option(
    '--insecure',
    'registries: allow plain HTTP, unverified TLS, plain-HTTP token realms and redirects to private addresses',
  ),
  new Option('--ca-file <file>', 'extra CA certificates (PEM) to trust for registries'),
  new Option('--cache-dir <dir>', 'where the layer cache lives (env CUSTOMS_CACHE_DIR)'),
  new Option('--no-cache', 'do not read or write the layer cache'),
  new Option('--max-file-size <bytes>', 'largest file an analyzer reads').argParser(parseSize),
  new Option('--max-layer-size <bytes>', 'largest uncompressed layer accepted (bomb guard)').argParser(parseSize),
  new Option('--strict', 'fail (exit 3) when any file could not be analysed'),
  new Option('-q, --quiet', 'no progress output'),
  new Option('-v, --verbose', 'print debug messages'),
];

/** A file a flag names, as text; an unreadable one is a usage error naming the flag. */
export async function readFlagFile(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CustomsError('USAGE_BAD_FLAG', `${flag} ${file}: ${(e as Error).message}`, e);
  }
}

export interface ImageFlags {
  readonly platform?: string;
  readonly insecure?: boolean;
  readonly caFile?: string;
  readonly cacheDir?: string;
  readonly cache?: boolean;
  readonly maxFileSize?: number;
  readonly maxLayerSize?: number;
  readonly strict?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/** "512", "64k", "100MB", "2GiB" → bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!m?.[1]) {
    throw new CustomsError('USAGE_BAD_FLAG', `"${text}" is not a size; write e.g. 512, 64k, 100MB or 2GiB`);
  }
  const unit = (m[2] ?? '').toLowerCase();
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

export function contextFrom(flags: ImageFlags, signal: AbortSignal): Context & { finish(): void } {
  const base = defaultConfig();
  const config: Config = {
    ...base,
    ...(flags.platform ? { platform: flags.platform } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
    ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
    insecure: flags.insecure === true,
    cache: flags.cache !== false,
    strict: flags.strict === true,
    limits: {
      ...DEFAULT_LIMITS,
      ...(flags.maxFileSize !== undefined ? { maxFileSize: flags.maxFileSize } : {}),
      ...(flags.maxLayerSize !== undefined ? { maxLayerSize: flags.maxLayerSize } : {}),
    },
  };
  const log = renderLog({ quiet: flags.quiet === true, verbose: flags.verbose === true, stream: process.stderr });
  const ctx = createContext({ config, log, signal });
  return Object.assign(ctx, { finish: log.finish });
}

/** --db takes the DB file or the directory holding it (DB_FILE). */
export function dbFile(flag: string | undefined, dbDir: string): string {
  if (flag === undefined) return dbPath(dbDir);
  const isDir = (() => {
    try {
      return statSync(flag).isDirectory();
    } catch {
      return false;
    }
  })();
  return isDir ? dbPath(flag) : flag;
}
