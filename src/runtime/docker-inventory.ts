/**
 * Containers and images of the Docker Engine (API v1.41: GET /containers/json?all=1,
 * GET /containers/{id}/json, GET /images/json, GET /info). A container's facts come
 * from its inspect document; containerInfoOf is pure so it is tested on documents.
 */
import { CustomsError } from '../core/index.js';
import type { DockerApi } from './docker-api.js';
import { arr, type Json, num, obj, str, stringMap, strings } from './json-fields.js';
import type { ContainerInfo, EngineInfo, ImageInfo, KubernetesIdentity, MountInfo } from './types.js';

/** The labels the kubelet puts on the containers it runs (dockershim and CRI runtimes alike). */
export function kubernetesIdentity(labels: Readonly<Record<string, string>>): KubernetesIdentity | undefined {
  const k: KubernetesIdentity = {
    ...(labels['io.kubernetes.pod.name'] ? { pod: labels['io.kubernetes.pod.name'] } : {}),
    ...(labels['io.kubernetes.pod.namespace'] ? { namespace: labels['io.kubernetes.pod.namespace'] } : {}),
    ...(labels['io.kubernetes.container.name'] ? { container: labels['io.kubernetes.container.name'] } : {}),
    ...(labels['io.kubernetes.pod.uid'] ? { podUid: labels['io.kubernetes.pod.uid'] } : {}),
  };
  return Object.keys(k).length > 0 ? k : undefined;
}

/** One container from its inspect document (GET /containers/{id}/json). */
export function containerInfoOf(inspect: Json, imageDigests: readonly string[]): ContainerInfo {
  const config = obj(inspect.Config);
  const host = obj(inspect.HostConfig);
  const state = obj(inspect.State);
  const net = obj(inspect.NetworkSettings);
  const labels = stringMap(config.Labels);
  const networkMode = str(host.NetworkMode) ?? 'default';
  const mounts: MountInfo[] = arr(inspect.Mounts)
    .map((m) => obj(m))
    .map((m) => ({
      type: str(m.Type) ?? 'bind',
      source: str(m.Source) ?? '',
      destination: str(m.Destination) ?? '',
      readWrite: m.RW === true,
    }))
    .sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));
  const networks = Object.entries(obj(net.Networks))
    .map(([name, v]) => {
      const ip = str(obj(v).IPAddress);
      return { name, ...(ip ? { ipAddress: ip } : {}) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const pid = num(state.Pid);
  const kube = kubernetesIdentity(labels);
  const created = str(inspect.Created);
  return {
    runtime: 'docker',
    id: str(inspect.Id) ?? '',
    name: (str(inspect.Name) ?? '').replace(/^\//, ''),
    imageRef: str(config.Image) ?? '',
    imageId: str(inspect.Image) ?? '',
    imageDigests: [...imageDigests].sort(),
    state: str(state.Status) ?? 'unknown',
    ...(created ? { created } : {}),
    ...(pid !== undefined && pid > 0 ? { pid } : {}),
    labels,
    ...(kube ? { kubernetes: kube } : {}),
    mounts,
    privileges: {
      privileged: host.Privileged === true,
      capAdd: strings(host.CapAdd).sort(),
      capDrop: strings(host.CapDrop).sort(),
      hostPid: str(host.PidMode) === 'host',
      hostNetwork: networkMode === 'host',
      hostIpc: str(host.IpcMode) === 'host',
      hostUts: str(host.UTSMode) === 'host',
      user: str(config.User) ?? '',
      readOnlyRootfs: host.ReadonlyRootfs === true,
    },
    networkMode,
    networks,
  };
}

export interface DockerInventory {
  readonly engine: EngineInfo;
  readonly containers: ContainerInfo[];
  readonly images: ImageInfo[];
}

/** Resolve a container by ID, ID prefix or name (the Engine does this itself on /containers/{id}/json). */
export async function inspectContainer(api: DockerApi, nameOrId: string): Promise<Json> {
  const doc = await api.getJson(`/containers/${encodeURIComponent(nameOrId)}/json`);
  if (doc === undefined)
    throw new CustomsError(
      'RUNTIME_CONTAINER_NOT_FOUND',
      `the Docker Engine at ${api.display} has no container "${nameOrId}"`,
    );
  return obj(doc);
}

export async function dockerInventory(api: DockerApi): Promise<DockerInventory> {
  const info = obj(await api.getJson('/info'));
  const list = arr(await api.getJson('/containers/json?all=1')).map(obj);
  const imageList = arr(await api.getJson('/images/json?all=0')).map(obj);
  const digestsById = new Map<string, string[]>();
  for (const im of imageList) digestsById.set(str(im.Id) ?? '', strings(im.RepoDigests));
  const containers: ContainerInfo[] = [];
  for (const c of list) {
    const id = str(c.Id);
    if (!id) continue;
    // A container removed between the list and its inspect is simply gone.
    const doc = await api.getJson(`/containers/${id}/json`);
    if (doc === undefined) continue;
    const inspect = obj(doc);
    containers.push(containerInfoOf(inspect, digestsById.get(str(inspect.Image) ?? '') ?? []));
  }
  containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  const users = new Map<string, string[]>();
  for (const c of containers) users.set(c.imageId, [...(users.get(c.imageId) ?? []), c.id]);
  const images: ImageInfo[] = imageList
    .map((im): ImageInfo => {
      const id = str(im.Id) ?? '';
      const used = users.get(id) ?? [];
      const size = num(im.Size);
      const created = num(im.Created);
      return {
        runtime: 'docker',
        id,
        repoTags: strings(im.RepoTags)
          .filter((t) => t !== '<none>:<none>')
          .sort(),
        repoDigests: strings(im.RepoDigests)
          .filter((t) => t !== '<none>@<none>')
          .sort(),
        ...(size !== undefined ? { size } : {}),
        ...(created !== undefined ? { created: new Date(created * 1000).toISOString() } : {}),
        usage: used.length > 0 ? 'active' : 'dormant',
        containers: [...used].sort(),
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const version = str(info.ServerVersion);
  const storage = str(info.Driver);
  const cgroup = str(info.CgroupVersion);
  return {
    engine: {
      runtime: 'docker',
      endpoint: api.display,
      ...(version ? { version } : {}),
      ...(storage ? { storageDriver: storage } : {}),
      ...(cgroup ? { cgroupVersion: cgroup } : {}),
    },
    containers,
    images,
  };
}

/**
 * Every container of the Engine (created ones too: a container being started
 * already runs processes) with the main PID of the running ones, for attribution.
 */
export function dockerContainerLister(
  api: DockerApi,
): () => Promise<
  { id: string; name: string; imageId: string; imageRef: string; labels: Record<string, string>; pid?: number }[]
> {
  return async () => {
    const list = arr(await api.getJson('/containers/json?all=1')).map(obj);
    const out: {
      id: string;
      name: string;
      imageId: string;
      imageRef: string;
      labels: Record<string, string>;
      pid?: number;
    }[] = [];
    for (const c of list) {
      const id = str(c.Id);
      if (!id) continue;
      let pid: number | undefined;
      if (str(c.State) === 'running' || str(c.State) === 'paused') {
        const doc = await api.getJson(`/containers/${id}/json`);
        pid = num(obj(obj(doc).State).Pid);
      }
      out.push({
        id,
        name: (strings(c.Names)[0] ?? id).replace(/^\//, ''),
        imageId: str(c.ImageID) ?? '',
        imageRef: str(c.Image) ?? '',
        labels: stringMap(c.Labels),
        ...(pid ? { pid } : {}),
      });
    }
    return out;
  };
}
