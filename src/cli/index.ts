import type { Command } from 'commander';
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
import { configureCommands, rootProgram } from './program.js';
import { runProgram } from './run-program.js';
import { TARGETS_HELP } from './targets-help.js';

export function buildProgram(signal: AbortSignal): Command {
  const program = rootProgram();
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
  configureCommands(program);
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

/** Run the CLI; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = argv.length === 0 ? ['--help'] : [...argv];
  if (args[0] === 'help' && args[1] === 'targets') args.splice(0, 2, 'targets');
  return runProgram(buildProgram, args);
}
