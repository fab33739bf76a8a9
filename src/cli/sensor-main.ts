/**
 * The entry of `customs sensor` when it runs the sensor (no sub-command): a
 * long-running node agent, so its process loads only the sensor's code — the
 * runtime's event path, the reporters and, when asked, the store — not the
 * scanners, the server or the analyzers the full CLI bundles (docs/runtime.md
 * "Cost"). bin/customs.js picks it; scripts/bundle.mjs bundles it on its own
 * (one file: the store and image scanning are imported only when used).
 * Exit statuses and error output are the full CLI's (run-program.ts, shared).
 */
import { Command } from 'commander';
import { terminalMessage, toolVersion } from '../core/index.js';
import { ACTIONS, RULES, ruleByIdOrName, runSensor, serverReporter, storeReporter } from '../runtime/index.js';
import { sensorRunCommand } from './commands/sensor-run.js';
import { runProgram } from './run-program.js';

/** Run `customs sensor ARGS…`; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // What `ps` and /proc/PID/cmdline show on the node: the agent, not a generic node process.
  process.title = 'customs sensor';
  return runProgram((signal) => {
    const sensor = sensorRunCommand(signal, async () => ({
      ACTIONS,
      RULES,
      ruleByIdOrName,
      runSensor,
      serverReporter,
      storeReporter,
    }));
    const program = new Command('customs').version(toolVersion(), '-V, --version').addCommand(sensor);
    for (const cmd of [program, sensor])
      cmd
        .exitOverride()
        .showSuggestionAfterError(true)
        .showHelpAfterError('(run "customs sensor --help" for usage and examples)')
        .configureOutput({
          outputError: (s, write) => write(`customs: ${terminalMessage(s.replace(/^error: /, '').trimEnd())}\n`),
        });
    return program;
  }, argv);
}
