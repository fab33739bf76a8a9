import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { CustomsError, EXIT, stableJson } from '../../core/index.js';
import { withImageContext } from '../image-command.js';
import { contextFrom } from '../options.js';
import { writeOutput } from '../output.js';
import { sensorRunCommand } from './sensor-run.js';

export { defaultSensorStore, parseDurationMs, type SensorRuntime, sensorRunCommand } from './sensor-run.js';

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

function segmentationCommand(signal: AbortSignal): Command {
  return new Command('segmentation')
    .description(
      'Sensitivity levels mixed on this node, and containers with unbounded network access (NIST SP 800-190)',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--label <key>', 'the container label holding the sensitivity level', 'customs.io/sensitivity')
    .option('--network-policies <file>', 'NetworkPolicies in force (kubectl get networkpolicy -A -o yaml)')
    .addHelpText(
      'after',
      `
Examples:
  customs sensor segmentation
  kubectl get networkpolicy -A -o yaml > np.yaml && customs sensor segmentation --network-policies np.yaml -f json

Exit status: 0 one level and every container bounded, 1 levels mixed or a container unbounded, 2 usage error, 3 input error.`,
    )
    .action(async (flags: { format: Format; label: string; networkPolicies?: string }) => {
      const rt = await runtime();
      const ctx = contextFrom({ quiet: true }, signal);
      let policies: { covered: Set<string> } | undefined;
      if (flags.networkPolicies) {
        const { parseAllDocuments } = await import('yaml');
        const text = await readFile(flags.networkPolicies, 'utf8').catch((e: Error) => {
          throw new CustomsError('RUNTIME_INPUT_INVALID', `cannot read ${flags.networkPolicies}: ${e.message}`, e);
        });
        policies = { covered: rt.namespacesWithPolicies(parseAllDocuments(text).map((d) => d.toJS() as unknown)) };
      }
      const inv = await rt.nodeInventory(ctx);
      const r = rt.segmentation(inv, { label: flags.label, ...(policies ? { policies } : {}) });
      const text =
        flags.format === 'json'
          ? json(r)
          : [
              `node ${r.host}: ${Object.keys(r.levels).length} sensitivity level(s) (label ${r.label})${r.mixed ? ' — MIXED' : ''}`,
              ...Object.entries(r.levels).map(([level, cs]) => `  ${level}: ${cs.join(', ')}`),
              ...(r.unlabelled.length > 0 ? [`  unlabelled: ${r.unlabelled.join(', ')}`] : []),
              ...r.unbounded.map((u) => `unbounded network: ${u.container}: ${u.reason}`),
              '',
            ].join('\n');
      await writeOutput(text, undefined);
      process.exitCode = r.mixed || r.unbounded.length > 0 ? EXIT.policyFailed : EXIT.ok;
    });
}

function netpolCommand(signal: AbortSignal): Command {
  return new Command('netpol')
    .description('Propose Kubernetes NetworkPolicies allowing exactly the egress and ingress the sensor observed')
    .requiredOption('--from <file>', 'baselines saved by `customs sensor --baseline FILE`')
    .option('--no-dns', 'do not allow DNS (UDP/TCP 53), which the sensor does not observe')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  customs sensor --baseline /var/lib/customs/baseline.json --window 1h   # learn
  customs sensor netpol --from /var/lib/customs/baseline.json | kubectl apply --dry-run=server -f -

Exit status: 0 ok, 2 usage error, 3 unreadable baseline.`,
    )
    .action(async (flags: { from: string; dns: boolean; output?: string }) => {
      const rt = await runtime();
      const ctx = contextFrom({ quiet: true }, signal);
      let baselines: import('../../runtime/index.js').BaselineJson;
      try {
        baselines = JSON.parse(await readFile(flags.from, 'utf8')) as import('../../runtime/index.js').BaselineJson;
        if (!Array.isArray(baselines.images)) throw new Error('no "images" list');
      } catch (e) {
        throw new CustomsError(
          'RUNTIME_INPUT_INVALID',
          `${flags.from} is not a sensor baseline: ${(e as Error).message}`,
          e,
        );
      }
      const inv = await rt.nodeInventory(ctx);
      await writeOutput(rt.proposeNetworkPolicies(inv, baselines, { dns: flags.dns }), flags.output);
      process.exitCode = EXIT.ok;
    });
}

function containerdOption(flag: string | undefined): { containerd?: string | false } {
  if (flag === undefined) return {};
  return { containerd: flag === 'none' ? false : flag };
}

/** `customs sensor` and its sub-commands. */
export function sensorCommand(signal: AbortSignal): Command {
  const cmd = sensorRunCommand(signal, runtime);
  cmd.addCommand(inventoryCommand(signal));
  cmd.addCommand(driftCommand(signal));
  cmd.addCommand(segmentationCommand(signal));
  cmd.addCommand(netpolCommand(signal));
  return cmd;
}
