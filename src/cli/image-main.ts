/**
 * The entry of the image commands — `customs sbom`, `customs scan`, `customs gate` —
 * which CI runs on every commit. A warm run (every layer cached) is mostly start-up, so
 * this entry builds only the command that was asked for, loading its module and what it
 * imports, not the server, the sensor, signing, the benchmarks or the other two commands
 * the full CLI holds (docs/adr/0003-bundled-cli.md). bin/customs.js picks it by the first
 * argument. The command, the root it hangs from and the way the program runs are the full
 * CLI's own (commands/, program.ts, run-program.ts): a command's help, errors and exit
 * statuses are the same from either entry (a command's help and usage errors name only
 * itself and the root's options).
 */
import type { Command } from 'commander';
import { configureCommands, rootProgram } from './program.js';
import { runProgram } from './run-program.js';

/** The commands this entry runs, by name; bin/customs.js sends anything else to the full CLI. */
const IMAGE_COMMANDS: Readonly<Record<string, () => Promise<(signal: AbortSignal) => Command>>> = {
  sbom: async () => (await import('./commands/sbom.js')).sbomCommand,
  scan: async () => (await import('./commands/scan.js')).scanCommand,
  gate: async () => (await import('./commands/gate.js')).gateCommand,
};

/** True when `customs ARGS…` is one of this entry's commands. */
export const isImageCommand = (argv: readonly string[]): boolean =>
  argv[0] !== undefined && Object.hasOwn(IMAGE_COMMANDS, argv[0]);

/** Run `customs sbom|scan|gate ARGS…`; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const load = isImageCommand(argv) ? IMAGE_COMMANDS[argv[0] as string] : undefined;
  if (load === undefined) throw new Error(`image-main runs ${Object.keys(IMAGE_COMMANDS).join(', ')}, not ${argv[0]}`);
  const command = await load();
  return runProgram((signal) => configureCommands(rootProgram().addCommand(command(signal))), argv);
}
