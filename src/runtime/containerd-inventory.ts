/**
 * containerd's containers and images, through its `ctr` client (containerd's
 * gRPC API has no JSON/HTTP face and a gRPC stack is not among the project's
 * dependencies): `ctr namespaces ls -q`, `containers ls -q`, `containers info ID`
 * (JSON: labels, image, OCI runtime spec), `tasks ls` and `images ls` (text
 * columns). Every namespace is read (k8s.io for the kubelet's CRI pods, moby for
 * Docker's, others for nerdctl/ctr); Docker's own namespace is skipped when the
 * Docker Engine was read, so nothing is listed twice.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { kubernetesIdentity } from './docker-inventory.js';
import { arr, type Json, obj, str, stringMap, strings } from './json-fields.js';
import type { ContainerInfo, EngineInfo, ImageInfo } from './types.js';

/** Where containerd listens: its own socket, else the one Docker starts (docker.io's bundled containerd). */
export const CONTAINERD_SOCKETS = [
  '/run/containerd/containerd.sock',
  '/run/docker/containerd/containerd.sock',
] as const;

export async function findContainerdSocket(
  candidates: readonly string[] = CONTAINERD_SOCKETS,
): Promise<string | undefined> {
  for (const c of candidates) {
    if (
      await access(c).then(
        () => true,
        () => false,
      )
    )
      return c;
  }
  return undefined;
}

export type CtrRunner = (args: readonly string[]) => Promise<string>;

/** Run `ctr --address SOCKET …` with a time bound (a stale socket would otherwise hang the dial). */
export function ctrRunner(address: string, ctrPath = 'ctr', timeoutMs = 15_000): CtrRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(ctrPath, ['--address', address, '--connect-timeout', '5s', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else
          reject(new Error(`ctr ${args.join(' ')}: ${Buffer.concat(err).toString('utf8').trim() || `exit ${code}`}`));
      });
    });
}

/** `ctr tasks ls`: TASK PID STATUS columns → id → {pid, status}. */
export function parseTasks(text: string): Map<string, { pid: number; status: string }> {
  const out = new Map<string, { pid: number; status: string }>();
  for (const line of text.split('\n').slice(1)) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id && pid && status) out.set(id, { pid: Number(pid), status: status.toLowerCase() });
  }
  return out;
}

/** `ctr images ls`: REF TYPE DIGEST SIZE PLATFORMS LABELS → ref → digest. */
export function parseImages(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [ref, , digest] = cols;
    if (ref && digest?.startsWith('sha256:')) out.set(ref, digest);
  }
  return out;
}

/** One container from `ctr containers info` (its OCI runtime spec says namespaces, mounts and capabilities). */
export function containerdContainerOf(
  namespace: string,
  info: Json,
  task: { pid: number; status: string } | undefined,
  imageDigest: string | undefined,
): ContainerInfo {
  const spec = obj(info.Spec);
  const linux = obj(spec.linux);
  const process = obj(spec.process);
  // OCI runtime spec: a namespace type absent from linux.namespaces means the host's is shared.
  const nsTypes = new Set(arr(linux.namespaces).map((n) => str(obj(n).type) ?? ''));
  const labels = stringMap(info.Labels);
  const caps = strings(obj(process.capabilities).bounding).sort();
  const kube = kubernetesIdentity(labels);
  const created = str(info.CreatedAt);
  const user = obj(process.user);
  const mounts = arr(spec.mounts)
    .map(obj)
    .map((m) => ({
      type: str(m.type) ?? 'bind',
      source: str(m.source) ?? '',
      destination: str(m.destination) ?? '',
      readWrite: !strings(m.options).includes('ro'),
    }))
    .filter((m) => m.type === 'bind')
    .sort((a, b) => (a.destination < b.destination ? -1 : 1));
  return {
    runtime: 'containerd',
    namespace,
    id: str(info.ID) ?? '',
    name: labels['io.kubernetes.container.name'] ?? str(info.ID) ?? '',
    imageRef: str(info.Image) ?? '',
    imageId: imageDigest ?? '',
    imageDigests: imageDigest ? [`${str(info.Image) ?? ''}@${imageDigest}`] : [],
    state: task ? task.status : 'created',
    ...(created ? { created } : {}),
    ...(task && task.pid > 0 ? { pid: task.pid } : {}),
    labels,
    ...(kube ? { kubernetes: kube } : {}),
    mounts,
    privileges: {
      // A privileged OCI spec holds every capability; CAP_SYS_ADMIN alone is reported as an added cap.
      privileged: caps.length >= 38,
      capAdd: caps,
      capDrop: [],
      hostPid: !nsTypes.has('pid'),
      hostNetwork: !nsTypes.has('network'),
      hostIpc: !nsTypes.has('ipc'),
      hostUts: !nsTypes.has('uts'),
      user: typeof user.uid === 'number' ? String(user.uid) : '',
      readOnlyRootfs: obj(spec.root).readonly === true,
    },
    networkMode: nsTypes.has('network') ? 'private' : 'host',
    networks: [],
  };
}

export interface ContainerdInventory {
  readonly engine: EngineInfo;
  readonly containers: ContainerInfo[];
  readonly images: ImageInfo[];
  readonly notes: string[];
}

export async function containerdInventory(
  address: string,
  ctr: CtrRunner,
  skipNamespaces: readonly string[],
): Promise<ContainerdInventory> {
  const namespaces = (await ctr(['namespaces', 'ls', '-q']))
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '' && !skipNamespaces.includes(s))
    .sort();
  const containers: ContainerInfo[] = [];
  const images: ImageInfo[] = [];
  const notes: string[] = [];
  for (const ns of namespaces) {
    try {
      const digests = parseImages(await ctr(['-n', ns, 'images', 'ls']));
      const tasks = parseTasks(await ctr(['-n', ns, 'tasks', 'ls']));
      const ids = (await ctr(['-n', ns, 'containers', 'ls', '-q']))
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
        .sort();
      const users = new Map<string, string[]>();
      for (const id of ids) {
        const info = obj(JSON.parse(await ctr(['-n', ns, 'containers', 'info', id])) as unknown);
        const c = containerdContainerOf(ns, info, tasks.get(id), digests.get(str(info.Image) ?? ''));
        containers.push(c);
        users.set(c.imageRef, [...(users.get(c.imageRef) ?? []), c.id]);
      }
      for (const [ref, digest] of [...digests].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const used = users.get(ref) ?? [];
        images.push({
          runtime: 'containerd',
          namespace: ns,
          id: digest,
          repoTags: [ref],
          repoDigests: [`${ref.replace(/:[^:/]+$/, '')}@${digest}`],
          usage: used.length > 0 ? 'active' : 'dormant',
          containers: used.sort(),
        });
      }
    } catch (e) {
      notes.push(`containerd namespace ${ns}: ${(e as Error).message}`);
    }
  }
  return {
    engine: { runtime: 'containerd', endpoint: `unix://${address}`, namespaces },
    containers,
    images,
    notes,
  };
}
