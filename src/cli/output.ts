import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CustomsError } from '../core/index.js';

/**
 * Write the result to FILE atomically (temp file in the same directory, then
 * rename), so a failed run never leaves a half-written report; or to stdout.
 */
export async function writeOutput(text: string, file: string | undefined): Promise<void> {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (file === undefined || file === '-') {
    await new Promise<void>((ok, fail) => process.stdout.write(body, (e) => (e ? fail(e) : ok())));
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
