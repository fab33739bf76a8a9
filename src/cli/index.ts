import { Command } from 'commander';
import { terminalMessage, toolVersion } from '../core/index.js';
import { admitCommand } from './commands/admit.js';
import { cacheCommand } from './commands/cache.js';
import { dbCommand } from './commands/db.js';
import { gateCommand } from './commands/gate.js';
import { benchCommand } from './commands/bench.js';
import { reportCommand } from './commands/report.js';
import { irCommand } from './commands/ir.js';
import { sbomCommand } from './commands/sbom.js';
import { scanCommand } from './commands/scan.js';
import { serveCommand } from './commands/serve.js';
import { workerCommand } from './commands/worker.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';
import { attestCommand } from './commands/attest.js';
import { verifyAttestationCommand } from './commands/verify-attestation.js';
import { promoteCommand } from './commands/promote.js';
import { sensorCommand } from './commands/sensor.js';
import { runProgram } from './run-program.js';
import { TARGETS_HELP } from './targets-help.js';

export function buildProgram(signal: AbortSignal): Command {
  const program = new Command('customs')
    .description(
      'Container security: read any image, list what is inside, find what is wrong with it, and gate it before it ships.',
    )
    .version(toolVersion(), '-V, --version', 'print the version');
  program.addCommand(sbomCommand(signal));
  program.addCommand(scanCommand(signal));
  program.addCommand(gateCommand(signal));
  program.addCommand(cacheCommand());
  program.addCommand(dbCommand(signal));
  program.addCommand(serveCommand(signal));
  program.addCommand(workerCommand(signal));
  program.addCommand(benchCommand(signal));
  program.addCommand(reportCommand());
  program.addCommand(admitCommand(signal));
  program.addCommand(signCommand(signal));
  program.addCommand(verifyCommand(signal));
  program.addCommand(attestCommand(signal));
  program.addCommand(verifyAttestationCommand(signal));
  program.addCommand(promoteCommand(signal));
  program.addCommand(sensorCommand(signal));
  program.addCommand(irCommand(signal));
  program
    .command('targets')
    .description('How to name what to scan: transports, paths and image references')
    .action(() => {
      process.stdout.write(TARGETS_HELP);
    });
  // Settings of the root do not reach commands added with addCommand(): apply them everywhere,
  // so a usage error anywhere exits 2 (not commander's default 1) with a pointer to --help.
  const configure = (cmd: Command): void => {
    cmd
      .exitOverride()
      .showSuggestionAfterError(true)
      .showHelpAfterError(`(run "${commandPath(cmd)} --help" for usage and examples)`)
      // Commander's messages quote what was typed (an unknown option, a bad argument): made safe like every message.
      .configureOutput({
        outputError: (s, write) => write(`customs: ${terminalMessage(s.replace(/^error: /, '').trimEnd())}\n`),
      });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  program.addHelpText(
    'after',
    `
Examples:
  customs sbom docker-archive:image.tar --format cyclonedx -o sbom.json
  customs db update                       # or, offline: customs db import DIR
  customs scan alpine:3.19
  customs scan dockerfile ./Dockerfile
  customs gate app:1 --policy policy.yaml -o sarif=customs.sarif
  customs bench docker                    # this host against the CIS Docker Benchmark
  customs sign registry.example.com/app:1 --key cosign.key && customs verify registry.example.com/app:1 --key cosign.pub
  customs help scan

Exit status: 0 ok, 1 policy failed, 2 usage error, 3 input error, 4 internal error.`,
  );
  return program;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Run the CLI; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = argv.length === 0 ? ['--help'] : [...argv];
  if (args[0] === 'help' && args[1] === 'targets') args.splice(0, 2, 'targets');
  return runProgram(buildProgram, args);
}
