/**
 * The filter flags `customs scan` and `customs gate` share, as Trivy spells them:
 * --severity, --ignore-unfixed, --ignorefile; one parser for both commands, and the
 * policy stage's filters (policy/judge.ts) apply them.
 */
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { CustomsError, parseSeverityList, type Severity } from '../core/index.js';
import type { IgnoreEntry, ScanFilters } from '../policy/index.js';

export const filterOptions = (): Option[] => [
  new Option('--severity <list>', 'only findings of these severities count (Trivy): e.g. HIGH,CRITICAL'),
  new Option('--ignore-unfixed', 'vulnerabilities without a fixed version do not count (Trivy)'),
  new Option('--ignorefile <file>', 'IDs to ignore, .trivyignore format (ID [exp:YYYY-MM-DD] per line, # comments)'),
];

export interface FilterFlags {
  readonly severity?: string;
  readonly ignoreUnfixed?: boolean;
  readonly ignorefile?: string;
}

/** --severity, parsed before anything is read (a usage error must not wait for an image). */
export const severitiesOf = (flags: FilterFlags): Severity[] | undefined =>
  flags.severity === undefined ? undefined : parseSeverityList(flags.severity);

/** Read a file a flag names; a missing one is an input error (exit 3) naming the flag. */
export async function readInputFile(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CustomsError('GATE_INPUT_NOT_FOUND', `${flag} ${file}: ${why}`, e);
  }
}

/** --ignorefile, read and parsed. */
export async function ignoreOf(
  flags: FilterFlags,
): Promise<{ readonly file: string; readonly entries: readonly IgnoreEntry[] } | undefined> {
  if (flags.ignorefile === undefined) return undefined;
  const { parseIgnoreFile } = await import('../policy/index.js');
  return {
    file: flags.ignorefile,
    entries: parseIgnoreFile(await readInputFile('--ignorefile', flags.ignorefile), flags.ignorefile),
  };
}

/** --db-dir: where customs.db lives (as for `customs db`). */
export const dbDirOption = (): Option =>
  new Option('--db-dir <dir>', 'DB directory (env CUSTOMS_DB_DIR; default ~/.local/share/customs/db)');

/** The three filters of the flags, parsed and read. */
export async function filtersOf(flags: FilterFlags): Promise<ScanFilters> {
  const severities = severitiesOf(flags);
  const ignore = await ignoreOf(flags);
  return {
    ...(severities ? { severities } : {}),
    ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
    ...(ignore ? { ignore } : {}),
  };
}
