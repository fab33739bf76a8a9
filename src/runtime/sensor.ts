/**
 * The sensor: kernel events from a supervised bpftrace (and alerts from Falco's
 * JSON output) → the container each came from → the image's baseline → rules →
 * alerts → enforcement per rule (dry-run unless asked) → records for the sinks
 * (stdout, the local store, the server). Files exec'd and opened are remembered
 * per container: the packages owning them are "in use" (in-use.ts).
 */
import { createInterface } from 'node:readline';
import { CustomsError } from '../core/index.js';
import { type RuntimeAlert, kernelAlert, parseFalcoLine } from './alerts.js';
import { Attribution, type ContainerLister, mountNamespaceOf } from './attribution.js';
import { Baselines } from './baseline.js';
import { bpftraceEnv, bpftraceProgram, FOLDED_CLEARED } from './bpftrace-script.js';
import type { DockerApi } from './docker-api.js';
import { type ActionRecord, type EnforcementAction, enforce } from './enforce.js';
import { absolutePath } from './event-paths.js';
import { type KernelEvent, lostEvents, parseEventLine } from './events.js';
import { type InUseFiles, type SensorStats, zeroSensorStats } from './payload.js';
import { RULES, type ContainerRef, ruleByIdOrName } from './rules.js';
import { type Supervisor, type SupervisorState, supervise } from './supervisor.js';

export type SensorRecord =
  | { readonly kind: 'alert'; readonly alert: RuntimeAlert }
  | { readonly kind: 'action'; readonly action: ActionRecord }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly msg: string; readonly data?: unknown };

export interface SensorOptions {
  readonly api: DockerApi;
  readonly host: string;
  readonly containers: ContainerLister;
  readonly now?: () => Date;
  /** Baseline learning window per image, ms (0: no learning, every destination is new). */
  readonly windowMs: number;
  /** Rule ID or name → action; rules not named only alert. */
  readonly enforce?: ReadonlyMap<string, EnforcementAction>;
  /** Take the actions (default false: dry-run, decided and audited only). */
  readonly enforceLive?: boolean;
  /** bpftrace binary; false: no kernel events (Falco only). */
  readonly bpftrace?: string | false;
  /** Falco JSON lines (a file or stdin). */
  readonly falco?: NodeJS.ReadableStream;
  readonly emit: (r: SensorRecord) => void;
  /** Same rule, container and detail within this many ms: one alert (default 10 s). */
  readonly dedupMs?: number;
  readonly proc?: string;
}

const MAX_QUEUE = 200_000;

/** A count of events the kernel folded (bpftrace-script.ts "Folding"): `@folded[mntns, cgroup, type]: total`. */
const FOLDED_LINE = /^@folded\[(\d+), (\d+), ([a-z]+)\]: (\d+)$/;
const MAX_IN_USE = 20_000;

export class Sensor {
  readonly baselines: Baselines;
  readonly attribution: Attribution;
  readonly #o: SensorOptions;
  readonly #now: () => Date;
  readonly #queue: string[] = [];
  #draining = false;
  readonly #perContainer = new Map<string, number>();
  readonly #foldedPerContainer = new Map<string, number>();
  #drained: Promise<void> = Promise.resolve();
  #supervisor: Supervisor | undefined;
  readonly #lastAlert = new Map<string, number>();
  readonly #lastAction = new Map<string, number>();
  readonly #inUse = new Map<string, { imageId: string; files: Set<string> }>();
  readonly #pending: Promise<unknown>[] = [];
  #falcoDone: Promise<void> = Promise.resolve();
  #lastListWarning = 0;
  /** The last cumulative count of each `@folded` key, to add only what is new. */
  readonly #foldedTotals = new Map<string, number>();
  #folded = 0;
  readonly #stats = zeroSensorStats();

  constructor(opts: SensorOptions) {
    this.#o = opts;
    this.#now = opts.now ?? (() => new Date());
    this.baselines = new Baselines(opts.windowMs, () => this.#now().getTime());
    this.attribution = new Attribution(opts.containers, opts.proc ?? '/proc');
    for (const key of opts.enforce?.keys() ?? [])
      if (!ruleByIdOrName(key) && !key.startsWith('falco:')) throw new Error(`no rule "${key}"`);
  }

  stats(): SensorStats {
    return { ...this.#stats, restarts: this.#supervisor?.restarts() ?? 0 };
  }

  /** Events the kernel folded into counts (they are in `events` as well). */
  folded(): number {
    return this.#folded;
  }

  /** Of those, the events the kernel folded into counts, per container name. */
  foldedByContainer(): Record<string, number> {
    return Object.fromEntries([...this.#foldedPerContainer].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Events attributed per container name (benchmarks count loss per load container). */
  eventsByContainer(): Record<string, number> {
    return Object.fromEntries([...this.#perContainer].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  inUse(): InUseFiles[] {
    return [...this.#inUse]
      .map(([containerId, u]) => ({ containerId, imageId: u.imageId, files: [...u.files].sort() }))
      .sort((a, b) => (a.containerId < b.containerId ? -1 : 1));
  }

  /** Start the sources; resolves once bpftrace has attached its probes (or failed to). */
  async start(): Promise<void> {
    await this.attribution.refresh();
    if (this.#o.falco) this.#falcoDone = this.#readFalco(this.#o.falco);
    if (this.#o.bpftrace === false) return;
    // The host's mount namespace is init's; where /proc/1/ns is closed to the sensor, its own
    // (a node agent runs in the host's namespaces).
    const proc = this.#o.proc ?? '/proc';
    const hostNs = mountNamespaceOf(1, proc) ?? mountNamespaceOf('self', proc);
    if (hostNs === undefined)
      throw new CustomsError(
        'RUNTIME_UNSUPPORTED',
        `cannot read ${proc}/self/ns/mnt: the sensor needs root and procfs`,
      );
    let attached!: () => void;
    const ready = new Promise<void>((r) => {
      attached = r;
    });
    this.#supervisor = supervise({
      command: this.#o.bpftrace ?? 'bpftrace',
      args: ['-B', 'none', '-f', 'json', '-e', bpftraceProgram(hostNs)],
      env: bpftraceEnv(process.env),
      onLine: (line, stream) => {
        // `-f json`: every record of bpftrace's on stdout is one line of JSON.
        if (stream === 'stdout' && line.startsWith('{"type"')) {
          if (/^\{"type": ?"attached_probes"/.test(line)) {
            this.#log('info', 'bpftrace attached', { line });
            // bpftrace says this before the last probe is live; a short wait closes the gap.
            setTimeout(attached, 300);
            return;
          }
          return this.pushRecord(line);
        }
        const lost = lostEvents(line);
        if (lost > 0) this.#stats.lost += lost;
        else if (/^Attaching \d+ probes/.test(line)) {
          this.#log('info', 'bpftrace attached', { line });
          // bpftrace prints this before the last probe is live; a short wait closes the gap.
          setTimeout(attached, 300);
        } else if (!/RLIMIT_MEMLOCK|Addrspace mismatch|^\s*$|^\s*~+\s*$|^\//.test(line))
          this.#log('warn', `bpftrace: ${line}`);
      },
      onState: (s: SupervisorState) => {
        // A new bpftrace counts from zero.
        if (s.event === 'started') this.#foldedTotals.clear();
        this.#log(s.event === 'started' || s.event === 'stopped' ? 'info' : 'warn', `bpftrace ${s.event}`, s);
        if (s.event === 'spawn-failed') attached();
      },
    });
    await Promise.race([ready, new Promise((r) => setTimeout(r, 60_000).unref())]);
  }

  /**
   * One stdout record of bpftrace run with `-f json`. bpftrace escapes every printf's text
   * into its record, so a newline or a quote a container puts into a string it controls (a
   * file name, an argument, the bytes it sends) stays inside its own event: it can never
   * start a line of its own — a forged event naming another container's namespace, a fake
   * "Lost N events" or fold count — as it could in text output.
   */
  pushRecord(line: string): void {
    if (line.trim() === '') return;
    let r: { type?: unknown; data?: unknown };
    try {
      r = JSON.parse(line) as { type?: unknown; data?: unknown };
    } catch {
      this.#stats.malformed++;
      return;
    }
    if (r.type === 'printf' && typeof r.data === 'string') {
      // The program prints events and the clear marker, each ending in one newline.
      const text = r.data.endsWith('\n') ? r.data.slice(0, -1) : r.data;
      if (text === FOLDED_CLEARED || text.startsWith('{"t":"')) this.push(text);
      else this.#stats.malformed++;
    } else if (r.type === 'map') {
      // print(@folded): {"@folded": {"MNTNS,CGROUP,TYPE": total, …}}; other maps (printed at exit) are not read.
      const folded = (r.data as Record<string, unknown> | null)?.['@folded'];
      if (folded && typeof folded === 'object')
        for (const [key, total] of Object.entries(folded)) this.push(`@folded[${key.split(',').join(', ')}]: ${total}`);
    } else if (r.type === 'lost_events') {
      const n = Number((r.data as { events?: unknown } | null)?.events);
      if (Number.isSafeInteger(n) && n > 0) this.#stats.lost += n;
    }
  }

  /** One event line of the kernel program. */
  push(line: string): void {
    this.#stats.lines++;
    if (this.#queue.length >= MAX_QUEUE) {
      this.#stats.lost++;
      return;
    }
    this.#queue.push(line);
    if (!this.#draining) this.#drained = this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let line = this.#queue.shift(); line !== undefined; line = this.#queue.shift()) {
        if (line === FOLDED_CLEARED) {
          this.#foldedTotals.clear();
          continue;
        }
        if (line.startsWith('@folded[')) {
          await this.#foldedCount(line);
          continue;
        }
        const parsed = parseEventLine(line);
        if (!parsed) {
          this.#stats.malformed++;
          continue;
        }
        // Where the file is, not how the program spelled it (a relative name, `..`).
        const e =
          parsed.file !== undefined && parsed.type !== 'send'
            ? { ...parsed, file: absolutePath(parsed.file, parsed.pid, this.#o.proc) }
            : parsed;
        this.#stats.events++;
        const c = this.attribution.resolveKnown(e) ?? (await this.#resolve(e));
        if (!c) {
          this.#stats.unattributed++;
          continue;
        }
        this.handle(e, c);
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Events the kernel folded into a count: the total since bpftrace started, so only
   * the increase is added (a smaller total is a restarted bpftrace: all of it is new).
   * Read in order with the event lines, after the first event of the key was attributed.
   */
  async #foldedCount(line: string): Promise<void> {
    const m = FOLDED_LINE.exec(line);
    if (!m) {
      this.#stats.malformed++;
      return;
    }
    const [, ns, cg, type, total] = m;
    const key = `${ns} ${cg} ${type}`;
    const now = Number(total);
    const before = this.#foldedTotals.get(key) ?? 0;
    this.#foldedTotals.set(key, now);
    const added = now >= before ? now - before : now;
    if (added === 0) return;
    this.#stats.events += added;
    this.#folded += added;
    const e: KernelEvent = {
      type: type as KernelEvent['type'],
      ns: 0,
      pid: 0,
      uid: -1,
      mntns: Number(ns),
      cgroup: Number(cg),
      comm: '',
    };
    const c = this.attribution.resolveKnown(e) ?? (await this.#resolve(e));
    if (!c) {
      this.#stats.unattributed += added;
      return;
    }
    this.#perContainer.set(c.name, (this.#perContainer.get(c.name) ?? 0) + added);
    this.#foldedPerContainer.set(c.name, (this.#foldedPerContainer.get(c.name) ?? 0) + added);
  }

  /**
   * The container of an event not yet known. Reading the container list can fail (the
   * engine stopped answering, or the sensor is stopping and its requests are cancelled):
   * the event then counts as unattributed and the sensor goes on; a rejection here must
   * never end the sensor.
   */
  async #resolve(e: KernelEvent): Promise<ContainerRef | undefined> {
    try {
      return await this.attribution.resolve(e);
    } catch (err) {
      this.#listFailed(err);
      return undefined;
    }
  }

  #listFailed(err: unknown): void {
    if (err instanceof CustomsError && err.code === 'ABORTED') return;
    const now = Date.now();
    if (now - this.#lastListWarning < 60_000) return;
    this.#lastListWarning = now;
    this.#log('warn', `container list: ${(err as Error).message}`);
  }

  /** An attributed event: in-use files, baseline, rules. */
  handle(e: KernelEvent, c: ContainerRef): void {
    this.#perContainer.set(c.name, (this.#perContainer.get(c.name) ?? 0) + 1);
    if ((e.type === 'exec' || e.type === 'open') && e.file?.startsWith('/')) {
      let u = this.#inUse.get(c.id);
      if (!u) {
        u = { imageId: c.imageId, files: new Set() };
        this.#inUse.set(c.id, u);
      }
      if (u.files.size < MAX_IN_USE) u.files.add(e.file);
    }
    const verdict = this.baselines.observe(c.imageId, e);
    for (const rule of RULES) {
      const detail = rule.match(e, verdict);
      if (detail === undefined) continue;
      this.raise(kernelAlert(rule, detail, e, c, this.#o.host, this.#now()));
    }
  }

  /** Emit an alert (deduplicated) and take its rule's action. */
  raise(alert: RuntimeAlert): void {
    const key = `${alert.ruleId}\u0000${alert.container?.id ?? ''}\u0000${alert.detail}`;
    const at = this.#now().getTime();
    const last = this.#lastAlert.get(key);
    if (last !== undefined && at - last < (this.#o.dedupMs ?? 10_000)) {
      this.#stats.suppressed++;
      return;
    }
    this.#lastAlert.set(key, at);
    this.#stats.alerts++;
    this.#o.emit({ kind: 'alert', alert });
    const action = this.#actionFor(alert);
    if (!action || action === 'alert' || !alert.container) return;
    const actKey = `${action}\u0000${alert.container.id}`;
    const lastAct = this.#lastAction.get(actKey);
    if (lastAct !== undefined && at - lastAct < 30_000) return;
    this.#lastAction.set(actKey, at);
    const p = enforce(this.#o.api, action, alert.ruleId, alert.container, this.#o.enforceLive !== true, this.#now())
      .then((record) => {
        this.#stats.actions++;
        this.#o.emit({ kind: 'action', action: record });
      })
      .catch((err: Error) => this.#log('error', `recording an action: ${err.message}`));
    this.#pending.push(p);
  }

  #actionFor(alert: RuntimeAlert): EnforcementAction | undefined {
    const m = this.#o.enforce;
    if (!m) return undefined;
    return m.get(alert.ruleId) ?? m.get(alert.ruleName);
  }

  async #readFalco(stream: NodeJS.ReadableStream): Promise<void> {
    const rl = createInterface({ input: stream });
    for await (const line of rl) {
      this.#stats.falcoLines++;
      const parsed = parseFalcoLine(line, this.#o.host, this.#now());
      if (parsed.error) {
        this.#stats.falcoErrors++;
        this.#log('warn', `falco input: ${parsed.error}`, { line: line.slice(0, 200) });
        continue;
      }
      if (!parsed.alert) continue;
      let container: ContainerRef | undefined;
      const id = parsed.containerId;
      if (id && id !== 'host') {
        container = this.attribution.containers().find((c) => c.id.startsWith(id));
        if (!container) {
          await this.attribution.refresh().catch((err: unknown) => this.#listFailed(err));
          container = this.attribution.containers().find((c) => c.id.startsWith(id));
        }
      }
      this.raise(container ? { ...parsed.alert, container } : parsed.alert);
    }
  }

  /** Falco input read to its end (a file). */
  falcoDone(): Promise<void> {
    return this.#falcoDone;
  }

  async stop(): Promise<void> {
    await this.#supervisor?.stop();
    await this.#drained;
    await Promise.all(this.#pending);
  }

  #log(level: 'info' | 'warn' | 'error', msg: string, data?: unknown): void {
    this.#o.emit({ kind: 'log', level, msg, ...(data === undefined ? {} : { data }) });
  }
}
