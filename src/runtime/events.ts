/**
 * Behaviour events: one event text of the bpftrace program (the data of one printf
 * record) → a KernelEvent. printf does not escape the strings it prints, and most of
 * them are the container's to choose (a file name, an argument, bytes sent), so the text
 * is never read as JSON whole: a string holding `","mntns":N,"x":"` would otherwise
 * replace the kernel's namespace (JSON keeps the last of two equal keys) and credit the
 * event to another container. The numbers come first, written by the kernel, and are
 * read from the text before the first string field only; the strings after them by the
 * fixed field order of their type (bpftrace-script.ts). Texts that are neither are
 * counted, never thrown.
 */
import { EVENT_TYPES, type EventType, STRING_FIELDS } from './bpftrace-script.js';

export interface KernelEvent {
  readonly type: EventType;
  /** Monotonic kernel time in ns (bpftrace nsecs). */
  readonly ns: number;
  readonly pid: number;
  readonly uid: number;
  /** Inode of the task's mount namespace: which container it runs in. */
  readonly mntns: number;
  /** cgroup v2 ID of the task (0/1 on a cgroup v1 host). */
  readonly cgroup: number;
  readonly comm: string;
  readonly ppid?: number;
  readonly file?: string;
  readonly args?: readonly string[];
  readonly flags?: number;
  readonly addr?: string;
  /** connect: the destination port; accept: the peer's port. */
  readonly port?: number;
  /** accept: the local (listening) port. */
  readonly lport?: number;
  readonly fd?: number;
  readonly euid?: number;
  readonly target?: number;
  readonly data?: string;
}

const NUMBER_FIELDS = [
  'ns',
  'pid',
  'uid',
  'mntns',
  'cg',
  'ppid',
  'flags',
  'port',
  'lport',
  'fd',
  'euid',
  'target',
] as const;

/**
 * The fields of an event text: the kernel's numbers from the head (the text before the
 * type's first string field, which no string can reach into), the strings by their order.
 * A string that holds the next field's separator moves where its own event's strings
 * split, never a number.
 */
function decodeFields(type: EventType, lineText: string): Record<string, unknown> | undefined {
  const names = STRING_FIELDS[type];
  const first = names[0];
  if (!first) return undefined;
  const start = lineText.indexOf(`,"${first}":"`);
  if (start < 0 || !lineText.endsWith('"}')) return undefined;
  const head = JSON.parse(`${lineText.slice(0, start)}}`) as unknown;
  if (typeof head !== 'object' || head === null || Array.isArray(head)) return undefined;
  const fields = head as Record<string, unknown>;
  let rest = lineText.slice(start + first.length + 5, -2);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const next = names[i + 1];
    if (next === undefined) {
      fields[name] = rest;
      break;
    }
    const sep = `","${next}":"`;
    const at = rest.indexOf(sep);
    if (at < 0) return undefined;
    fields[name] = rest.slice(0, at);
    rest = rest.slice(at + sep.length);
  }
  return fields;
}

/** One output line → an event; undefined when it is not one (bpftrace's own messages, a cut line). */
export function parseEventLine(lineText: string): KernelEvent | undefined {
  const text = lineText.trim();
  if (!text.startsWith('{"t":"')) return undefined;
  const type = /^\{"t":"([a-z]+)"/.exec(text)?.[1] as EventType | undefined;
  if (!type || !(EVENT_TYPES as readonly string[]).includes(type)) return undefined;
  let raw: Record<string, unknown> | undefined;
  try {
    raw = decodeFields(type, text);
  } catch {
    raw = undefined;
  }
  if (!raw) return undefined;
  const n: Partial<Record<(typeof NUMBER_FIELDS)[number], number>> = {};
  for (const k of NUMBER_FIELDS) {
    const v = raw[k];
    if (typeof v === 'number' && Number.isFinite(v)) n[k] = v;
  }
  if (n.pid === undefined || n.mntns === undefined) return undefined;
  const s = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const args = [s('a1'), s('a2')].filter((a): a is string => a !== undefined && a !== '');
  const file = s('file');
  const addr = s('addr');
  const data = s('data');
  return {
    type,
    ns: n.ns ?? 0,
    pid: n.pid,
    uid: n.uid ?? -1,
    mntns: n.mntns,
    cgroup: n.cg ?? 0,
    comm: s('comm') ?? '',
    ...(n.ppid !== undefined ? { ppid: n.ppid } : {}),
    ...(file !== undefined ? { file } : {}),
    ...(type === 'exec' ? { args } : {}),
    ...(n.flags !== undefined ? { flags: n.flags } : {}),
    ...(addr !== undefined ? { addr } : {}),
    ...(n.port !== undefined ? { port: n.port } : {}),
    ...(n.lport !== undefined ? { lport: n.lport } : {}),
    ...(n.fd !== undefined ? { fd: n.fd } : {}),
    ...(n.euid !== undefined ? { euid: n.euid } : {}),
    ...(n.target !== undefined ? { target: n.target } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}

/** bpftrace's report of events dropped from a full perf buffer ("Lost 12 events"). */
export function lostEvents(lineText: string): number {
  const m = /Lost (\d+) events/.exec(lineText);
  return m?.[1] ? Number(m[1]) : 0;
}

/** open(2) flags that make an open a write: O_WRONLY 01, O_RDWR 02, O_CREAT 0100, O_TRUNC 01000 (asm-generic/fcntl.h). */
export function opensForWrite(flags: number): boolean {
  return (flags & 0o3) !== 0 || (flags & 0o100) !== 0 || (flags & 0o1000) !== 0;
}
