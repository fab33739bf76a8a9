/**
 * Facts about a running container read from procfs (proc(5)) as root: its
 * processes (every task in the container's mount namespace) and its sockets
 * (/proc/PID/net/{tcp,tcp6,udp,udp6}: the network namespace's own tables).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { mountNamespaceOf } from './attribution.js';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly comm: string;
  readonly cmdline: string;
  readonly exe?: string;
}

export interface SocketInfo {
  readonly proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  readonly local: string;
  readonly remote: string;
  readonly state: string;
  readonly inode: number;
}

/** /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): { comm: string; ppid: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) ? { comm: text.slice(open + 1, close), ppid } : undefined;
}

export async function containerProcesses(initPid: number, proc = '/proc'): Promise<ProcessInfo[]> {
  const ns = mountNamespaceOf(initPid, proc);
  if (ns === undefined) return [];
  const out: ProcessInfo[] = [];
  for (const name of await readdir(proc)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (mountNamespaceOf(pid, proc) !== ns) continue;
    try {
      const stat = parseStat(await readFile(`${proc}/${pid}/stat`, 'utf8'));
      if (!stat) continue;
      const status = await readFile(`${proc}/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const cmdline = (await readFile(`${proc}/${pid}/cmdline`, 'utf8')).replace(/\0+$/, '').replaceAll('\0', ' ');
      const exe = await readlink(`${proc}/${pid}/exe`).catch(() => undefined);
      out.push({ pid, ppid: stat.ppid, uid, comm: stat.comm, cmdline, ...(exe ? { exe } : {}) });
    } catch {
      // The process ended while being read.
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** TCP states of include/net/tcp_states.h, as /proc/net/tcp numbers them. */
const TCP_STATES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];

/** "0100007F:1F90" → "127.0.0.1:8080"; IPv6 as four little-endian 32-bit words. */
export function decodeAddress(hex: string): string {
  const [addr = '', port = '0'] = hex.split(':');
  const p = Number.parseInt(port, 16);
  const words = addr.match(/.{8}/g) ?? [];
  const bytes: number[] = [];
  for (const w of words) {
    const n = Number.parseInt(w, 16);
    bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  if (bytes.length === 4) return `${bytes.join('.')}:${p}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return `[${groups.join(':')}]:${p}`;
}

export function parseNetTable(proto: SocketInfo['proto'], text: string): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const st = Number.parseInt(cols[3] ?? '', 16);
    out.push({
      proto,
      local: decodeAddress(cols[1] ?? ''),
      remote: decodeAddress(cols[2] ?? ''),
      state: proto.startsWith('udp') ? (st === 7 ? 'UNCONN' : 'ESTABLISHED') : (TCP_STATES[st] ?? String(st)),
      inode: Number(cols[9]),
    });
  }
  return out;
}

export const NET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

/** The raw tables (kept as evidence) and their parse. */
export async function containerSockets(
  pid: number,
  proc = '/proc',
): Promise<{ raw: Record<string, string>; sockets: SocketInfo[] }> {
  const raw: Record<string, string> = {};
  const sockets: SocketInfo[] = [];
  for (const t of NET_TABLES) {
    const text = await readFile(`${proc}/${pid}/net/${t}`, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    raw[t] = text;
    sockets.push(...parseNetTable(t, text));
  }
  return { raw, sockets };
}
