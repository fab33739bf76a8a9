import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CustomsError, DB_FILE, EXIT, stableJson } from '../../core/index.js';
import { withImageContext } from '../image-command.js';
import { contextFrom, dbFile } from '../options.js';
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
    .description('Propose Kubernetes NetworkPolicies allowing exactly the egress the sensor observed')
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

/** $XDG_DATA_HOME/customs/sensor, or ~/.local/share/customs/sensor (XDG Base Directory spec). */
export function defaultSensorStore(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share'), 'customs', 'sensor');
}

/** 30s, 5m, 2h, 1d or plain seconds. */
export function parseDurationMs(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m?.[1])
    throw new CustomsError('USAGE_BAD_FLAG', `${flag}: "${text}" is not a duration; write e.g. 30s, 5m, 2h or 1d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

/** "key" or "key=value", as docker's --filter label= takes it. */
function parseLabel(text: string): { key: string; value?: string } {
  const i = text.indexOf('=');
  const key = i < 0 ? text : text.slice(0, i);
  if (key === '') throw new CustomsError('USAGE_BAD_FLAG', `--watch-label "${text}": write KEY or KEY=VALUE`);
  return i < 0 ? { key } : { key, value: text.slice(i + 1) };
}

interface SensorFlags {
  readonly server?: string;
  readonly token?: string;
  readonly store?: string | false;
  readonly window: string;
  readonly enforce: string[];
  readonly enforceLive?: boolean;
  readonly bpftrace: string | false;
  readonly falcoJson?: string;
  readonly duration?: string;
  readonly baseline?: string;
  readonly scanImages?: boolean;
  readonly listen?: string;
  readonly db?: string;
  readonly watchLabel?: string;
}

export function sensorCommand(signal: AbortSignal): Command {
  const cmd = new Command('sensor')
    .description(
      'Runtime sensor: behaviour of the containers on this node from the kernel (and Falco), rules, enforcement',
    )
    .option('--server <url>', 'report to the customs server at URL (POST /api/v1/runtime/reports)')
    .option('--token <token>', 'API token for --server (or CUSTOMS_TOKEN)')
    .option(
      '--store <dir|url>',
      'record alerts, actions, in-use files and inventory in this store (default without --server: $XDG_DATA_HOME/customs/sensor)',
    )
    .option('--no-store', 'without --server: no local store either (stdout only)')
    .option('--window <duration>', 'per-image baseline learning window', '10m')
    .option(
      '--enforce <rule=action>',
      'action for a rule (ID or name): alert, pause, stop, kill, isolate; repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--enforce-live', 'take the actions (default: dry-run — decided and audited only)')
    .option(
      '--watch-label <key[=value]>',
      'watch only containers carrying this label (with this value): the others are neither alerted on nor acted on',
    )
    .option('--bpftrace <path>', 'bpftrace binary', 'bpftrace')
    .option('--no-bpftrace', 'no kernel events (Falco input only)')
    .option('--falco-json <file>', 'also read Falco JSON alerts from FILE, or - for stdin')
    .option('--duration <duration>', 'stop after this long (default: run until SIGTERM)')
    .option('--baseline <file>', 'load baselines from FILE at start and save them there at exit')
    .option('--listen <host:port>', 'serve /healthz, /readyz and /metrics here (loopback by default; port 0 = any)')
    .option('--scan-images', 'scan active images the store has no scan of, from this node (needs the vulnerability DB)')
    .option(
      '--db <path>',
      `vulnerability DB file or directory for --scan-images (default: ${DB_FILE} in CUSTOMS_DB_DIR)`,
    )
    .addHelpText(
      'after',
      `
Needs root: bpftrace loads eBPF programs on tracepoints (tracefs mounted at
/sys/kernel/tracing), and the Docker socket is read. Alerts and actions are JSON
lines on stdout; logs JSON lines on stderr. Rules: docs/runtime.md.

Examples:
  customs sensor inventory -f json
  customs sensor drift web-1
  customs sensor --store /var/lib/customs --window 30m --scan-images
  customs sensor --enforce crypto-miner=kill --enforce CRT-003=isolate --enforce-live
  falco -o json_output=true | customs sensor --no-bpftrace --falco-json -
  customs sensor --server https://customs.example:8443 --token "$CUSTOMS_TOKEN"

Exit status: 0 ok, 2 usage error, 3 input error (no engine, bad Falco file), 4 internal error.`,
    )
    .action(async (flags: SensorFlags) => {
      const rt = await runtime();
      const enforce = new Map<string, import('../../runtime/index.js').EnforcementAction>();
      for (const e of flags.enforce) {
        const [rule, action] = e.split('=');
        if (!rule || !action || !(rt.ACTIONS as readonly string[]).includes(action))
          throw new CustomsError(
            'USAGE_BAD_FLAG',
            `--enforce "${e}": write RULE=ACTION with ACTION one of ${rt.ACTIONS.join(', ')}`,
          );
        if (!rt.ruleByIdOrName(rule) && !rule.startsWith('falco:'))
          throw new CustomsError(
            'USAGE_BAD_FLAG',
            `--enforce "${e}": no rule "${rule}" (${rt.RULES.map((r) => r.name).join(', ')}, or falco:RULE)`,
          );
        enforce.set(rule, action as import('../../runtime/index.js').EnforcementAction);
      }
      // Every flag is checked before a store is opened or anything starts.
      const watchLabel = flags.watchLabel === undefined ? undefined : parseLabel(flags.watchLabel);
      const windowMs = parseDurationMs(flags.window, '--window');
      const durationMs = flags.duration !== undefined ? parseDurationMs(flags.duration, '--duration') : undefined;
      const ctx = contextFrom({ quiet: true }, signal);
      const reporters: import('../../runtime/index.js').Reporter[] = [];
      let store: import('../../store/index.js').Store | undefined;
      if (flags.server)
        reporters.push(rt.serverReporter(flags.server, flags.token ?? process.env.CUSTOMS_TOKEN, hostname(), ctx.now));
      // Reported somewhere by default: the server when named, else a local store.
      const storeTarget =
        typeof flags.store === 'string'
          ? flags.store
          : flags.store === false || flags.server
            ? undefined
            : defaultSensorStore();
      if (storeTarget) {
        store = await (await import('../../store/index.js')).openStore(storeTarget);
        reporters.push(rt.storeReporter(store, hostname()));
      }
      if (flags.scanImages && !store)
        throw new CustomsError(
          'USAGE_BAD_FLAG',
          '--scan-images records into a store: give --store (the server scans what it is sent)',
        );
      try {
        await rt.runSensor(ctx, {
          ...(flags.scanImages && store
            ? { scanImages: { store, ctx: { ...ctx, dbPath: dbFile(flags.db, ctx.config.dbDir) } } }
            : {}),
          windowMs,
          enforce,
          enforceLive: flags.enforceLive === true,
          bpftrace: flags.bpftrace,
          ...(flags.falcoJson !== undefined ? { falcoJson: flags.falcoJson } : {}),
          ...(durationMs !== undefined ? { durationMs } : {}),
          ...(flags.baseline !== undefined ? { baselineFile: flags.baseline } : {}),
          ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
          ...(watchLabel ? { watchLabel } : {}),
          reporters,
          out: (l) => process.stdout.write(`${l}\n`),
          err: (l) => process.stderr.write(`${l}\n`),
        });
      } finally {
        await store?.close();
      }
      process.exitCode = EXIT.ok;
    });
  cmd.addCommand(inventoryCommand(signal));
  cmd.addCommand(driftCommand(signal));
  cmd.addCommand(segmentationCommand(signal));
  cmd.addCommand(netpolCommand(signal));
  return cmd;
}
