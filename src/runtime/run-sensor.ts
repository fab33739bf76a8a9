/**
 * `customs sensor`: the sensor running until stopped (SIGTERM/SIGINT, --duration,
 * or the end of a Falco file when bpftrace is off). Alerts and actions are JSON
 * lines on stdout; logs are JSON lines on stderr; the store and the server get
 * batches every `flushMs`.
 */
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { type Context, CustomsError, listenOn } from '../core/index.js';
import type { ScanContext } from '../engine/index.js';
import type { Store } from '../store/index.js';
import { dockerApi } from './docker-api.js';
import type { ContainerLister } from './attribution.js';
import { containerdInventory, ctrRunner, findContainerdSocket } from './containerd-inventory.js';
import { dockerContainerLister } from './docker-inventory.js';
import type { EnforcementAction } from './enforce.js';
import { nodeInventory } from './inventory.js';
import type { Reporter } from './reporters.js';
import { Sensor, type SensorRecord } from './sensor.js';
import type { SensorStats } from './payload.js';

export interface RunSensorOptions {
  readonly windowMs: number;
  readonly enforce: ReadonlyMap<string, EnforcementAction>;
  readonly enforceLive: boolean;
  readonly bpftrace: string | false;
  /** A file, or "-" for stdin. */
  readonly falcoJson?: string;
  readonly durationMs?: number;
  readonly baselineFile?: string;
  readonly reporters: readonly Reporter[];
  readonly flushMs?: number;
  /** Serve /healthz, /readyz and /metrics (Prometheus text) on HOST:PORT (port 0: any free port, logged). */
  readonly listen?: string;
  /** Report the node's inventory again every this many ms (default 5 min). */
  readonly inventoryEveryMs?: number;
  /** Scan active images the store does not know (needs a store and the vulnerability DB at ctx.dbPath). */
  readonly scanImages?: { readonly store: Store; readonly ctx: ScanContext };
  /** Watch only containers carrying this label (with this value when given): the rest are neither alerted on nor acted on. */
  readonly watchLabel?: { readonly key: string; readonly value?: string };
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export async function runSensor(ctx: Context, opts: RunSensorOptions): Promise<SensorStats> {
  const host = hostname();
  const api = dockerApi(ctx);
  const log = (level: string, msg: string, data?: unknown): void =>
    opts.err(JSON.stringify({ time: ctx.now().toISOString(), level, msg, ...(data === undefined ? {} : { data }) }));
  const emit = (r: SensorRecord): void => {
    if (r.kind === 'log') {
      log(r.level, r.msg, r.data);
      return;
    }
    opts.out(JSON.stringify(r.kind === 'alert' ? { kind: 'alert', ...r.alert } : { kind: 'action', ...r.action }));
    for (const rep of opts.reporters) {
      if (r.kind === 'alert') rep.alert(r.alert);
      else rep.action(r.action);
    }
    if (r.kind === 'action')
      log(
        'info',
        `audit: ${r.action.action}${r.action.dryRun ? ' (dry-run)' : ''} on ${r.action.container.name}`,
        r.action,
      );
  };
  if (opts.bpftrace === false && opts.falcoJson === undefined)
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      'with --no-bpftrace the sensor needs --falco-json FILE|- as its event source',
    );
  const falco =
    opts.falcoJson === undefined
      ? undefined
      : opts.falcoJson === '-'
        ? process.stdin
        : createReadStream(opts.falcoJson);
  if (falco && opts.falcoJson !== '-')
    await new Promise<void>((ok, fail) => {
      (falco as ReturnType<typeof createReadStream>).once('open', () => ok());
      falco.once('error', (e: Error) =>
        fail(new CustomsError('RUNTIME_INPUT_INVALID', `cannot read Falco output ${opts.falcoJson}: ${e.message}`, e)),
      );
    });
  const sensor = new Sensor({
    api,
    host,
    containers: watched(nodeContainerLister(dockerContainerLister(api), await containerdLister()), opts.watchLabel),
    now: ctx.now,
    windowMs: opts.windowMs,
    enforce: opts.enforce,
    enforceLive: opts.enforceLive,
    bpftrace: opts.bpftrace,
    ...(falco ? { falco } : {}),
    emit,
  });
  if (opts.baselineFile) {
    const text = await readFile(opts.baselineFile, 'utf8').catch(() => undefined);
    if (text) sensor.baselines.load(JSON.parse(text) as unknown);
  }
  let scanning: Promise<void> = Promise.resolve();
  try {
    const inv = await nodeInventory(ctx);
    for (const rep of opts.reporters) rep.inventory(inv);
    const si = opts.scanImages;
    // In the background: the sensor watches while images are read and scanned.
    if (si)
      // Imported only here: scanning loads the engine and its analyzers, which the sensor
      // alone never needs (docs/runtime.md "Cost").
      scanning = import('./scan-images.js')
        .then(({ scanActiveImages }) => scanActiveImages(inv, si.store, si.ctx))
        .then(
          (r) => log(r.failed.length > 0 ? 'warn' : 'info', 'images scanned', r),
          (e: Error) => log('warn', `image scans: ${e.message}`),
        );
  } catch (e) {
    log('warn', `inventory: ${(e as Error).message}`);
  }
  log('info', 'sensor starting', {
    host,
    windowMs: opts.windowMs,
    enforce: Object.fromEntries(opts.enforce),
    mode: opts.enforceLive ? 'enforce' : 'dry-run',
  });
  let ready = false;
  const http = opts.listen
    ? await serveHealth(
        opts.listen,
        () => ready,
        () => sensor.stats(),
        () => sensor.folded(),
        log,
      )
    : undefined;
  await sensor.start();
  ready = true;
  log('info', 'sensor ready');
  const inventoryTimer = setInterval(() => {
    nodeInventory(ctx).then(
      (inv) => {
        for (const rep of opts.reporters) rep.inventory(inv);
      },
      (e: Error) => log('warn', `inventory: ${e.message}`),
    );
  }, opts.inventoryEveryMs ?? 300_000);
  const flush = async (): Promise<void> => {
    for (const rep of opts.reporters)
      await rep.flush(sensor.stats(), sensor.inUse()).catch((e: Error) => log('warn', `report: ${e.message}`));
  };
  const timer = setInterval(() => void flush(), opts.flushMs ?? 5000);
  try {
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      if (opts.durationMs !== undefined) setTimeout(resolve, opts.durationMs).unref();
      if (opts.bpftrace === false) void sensor.falcoDone().then(resolve);
    });
  } finally {
    clearInterval(timer);
    clearInterval(inventoryTimer);
    ready = false;
    await sensor.stop();
    await scanning;
    await flush();
    if (opts.baselineFile)
      await writeFile(opts.baselineFile, `${JSON.stringify(sensor.baselines.toJson(), null, 2)}\n`);
  }
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  const stats = sensor.stats();
  log('info', 'sensor stopped', { ...stats, folded: sensor.folded() });
  log('info', 'events by container', sensor.eventsByContainer());
  log('info', 'folded by container', sensor.foldedByContainer());
  return stats;
}

/** Counters of SensorStats as Prometheus metrics (text exposition format 0.0.4). */
export function metricsText(stats: SensorStats, folded = 0): string {
  const help: Record<keyof SensorStats, string> = {
    lines: 'Lines read from bpftrace.',
    events: 'Kernel events: lines parsed plus events the kernel folded into counts.',
    malformed: 'Lines that looked like events and could not be read.',
    lost: 'Events lost (bpftrace perf buffer full, or the sensor queue full).',
    unattributed: 'Events of processes in no known container.',
    alerts: 'Alerts raised.',
    suppressed: 'Alerts not repeated within the dedup window.',
    actions: 'Enforcement actions decided (taken or dry-run).',
    falcoLines: 'Lines read from Falco JSON output.',
    falcoErrors: 'Falco lines that were not alerts.',
    restarts: 'bpftrace restarts.',
  };
  const counter = (name: string, h: string, v: number): string =>
    `# HELP ${name} ${h}\n# TYPE ${name} counter\n${name} ${v}\n`;
  return (
    Object.entries(help)
      .map(([k, h]) =>
        counter(
          `customs_sensor_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`,
          h,
          stats[k as keyof SensorStats],
        ),
      )
      .join('') +
    counter(
      'customs_sensor_folded_total',
      'Events the kernel folded into counts after their first line in an interval (counted in events too).',
      folded,
    )
  );
}

async function serveHealth(
  listen: string,
  ready: () => boolean,
  stats: () => SensorStats,
  folded: () => number,
  log: (level: string, msg: string, data?: unknown) => void,
): Promise<Server> {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m?.[1] || m[2] === undefined)
    throw new CustomsError('USAGE_BAD_FLAG', `--listen "${listen}": write HOST:PORT, e.g. 127.0.0.1:9464`);
  const host = m[1].replace(/^\[|\]$/g, '');
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    else if (path === '/readyz')
      res.writeHead(ready() ? 200 : 503, { 'content-type': 'text/plain' }).end(ready() ? 'ready\n' : 'starting\n');
    else if (path === '/metrics')
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(stats(), folded()));
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await listenOn(server, host, Number(m[2]));
  const a = server.address();
  log('info', 'listening', typeof a === 'object' && a ? { address: a.address, port: a.port } : { address: String(a) });
  return server;
}

/** containerd's containers with their task PIDs (every namespace but Docker's), when containerd answers. */
async function containerdLister(): Promise<ContainerLister | undefined> {
  const socket = await findContainerdSocket();
  if (!socket) return undefined;
  const ctr = ctrRunner(socket);
  return async () => (await containerdInventory(socket, ctr, ['moby'])).containers;
}

/** Docker's containers, plus containerd's (a Kubernetes node's CRI pods) when it answers. */
export function nodeContainerLister(docker: ContainerLister, containerd?: ContainerLister): ContainerLister {
  return async () => {
    const list = [...(await docker())];
    if (containerd) list.push(...(await containerd().catch(() => [])));
    return list;
  };
}

/** The containers a label selects; all of them without one. */
function watched(list: ContainerLister, label: RunSensorOptions['watchLabel']): ContainerLister {
  if (!label) return list;
  return async () =>
    (await list()).filter((c) => {
      const v = c.labels?.[label.key];
      return v !== undefined && (label.value === undefined || v === label.value);
    });
}
