/**
 * The sandbox a fuzz lane runs its inputs in: a child process, so that a parse
 * that never returns or eats memory can be killed (SIGKILL) without taking the
 * harness down, and its input reported. argv[2] is the URL of a module that
 * exports `TARGETS: readonly FuzzTarget[]`.
 *
 * For each input it reports how the parse ended (result, CustomsError, other
 * exception), how long it took and its peak resident memory: VmHWM is reset
 * before the parse (/proc/self/clear_refs, "5") and read after it, so the
 * peak is exact, not sampled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ERROR_CODES, isCustomsError } from '../../src/core/index.js';
import type { ChildMessage, FuzzTarget, Outcome, RunRequest } from './protocol.js';

const MB = 1024 * 1024;

function status(field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const rssMb = (): number => status('VmRSS') ?? process.memoryUsage.rss() / MB;

let canResetPeak = true;
function resetPeak(): void {
  if (!canResetPeak) return;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    canResetPeak = false;
  }
}

function send(m: ChildMessage): void {
  process.send?.(m);
}

const text = (v: unknown, max: number): string => {
  const s = typeof v === 'string' ? v : String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
};

/** Classify what a parse threw: a well-formed CustomsError is a rejection, anything else a crash. */
function thrown(e: unknown, ms: number, peakMb: number): Outcome {
  if (isCustomsError(e)) {
    const known = Object.hasOwn(ERROR_CODES, e.code);
    if (known && typeof e.message === 'string' && e.message.trim() !== '') {
      return { kind: 'rejected', code: e.code, ms, peakMb };
    }
    return {
      kind: 'malformed',
      problems: [known ? `CustomsError ${e.code} with an empty message` : `CustomsError with unknown code ${e.code}`],
      ms,
      peakMb,
    };
  }
  const err = e instanceof Error ? e : undefined;
  return {
    kind: 'crash',
    name: err?.name ?? typeof e,
    message: text(err?.message ?? e, 2000),
    stack: text(err?.stack ?? '', 4000),
    ms,
    peakMb,
  };
}

const targetsUrl = process.argv[2];
if (!targetsUrl) throw new Error('child.js: pass the URL of the targets module');
const mod = (await import(targetsUrl)) as { TARGETS: readonly FuzzTarget[] };
const targets = new Map(mod.TARGETS.map((t) => [t.name, t]));

/** The input being parsed, or the last one parsed (an escaped exception is charged to it). */
let current: { id: number; started: number; done: boolean } | undefined;

function escaped(e: unknown): void {
  if (!current) return;
  const ms = performance.now() - current.started;
  const outcome = thrown(e, ms, 0);
  const o: Outcome =
    outcome.kind === 'crash' ? { ...outcome, message: `escaped the parse (uncaught): ${outcome.message}` } : outcome;
  send(
    current.done
      ? { type: 'late', id: current.id, outcome: o }
      : { type: 'done', id: current.id, outcome: o, rssMb: rssMb() },
  );
  // The process state is unknown now: start afresh.
  process.exit(70);
}
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);
process.on('disconnect', () => process.exit(0));

const gc = (globalThis as { gc?: () => void }).gc;
let baseline = rssMb();

process.on('message', (raw: unknown) => {
  const req = raw as RunRequest;
  if (req.type !== 'run') return;
  void runOne(req);
});

async function runOne(req: RunRequest): Promise<void> {
  const target = targets.get(req.target);
  if (!target) {
    send({
      type: 'done',
      id: req.id,
      outcome: { kind: 'crash', name: 'Harness', message: `no target ${req.target}`, stack: '', ms: 0, peakMb: 0 },
      rssMb: rssMb(),
    });
    return;
  }
  // Garbage from earlier inputs must not be charged to this one.
  if (gc && rssMb() - baseline > 128) gc();
  resetPeak();
  const start = rssMb();
  current = { id: req.id, started: performance.now(), done: false };
  let outcome: Outcome;
  // Structured clone hands over a Uint8Array; parsers of streams and files expect a Buffer.
  const input = {
    ...req.input,
    bytes: Buffer.from(req.input.bytes.buffer, req.input.bytes.byteOffset, req.input.bytes.byteLength),
  };
  try {
    const problems = await target.run(input);
    // Let errors that streams emit a tick later surface while this input is still current.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const ms = performance.now() - current.started;
    const peakMb = Math.max(0, (status('VmHWM') ?? rssMb()) - start);
    outcome =
      problems.length === 0 ? { kind: 'ok', ms, peakMb } : { kind: 'malformed', problems: [...problems], ms, peakMb };
  } catch (e) {
    const ms = performance.now() - current.started;
    outcome = thrown(e, ms, Math.max(0, (status('VmHWM') ?? rssMb()) - start));
  }
  current.done = true;
  send({ type: 'done', id: req.id, outcome, rssMb: rssMb() });
}

baseline = rssMb();
send({ type: 'ready', rssMb: baseline, targets: [...targets.keys()] });
