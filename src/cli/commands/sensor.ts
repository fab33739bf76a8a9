import { Command, Option } from 'commander';
import { EXIT, stableJson } from '../../core/index.js';
import { withImageContext } from '../image-command.js';
import { contextFrom } from '../options.js';
import { writeOutput } from '../output.js';

// The runtime is imported when a command runs, so `--help` starts fast.
const runtime = () => import('../../runtime/index.js');

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface CommonFlags {
  readonly format: Format;
  readonly output?: string;
  readonly containerd?: string;
  readonly quiet?: boolean;
}

const json = (v: unknown): string => `${stableJson(v, 2)}\n`;

function inventoryCommand(signal: AbortSignal): Command {
  const cmd = new Command('inventory')
    .description("This node's containers (running and stopped) and images (active or dormant), once")
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--containerd <socket>', 'containerd socket (default: the first that exists), or "none"')
    .addHelpText(
      'after',
      `
Reads the Docker Engine API (DOCKER_HOST, default unix:///var/run/docker.sock) and
containerd (every namespace but Docker's "moby", through ctr). Run as root.

Examples:
  customs sensor inventory
  customs sensor inventory -f json | jq '.containers[] | {name, state, imageId}'
  DOCKER_HOST=unix:///run/podman/podman.sock customs sensor inventory --containerd none

Exit status: 0 ok, 2 usage error, 3 no engine answered.`,
    )
    .action(async (flags: CommonFlags) => {
      const ctx = contextFrom({ quiet: true }, signal);
      const rt = await runtime();
      const inv = await rt.nodeInventory(ctx, containerdOption(flags.containerd));
      await writeOutput(flags.format === 'json' ? json(inv) : rt.inventoryTable(inv), flags.output);
      process.exitCode = EXIT.ok;
    });
  return cmd;
}

function driftCommand(signal: AbortSignal): Command {
  return new Command('drift')
    .description("One container's drift from its image: files added, changed, deleted, new executables, packages")
    .argument('<container>', 'container ID, ID prefix or name')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--no-cache', 'do not use the layer cache for the image inventory')
    .addHelpText(
      'after',
      `
Reads the container's overlay2 upper dir (GraphDriver.Data.UpperDir) as root, and
re-inventories its merged filesystem with the scanners' analyzers, so a package
installed at run time shows as a package the image's SBOM does not have.

Examples:
  customs sensor drift web-1
  customs sensor drift 3ab0960cdab3 -f json | jq '.packages.added[].purl'

Exit status: 0 no drift, 1 drift found, 2 usage error, 3 no such container or unsupported storage driver.`,
    )
    .action(async (container: string, flags: CommonFlags & { cache?: boolean }) => {
      await withImageContext(
        { quiet: true, ...(flags.cache === false ? { cache: false } : {}) },
        signal,
        async (ctx) => {
          const rt = await runtime();
          const d = await rt.containerDrift(container, ctx);
          await writeOutput(flags.format === 'json' ? json(d) : rt.driftTable(d), flags.output);
          const s = d.summary;
          const drifted =
            s.added + s.changed + s.deleted + s.opaque + s.packagesAdded + s.packagesRemoved + s.packagesChanged;
          process.exitCode = drifted > 0 ? EXIT.policyFailed : EXIT.ok;
        },
      );
    });
}

function containerdOption(flag: string | undefined): { containerd?: string | false } {
  if (flag === undefined) return {};
  return { containerd: flag === 'none' ? false : flag };
}

export function sensorCommand(signal: AbortSignal): Command {
  const cmd = new Command('sensor')
    .description('Runtime sensor: inventory, drift and behaviour of the containers on this node')
    .addHelpText(
      'after',
      `
Examples:
  customs sensor inventory -f json
  customs sensor drift web-1

Exit status: 0 ok, 1 a rule fired (one-shot modes), 2 usage error, 3 input error, 4 internal error.`,
    );
  cmd.addCommand(inventoryCommand(signal));
  cmd.addCommand(driftCommand(signal));
  return cmd;
}
