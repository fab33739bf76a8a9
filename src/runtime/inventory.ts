/**
 * This node's containers and images, from every engine that answers: the Docker
 * Engine (API socket) and containerd (through `ctr`, every namespace but Docker's).
 * An engine that does not answer is a note, not a failure, unless none answers.
 */
import { hostname } from 'node:os';
import { type Context, CustomsError } from '../core/index.js';
import { containerdInventory, ctrRunner, type CtrRunner, findContainerdSocket } from './containerd-inventory.js';
import { dockerApi } from './docker-api.js';
import { dockerInventory } from './docker-inventory.js';
import type { ContainerInfo, EngineInfo, ImageInfo, NodeInventory } from './types.js';

export interface InventoryOptions {
  /** containerd socket; default: the first of CONTAINERD_SOCKETS that exists. false: do not read containerd. */
  readonly containerd?: string | false;
  /** For tests: how `ctr` is run. */
  readonly ctr?: CtrRunner;
}

/** Docker keeps its containers in this containerd namespace; they are listed from the Docker Engine. */
const DOCKER_NAMESPACE = 'moby';

export async function nodeInventory(ctx: Context, opts: InventoryOptions = {}): Promise<NodeInventory> {
  const engines: EngineInfo[] = [];
  const containers: ContainerInfo[] = [];
  const images: ImageInfo[] = [];
  const notes: string[] = [];
  let dockerRead = false;
  try {
    const d = await dockerInventory(dockerApi(ctx));
    engines.push(d.engine);
    containers.push(...d.containers);
    images.push(...d.images);
    dockerRead = true;
  } catch (e) {
    if (e instanceof CustomsError && e.code === 'ABORTED') throw e;
    notes.push(`docker: ${(e as Error).message}`);
  }
  if (opts.containerd !== false) {
    const socket = opts.containerd ?? (await findContainerdSocket());
    if (socket) {
      try {
        const c = await containerdInventory(
          socket,
          opts.ctr ?? ctrRunner(socket),
          dockerRead ? [DOCKER_NAMESPACE] : [],
        );
        engines.push(c.engine);
        containers.push(...c.containers);
        images.push(...c.images);
        notes.push(...c.notes);
      } catch (e) {
        notes.push(`containerd at ${socket}: ${(e as Error).message}`);
      }
    }
  }
  if (engines.length === 0)
    throw new CustomsError('DAEMON_UNREACHABLE', `no container engine answered on this node: ${notes.join('; ')}`);
  return {
    host: hostname(),
    collectedAt: ctx.now().toISOString(),
    engines,
    containers,
    images,
    notes,
  };
}

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

function privilegeText(c: ContainerInfo): string {
  const p = c.privileges;
  const parts: string[] = [];
  if (p.privileged) parts.push('privileged');
  if (p.hostPid) parts.push('host-pid');
  if (p.hostNetwork) parts.push('host-net');
  if (p.hostIpc) parts.push('host-ipc');
  if (c.runtime === 'docker' && p.capAdd.length > 0) parts.push(`+${p.capAdd.join(',+')}`);
  return parts.join(' ') || '-';
}

/** A plain table for people; `-f json` is the machine form. */
export function inventoryTable(inv: NodeInventory): string {
  const rows: string[][] = [['CONTAINER', 'NAME', 'STATE', 'IMAGE', 'IMAGE ID', 'PRIVILEGES', 'NETWORKS', 'K8S']];
  for (const c of inv.containers)
    rows.push([
      short(c.id),
      c.namespace ? `${c.namespace}/${c.name}` : c.name,
      c.state,
      c.imageRef,
      short(c.imageId),
      privilegeText(c),
      c.networks.map((n) => n.name).join(',') || c.networkMode,
      c.kubernetes ? `${c.kubernetes.namespace ?? '?'}/${c.kubernetes.pod ?? '?'}` : '-',
    ]);
  const imgRows: string[][] = [['IMAGE ID', 'USAGE', 'TAGS', 'CONTAINERS']];
  for (const i of inv.images)
    imgRows.push([
      short(i.id),
      i.usage,
      (i.namespace ? i.repoTags.map((t) => `${i.namespace}/${t}`) : i.repoTags).join(',') || '<none>',
      String(i.containers.length),
    ]);
  const engines = inv.engines
    .map((e) => `${e.runtime} ${e.version ?? ''} ${e.endpoint}`.replace(/\s+/g, ' '))
    .join('; ');
  const notes = inv.notes.map((n) => `note: ${n}\n`).join('');
  return `node ${inv.host} (${engines})\n\n${grid(rows)}\n${grid(imgRows)}${notes}`;
}

export function grid(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return (
    rows
      .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
      .join('\n') + '\n'
  );
}
