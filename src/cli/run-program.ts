/**
 * How every entry of the CLI (the full CLI and the sensor's own entry) runs its program:
 * SIGINT and SIGTERM abort the signal the commands were built with, the exit status comes
 * from process.exitCode, and an error is printed once — its message made safe for the
 * terminal (messages quote names from images, manifests and files: terminalMessage keeps
 * their escapes and line breaks from acting on the terminal or forging a line of output),
 * its hint and code — and mapped to its exit status.
 */
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { EXIT, terminalMessage, toCustomsError } from '../core/index.js';

/** Build the program with the abort signal, run it on `args`; resolves to the exit status. */
export async function runProgram(build: (signal: AbortSignal) => Command, args: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await build(controller.signal).parseAsync([...args], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    // --help and --version end through here with exit code 0.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const err = toCustomsError(e);
    process.stderr.write(`customs: ${terminalMessage(err.message)}\n  hint: ${err.hint} [${err.code}]\n`);
    if (process.env.CUSTOMS_DEBUG && err.cause instanceof Error)
      process.stderr.write(`${terminalMessage(err.cause.stack ?? '')}\n`);
    return err.exitStatus;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
