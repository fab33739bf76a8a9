import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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
