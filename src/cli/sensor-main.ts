/**
 * The entry of `customs sensor` when it runs the sensor (no sub-command): a
 * long-running node agent, so its process loads only the sensor's code — the
 * runtime's event path, the reporters and, when asked, the store — not the
 * scanners, the server or the analyzers the full CLI bundles (docs/runtime.md
 * "Cost"). bin/customs.js picks it; scripts/bundle.mjs bundles it on its own,
 * with the store and image scanning split into chunks loaded when used.
 * Exit statuses and error output are the full CLI's (src/cli/index.ts).
 */
import { Command, CommanderError } from 'commander';
import { EXIT, terminalMessage, toCustomsError, toolVersion } from '../core/index.js';
import { ACTIONS, RULES, ruleByIdOrName, runSensor, serverReporter, storeReporter } from '../runtime/index.js';
import { sensorRunCommand } from './commands/sensor-run.js';

/** Run `customs sensor ARGS…`; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // What `ps` and /proc/PID/cmdline show on the node: the agent, not a generic node process.
  process.title = 'customs sensor';
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const sensor = sensorRunCommand(controller.signal, async () => ({
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
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
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
