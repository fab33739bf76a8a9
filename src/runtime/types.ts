/**
 * What the sensor sees on a node: containers and images (inventory), a
 * container's drift from its image, behaviour events and the alerts rules
 * raise from them. These are also the payloads reported to the server
 * (payload.ts) and stored as events in the local store.
 */

export const CONTAINER_RUNTIMES = ['docker', 'containerd'] as const;
export type ContainerRuntime = (typeof CONTAINER_RUNTIMES)[number];

export interface MountInfo {
  readonly type: string;
  readonly source: string;
  readonly destination: string;
  readonly readWrite: boolean;
}

export interface Privileges {
  readonly privileged: boolean;
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly hostPid: boolean;
  readonly hostNetwork: boolean;
  readonly hostIpc: boolean;
  readonly hostUts: boolean;
  /** The user the process runs as ("" = the image's, usually root). */
  readonly user: string;
  readonly readOnlyRootfs: boolean;
}

export interface NetworkAttachment {
  readonly name: string;
  readonly ipAddress?: string;
}

/** Kubernetes' identity of a container, from the labels the kubelet sets (io.kubernetes.*). */
export interface KubernetesIdentity {
  readonly pod?: string;
  readonly namespace?: string;
  readonly container?: string;
  readonly podUid?: string;
}

export interface ContainerInfo {
  readonly runtime: ContainerRuntime;
  /** containerd namespace (k8s.io, moby, …); absent for Docker. */
  readonly namespace?: string;
  readonly id: string;
  readonly name: string;
  /** The reference the container was created from, as given (Config.Image). */
  readonly imageRef: string;
  /** The image ID (config digest), sha256:… */
  readonly imageId: string;
  /** The registry manifest digests of the image (repo@sha256:…), when it came from a registry. */
  readonly imageDigests: readonly string[];
  /** running, paused, exited, created, restarting, dead, unknown. */
  readonly state: string;
  readonly created?: string;
  /** The main process on the host, when running. */
  readonly pid?: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly kubernetes?: KubernetesIdentity;
  readonly mounts: readonly MountInfo[];
  readonly privileges: Privileges;
  /** Docker's network mode (default, host, none, container:ID, a network name). */
  readonly networkMode: string;
  readonly networks: readonly NetworkAttachment[];
}

export const IMAGE_USAGE = ['active', 'dormant'] as const;
export type ImageUsage = (typeof IMAGE_USAGE)[number];

export interface ImageInfo {
  readonly runtime: ContainerRuntime;
  readonly namespace?: string;
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly size?: number;
  readonly created?: string;
  /** active = a container (running or stopped) uses it; dormant = cached only. */
  readonly usage: ImageUsage;
  readonly containers: readonly string[];
}

export interface EngineInfo {
  readonly runtime: ContainerRuntime;
  readonly endpoint: string;
  readonly version?: string;
  readonly storageDriver?: string;
  readonly cgroupVersion?: string;
  /** containerd: the namespaces read. */
  readonly namespaces?: readonly string[];
}

export interface NodeInventory {
  readonly host: string;
  readonly collectedAt: string;
  readonly engines: readonly EngineInfo[];
  readonly containers: readonly ContainerInfo[];
  readonly images: readonly ImageInfo[];
  /** What could not be read (an engine down, a namespace refused): failures are data. */
  readonly notes: readonly string[];
}
