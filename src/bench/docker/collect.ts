/**
 * Gathers DockerFacts from a live host: the Engine API (GET /info, /containers,
 * /images; Docker Engine API v1.41), the running dockerd's command line
 * (/proc/PID/cmdline), daemon.json, /proc/self/mountinfo, the audit rules files,
 * /etc/group and the stats of the files the benchmark names. Read-only: nothing on
 * the host changes.
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { CustomsError } from '../../core/index.js';
import { type DaemonEndpoint, parseDockerHost } from '../../image/index.js';
import type { ContainerInspect, DockerFacts, EngineInfo, FileStat, ImageInspect } from './facts.js';
import { flagValues } from './daemon-settings.js';

export interface CollectOptions {
  /** DOCKER_HOST form: unix:///path (default unix:///var/run/docker.sock) or tcp://host:port. */
  readonly dockerHost?: string;
  readonly signal?: AbortSignal;
  /** The environment checked for DOCKER_CONTENT_TRUST (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Judge only containers whose name, and images whose tag, contains one of these
   * (docker-bench-security's -i): a benchmark of one application on a shared host.
   */
  readonly include?: readonly string[];
}

/** Largest Engine API answer read (a daemon with thousands of containers stays far below). */
const MAX_BODY = 64 * 1024 * 1024;

function getJson<T>(ep: DaemonEndpoint, path: string, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'GET',
        path,
        headers: { host: 'docker' },
        ...(signal ? { signal } : {}),
        ...(ep.socketPath ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => {
          size += b.length;
          if (size > MAX_BODY) req.destroy(new Error(`answer to ${path} larger than ${MAX_BODY} bytes`));
          else chunks.push(b);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) {
            reject(
              new CustomsError(
                'DAEMON_UNREACHABLE',
                `${ep.display} GET ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`,
              ),
            );
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (e) {
            reject(
              new CustomsError(
                'DAEMON_UNREACHABLE',
                `${ep.display} GET ${path}: not JSON (${(e as Error).message})`,
                e,
              ),
            );
          }
        });
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (e: Error & { code?: string }) =>
      reject(
        e instanceof CustomsError
          ? e
          : new CustomsError(
              'DAEMON_UNREACHABLE',
              `cannot reach the Docker daemon at ${ep.display} (${e.code ?? e.message}); is it running? (set DOCKER_HOST)`,
              e,
            ),
      ),
    );
    req.end();
  });
}

async function fileStat(path: string): Promise<FileStat> {
  try {
    const st = await stat(path);
    return { path, exists: true, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, isDirectory: st.isDirectory() };
  } catch {
    return { path, exists: false };
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The dockerd serving `dataRoot`: its pid's command line (several daemons may run). */
async function findDaemonArgs(dataRoot: string): Promise<{ source: string; args: string[] } | undefined> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  const found: { source: string; args: string[] }[] = [];
  for (const pid of pids) {
    const comm = (await readText(`/proc/${pid}/comm`))?.trim();
    if (comm !== 'dockerd') continue;
    const raw = await readText(`/proc/${pid}/cmdline`);
    if (raw === undefined) continue;
    const argv = raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    found.push({ source: `/proc/${pid}/cmdline`, args: argv.slice(1) });
  }
  const roots = await Promise.all(
    found.map(async (d) => {
      const root = flagValues(d.args, ['--data-root', '-g', '--graph'], false).at(-1) ?? '/var/lib/docker';
      return realpath(root).catch(() => root);
    }),
  );
  const want = await realpath(dataRoot).catch(() => dataRoot);
  const i = roots.indexOf(want);
  return i >= 0 ? found[i] : undefined;
}

/** The mount point (from /proc/self/mountinfo) of the filesystem holding `path`. */
async function mountPointOf(path: string): Promise<string | undefined> {
  const text = await readText('/proc/self/mountinfo');
  if (text === undefined) return undefined;
  const real = await realpath(path).catch(() => path);
  let best: string | undefined;
  for (const line of text.split('\n')) {
    // proc(5): ID parentID major:minor root mountpoint …; octal escapes for space, tab, newline, backslash.
    const mp = line
      .split(' ')[4]
      ?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    if (mp === undefined) continue;
    const inside = mp === '/' || real === mp || real.startsWith(`${mp}/`);
    if (inside && (best === undefined || mp.length >= best.length)) best = mp;
  }
  return best;
}

/** The rules the kernel has loaded (auditctl -l), when auditctl is installed and may run. */
function loadedAuditRules(): { source: string; rule: string }[] {
  const r = spawnSync('auditctl', ['-l'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('-'))
    .map((rule) => ({ source: 'auditctl -l', rule }));
}

async function auditRules(): Promise<{ source: string; rule: string }[]> {
  const files = ['/etc/audit/audit.rules'];
  const dir = '/etc/audit/rules.d';
  for (const n of (await readdir(dir).catch(() => [] as string[])).sort())
    if (n.endsWith('.rules')) files.push(join(dir, n));
  const out = loadedAuditRules();
  for (const f of files) {
    const text = await readText(f);
    for (const line of text?.split('\n') ?? []) {
      const rule = line.trim();
      if (rule !== '' && !rule.startsWith('#')) out.push({ source: f, rule });
    }
  }
  return out;
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if ((await fileStat(p)).exists) return p;
  return undefined;
}

async function registryCerts(): Promise<string[]> {
  const base = '/etc/docker/certs.d';
  const out: string[] = [];
  for (const reg of (await readdir(base).catch(() => [] as string[])).sort())
    for (const f of (await readdir(join(base, reg)).catch(() => [] as string[])).sort()) out.push(join(base, reg, f));
  return out;
}

/** Gather every fact the Docker benchmark reads. Fails only when the daemon cannot be reached. */
export async function collectDockerFacts(opts: CollectOptions = {}): Promise<DockerFacts> {
  const ep = parseDockerHost(opts.dockerHost ?? 'unix:///var/run/docker.sock');
  const get = <T>(p: string) => getJson<T>(ep, p, opts.signal);
  const info = await get<EngineInfo>('/info');
  const dataRoot = info.DockerRootDir ?? '/var/lib/docker';
  const remote = ep.socketPath === undefined;
  const daemonArgs = remote ? undefined : await findDaemonArgs(dataRoot);

  const configFlag = daemonArgs ? flagValues(daemonArgs.args, ['--config-file'], false).at(-1) : undefined;
  const daemonJsonPath = configFlag ?? '/etc/docker/daemon.json';
  const jsonText = remote ? undefined : await readText(daemonJsonPath);
  let daemonJson: DockerFacts['daemonJson'] = { path: daemonJsonPath, error: 'absent' };
  if (jsonText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(jsonText);
      daemonJson =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? { path: daemonJsonPath, config: parsed as Record<string, unknown> }
          : { path: daemonJsonPath, error: 'is not a JSON object' };
    } catch (e) {
      daemonJson = { path: daemonJsonPath, error: `is not JSON (${(e as Error).message})` };
    }
  }

  const unitDirs = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
  const dockerService = await firstExisting(unitDirs.map((d) => join(d, 'docker.service')));
  const dockerSocketUnit = await firstExisting(unitDirs.map((d) => join(d, 'docker.socket')));
  const containerdFlag = daemonArgs ? flagValues(daemonArgs.args, ['--containerd'], false).at(-1) : undefined;
  const containerdSocket =
    containerdFlag ??
    (await firstExisting(['/run/containerd/containerd.sock', '/var/run/docker/containerd/containerd.sock']));
  const certs = await registryCerts();
  const tls = ['tlscacert', 'tlscert', 'tlskey'].flatMap((k) => {
    const v = daemonArgs ? flagValues(daemonArgs.args, [`--${k}`], false).at(-1) : undefined;
    const j = daemonJson.config?.[k];
    return v !== undefined ? [v] : typeof j === 'string' ? [j] : [];
  });

  const statPaths = [
    '/etc/docker',
    daemonJsonPath,
    '/etc/default/docker',
    '/etc/sysconfig/docker',
    '/run/containerd',
    '/var/lib/docker',
    '/run/containerd/containerd.sock',
    '/etc/containerd/config.toml',
    '/usr/bin/containerd',
    '/usr/bin/containerd-shim',
    '/usr/bin/containerd-shim-runc-v1',
    '/usr/bin/containerd-shim-runc-v2',
    '/usr/bin/runc',
    '/etc/docker/daemon.json',
    ...[dockerService, dockerSocketUnit, ep.socketPath, containerdSocket].filter((p): p is string => p !== undefined),
    ...certs,
    ...tls,
  ];
  const files = remote ? [] : await Promise.all([...new Set(statPaths)].map(fileStat));

  const groups: Record<number, string> = {};
  let dockerGroupMembers: string[] | undefined;
  for (const line of (await readText('/etc/group'))?.split('\n') ?? []) {
    const [name, , gid, members] = line.split(':');
    if (name === undefined || gid === undefined) continue;
    groups[Number(gid)] = name;
    if (name === 'docker') dockerGroupMembers = (members ?? '').split(',').filter(Boolean);
  }

  const wanted = (names: readonly string[] | null | undefined): boolean =>
    opts.include === undefined || (names ?? []).some((n) => opts.include?.some((p) => n.includes(p)));
  const list = await get<{ Id: string; Names?: string[] }[]>('/containers/json?all=1');
  const containers: ContainerInspect[] = [];
  for (const c of list.filter((x) => wanted(x.Names))) {
    const inspect = await get<ContainerInspect>(`/containers/${encodeURIComponent(c.Id)}/json`);
    let processes: string[] | undefined;
    if (inspect.State?.Status === 'running') {
      const top = await get<{ Titles?: string[]; Processes?: string[][] }>(
        `/containers/${encodeURIComponent(c.Id)}/top`,
      ).catch(() => undefined);
      const col = top?.Titles?.indexOf('CMD') ?? -1;
      if (top && col >= 0) processes = (top.Processes ?? []).map((p) => p[col] ?? '');
    }
    containers.push(processes ? { ...inspect, processes } : inspect);
  }
  containers.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));

  const imageList = await get<{ Id: string; RepoTags?: string[] | null }[]>('/images/json');
  const images: ImageInspect[] = [];
  for (const i of imageList.filter((x) => wanted(x.RepoTags))) {
    const inspect = await get<ImageInspect>(`/images/${encodeURIComponent(i.Id)}/json`);
    const hist = await get<{ CreatedBy?: string; Comment?: string }[]>(`/images/${encodeURIComponent(i.Id)}/history`);
    const history = hist
      .map((h) => ({ created_by: h.CreatedBy ?? '', ...(h.Comment ? { comment: h.Comment } : {}) }))
      .reverse();
    images.push({ ...inspect, history });
  }
  images.sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));

  const dataRootMount = remote ? undefined : await mountPointOf(dataRoot);
  return {
    // A partial run says so wherever the report names its target.
    endpoint: opts.include ? `${ep.display} (containers and images named *${opts.include.join('*, *')}*)` : ep.display,
    info,
    ...(daemonArgs ? { daemonArgs } : {}),
    daemonJson,
    ...(dataRootMount !== undefined ? { dataRootMount } : {}),
    auditRules: remote ? [] : await auditRules(),
    ...(remote ? { remote } : {}),
    files,
    paths: {
      ...(dockerService ? { dockerService } : {}),
      ...(dockerSocketUnit ? { dockerSocketUnit } : {}),
      ...(ep.socketPath ? { socket: ep.socketPath } : {}),
      ...(containerdSocket ? { containerdSocket } : {}),
      registryCerts: certs,
    },
    groups,
    ...(dockerGroupMembers ? { dockerGroupMembers } : {}),
    containers,
    images,
    env: { DOCKER_CONTENT_TRUST: (opts.env ?? process.env).DOCKER_CONTENT_TRUST },
  };
}
