import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CustomsError, terminalDocument } from '../core/index.js';

/**
 * Write the result to FILE atomically (temp file in the same directory, then
 * rename), so a failed run never leaves a half-written report; or to stdout.
 * On a terminal, the text goes through terminalDocument first: a JSON or XML
 * report carries image text escaped for its format, not for the terminal
 * (C1 controls, bidi overrides, carriage returns). Files and pipes get the
 * bytes unchanged.
 */
export async function writeOutput(
  text: string,
  file: string | undefined,
  stdout: NodeJS.WritableStream & { readonly isTTY?: boolean } = process.stdout,
): Promise<void> {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (file === undefined || file === '-') {
    const shown = stdout.isTTY === true ? terminalDocument(body) : body;
    await new Promise<void>((ok, fail) => stdout.write(shown, (e) => (e ? fail(e) : ok())));
    return;
  }
  const target = resolve(file);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, body);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new CustomsError('OUTPUT_WRITE_FAILED', `cannot write ${target}: ${(e as Error).message}`, e);
  }
}

/**
 * The report format a file name's extension implies, longest suffix first
 * (".cdx.json" before ".json"). Files with none of these extensions take --format.
 */
const EXTENSION_FORMATS: readonly (readonly [string, string])[] = [
  ['.cdx.json', 'cyclonedx'],
  ['.spdx.json', 'spdx'],
  ['.sarif.json', 'sarif'],
  ['.sarif', 'sarif'],
  ['.json', 'json'],
  ['.xml', 'junit'],
  ['.html', 'html'],
  ['.htm', 'html'],
  ['.md', 'markdown'],
];

/**
 * The format for `-o FILE` when --format was not given: the one FILE's extension names
 * (`x.sarif` → sarif), so a SARIF upload never receives a table. An extension naming a
 * format the command does not write is a usage error listing the ones it does; a file
 * with no known extension keeps the default (undefined).
 */
export function formatOfFile<F extends string>(
  file: string | undefined,
  formats: readonly F[],
  command: string,
): F | undefined {
  if (file === undefined || file === '-') return undefined;
  const name = basename(file).toLowerCase();
  const hit = EXTENSION_FORMATS.find(([ext]) => name.endsWith(ext) && name.length > ext.length);
  if (hit === undefined) return undefined;
  const [ext, format] = hit;
  if ((formats as readonly string[]).includes(format)) return format as F;
  throw new CustomsError(
    'USAGE_BAD_FLAG',
    `-o ${file}: a ${ext} file is ${format}, which ${command} does not write; give --format (${formats.join(', ')}) or another file name`,
  );
}

/** --format when given on the command line; else the format of `-o FILE`'s extension; else the default. */
export function chosenFormat<F extends string>(
  cmd: Command,
  flags: { readonly format: F; readonly output?: string | undefined },
  formats: readonly F[],
): F {
  if (cmd.getOptionValueSource('format') === 'cli') return flags.format;
  return formatOfFile(flags.output, formats, `customs ${cmd.name()}`) ?? flags.format;
}
