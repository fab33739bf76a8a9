/**
 * `customs sensor` itself (running the sensor), apart from its sub-commands
 * (sensor.ts): this module imports no part of the runtime by itself — the caller
 * passes the loader — so the sensor's own entry (src/cli/sensor-main.ts) bundles
 * only what running needs.
 */
import { Command } from 'commander';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CustomsError, DB_FILE, EXIT } from '../../core/index.js';
import { contextFrom, dbFile } from '../options.js';

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

/** What running the sensor needs of the runtime (a narrow loader keeps `customs sensor`'s process small). */
export type SensorRuntime = Pick<
  typeof import('../../runtime/index.js'),
  'runSensor' | 'serverReporter' | 'storeReporter' | 'ACTIONS' | 'RULES' | 'ruleByIdOrName'
>;

/**
 * `customs sensor` running the sensor, with the runtime from `load`: the full CLI
 * passes the whole runtime; the sensor's own entry (src/cli/sensor-main.ts) only
 * what running needs, so the long-running process holds no scanner, server or
 * analyzer code.
 */
export function sensorRunCommand(signal: AbortSignal, load: () => Promise<SensorRuntime>): Command {
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
      const rt = await load();
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
  return cmd;
}
