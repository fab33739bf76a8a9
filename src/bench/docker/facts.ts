/**
 * What the Docker benchmark reads about a host, gathered by collect.ts and judged
 * by evaluate.ts. Plain data: tests build it by hand to reach every branch, and the
 * integration test gathers it from a real dockerd.
 */

import type { HistoryEntry } from '../../checks/index.js';

/** A file's owner and mode, or its absence. */
export interface FileStat {
  readonly path: string;
  readonly exists: boolean;
  readonly uid?: number;
  readonly gid?: number;
  /** Permission bits (mode & 0o7777). */
  readonly mode?: number;
  readonly isDirectory?: boolean;
}

/** The fields of the Engine API's GET /info the controls read (Docker Engine API v1.41 SystemInfo). */
export interface EngineInfo {
  readonly ServerVersion?: string;
  readonly DockerRootDir?: string;
  readonly Driver?: string;
  readonly LoggingDriver?: string;
  readonly LiveRestoreEnabled?: boolean;
  readonly ExperimentalBuild?: boolean;
  /** "name=seccomp,profile=default", "name=apparmor", "name=userns", "name=rootless", "name=selinux". */
  readonly SecurityOptions?: readonly string[];
  readonly Swarm?: { readonly LocalNodeState?: string };
  readonly CgroupVersion?: string;
}

export interface MountPoint {
  readonly Type?: string;
  readonly Source?: string;
  readonly Destination?: string;
  readonly RW?: boolean;
  readonly Propagation?: string;
}

/** The fields of GET /containers/{id}/json the controls read. */
export interface ContainerInspect {
  readonly Id: string;
  /** "/web" as the Engine API spells it. */
  readonly Name: string;
  readonly AppArmorProfile?: string;
  readonly State?: { readonly Status?: string; readonly Health?: { readonly Status?: string } };
  readonly Config?: {
    readonly User?: string;
    readonly Image?: string;
    readonly Healthcheck?: { readonly Test?: readonly string[] };
  };
  readonly HostConfig?: {
    readonly Privileged?: boolean;
    readonly CapAdd?: readonly string[] | null;
    readonly NetworkMode?: string;
    readonly PidMode?: string;
    readonly IpcMode?: string;
    readonly UTSMode?: string;
    readonly UsernsMode?: string;
    readonly ReadonlyRootfs?: boolean;
    readonly Memory?: number;
    readonly CpuShares?: number;
    readonly NanoCpus?: number;
    readonly CpuQuota?: number;
    readonly PidsLimit?: number | null;
    readonly RestartPolicy?: { readonly Name?: string; readonly MaximumRetryCount?: number };
    readonly SecurityOpt?: readonly string[] | null;
    readonly PortBindings?: Record<
      string,
      readonly { readonly HostIp?: string; readonly HostPort?: string }[] | null
    > | null;
    readonly Devices?: readonly { readonly PathOnHost?: string }[] | null;
    readonly Ulimits?: readonly { readonly Name?: string }[] | null;
    readonly CgroupParent?: string;
  };
  readonly Mounts?: readonly MountPoint[];
  /** Process command lines from GET /containers/{id}/top (running containers only). */
  readonly processes?: readonly string[];
}

/** An image as GET /images/{id}/json shows it (the fields the image checks read). */
export interface ImageInspect {
  readonly Id: string;
  readonly RepoTags?: readonly string[] | null;
  readonly Config?: {
    readonly User?: string;
    readonly Env?: readonly string[] | null;
    readonly Healthcheck?: { readonly Test?: readonly string[] };
  } | null;
  /** GET /images/{id}/history, oldest first as in the image config (the API lists newest first). */
  readonly history?: readonly HistoryEntry[];
}

export interface DockerFacts {
  /** How the daemon was reached ("unix:///var/run/docker.sock"). */
  readonly endpoint: string;
  /**
   * The daemon was reached over TCP: this machine's files, processes and daemon.json
   * are not its host's, so nothing local is read and the controls that need them are info.
   */
  readonly remote?: boolean;
  readonly info: EngineInfo;
  /** The running dockerd's arguments (argv without argv[0]) and where they were read; absent when not found. */
  readonly daemonArgs?: { readonly source: string; readonly args: readonly string[] };
  /** daemon.json: where, and its parsed object (or why it could not be read). */
  readonly daemonJson: {
    readonly path: string;
    readonly config?: Readonly<Record<string, unknown>>;
    readonly error?: string;
  };
  /** The mount point holding DockerRootDir (from /proc/self/mountinfo). */
  readonly dataRootMount?: string;
  /** Audit rules, each with the file it came from. */
  readonly auditRules: readonly { readonly source: string; readonly rule: string }[];
  /** Files of section 1.1 and 3: stats by the path the controls name. */
  readonly files: readonly FileStat[];
  /** Paths the controls resolved: unit files, the socket, TLS files, registry certificates. */
  readonly paths: {
    readonly dockerService?: string;
    readonly dockerSocketUnit?: string;
    readonly socket?: string;
    readonly containerdSocket?: string;
    readonly registryCerts: readonly string[];
  };
  /** Groups by id (/etc/group), for "root:docker". */
  readonly groups: Readonly<Record<number, string>>;
  /** Members of the docker group (/etc/group). */
  readonly dockerGroupMembers?: readonly string[];
  readonly containers: readonly ContainerInspect[];
  readonly images: readonly ImageInspect[];
  /** The environment of the benchmark's own process (DOCKER_CONTENT_TRUST). */
  readonly env: Readonly<Record<string, string | undefined>>;
}
