/** What the runtime area of the store keeps (runtime-nodes.ts; docs/store.md "Runtime"). */
import type { EventRecord } from './types.js';

/** The privileges of a container, in short: what widens its reach on the node. */
export interface ContainerPrivileges {
  readonly privileged: boolean;
  readonly capAdd: readonly string[];
  readonly hostPid: boolean;
  readonly hostNetwork: boolean;
  readonly hostIpc: boolean;
  readonly user: string;
  readonly readOnlyRootfs: boolean;
}

/** One container of a node's inventory, as a report gives it. */
export interface RuntimeContainerInput {
  readonly containerId: string;
  readonly name: string;
  /** docker, containerd. */
  readonly runtime: string;
  /** The image ID (config digest), sha256:… */
  readonly imageId: string;
  /** The registry manifest digest (sha256:…), when the image came from a registry. */
  readonly imageDigest?: string;
  readonly imageRef: string;
  readonly state: string;
  readonly kubernetesNamespace?: string;
  readonly kubernetesPod?: string;
  readonly privileges: ContainerPrivileges;
}

/** A node's report, as the store takes it. */
export interface RuntimeReportInput {
  /** The node's name (the report's host). */
  readonly node: string;
  /** When the sensor sent it (ms): with the node, the report's identity. */
  readonly sentAt: number;
  /** The node's containers; absent when the report carries no inventory (the last one stays). */
  readonly containers?: readonly RuntimeContainerInput[];
  /** Appended last when the inventory is applied (the caller names the type: runtime.inventory). */
  readonly inventoryEvent?: { readonly type: string; readonly data: unknown };
  /** Alerts and actions, appended once each per node and `key` (runtime.alert, runtime.action). */
  readonly events: readonly RuntimeEventInput[];
  readonly stats: unknown;
  /**
   * The API token sending the report. Given, the node is bound to it on its first report
   * (or first since an admin unbound it), and a report from another token is refused
   * with RUNTIME_NODE_OWNED. Absent: no ownership check (local stores, tests).
   */
  readonly tokenId?: number;
}

export interface RuntimeEventInput {
  /** Identifies the alert or action across re-sent reports (a hash of its content). */
  readonly key: string;
  readonly type: string;
  /** The container ID, or the node. */
  readonly subject: string;
  readonly data: unknown;
}

export interface RuntimeNode {
  readonly id: number;
  readonly name: string;
  readonly lastReportAt: number;
  readonly receivedAt: number;
  readonly inventoryAt?: number;
  readonly containers: number;
  readonly running: number;
  readonly stats: unknown;
  readonly createdAt: number;
  /** The API token the node is bound to; absent: none yet. */
  readonly ownerTokenId?: number;
}

export interface RuntimeContainer extends RuntimeContainerInput {
  readonly id: number;
  readonly node: string;
  readonly lastSeenAt: number;
}

export interface RuntimeReportOutcome {
  readonly node: RuntimeNode;
  /** The node already reported at this time or later: the inventory was not applied. */
  readonly duplicate: boolean;
  /** Whether the report's inventory replaced the node's containers. */
  readonly inventoryApplied: boolean;
  /** Events appended (alerts and actions not seen before, and the inventory's). */
  readonly events: readonly EventRecord[];
}

/** Running containers of an image (or of every image with a finding), on how many nodes. */
export interface RunningCount {
  readonly containers: number;
  readonly nodes: number;
}
