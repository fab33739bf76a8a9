/**
 * Which container an event came from. The kernel program reports each task's
 * mount-namespace inode and cgroup ID; the sensor knows each running container's
 * main PID from the Engine, and /proc/PID/ns/mnt names its mount namespace
 * (namespaces(7)). When a namespace is new (a container started since the last
 * look) the task's /proc/PID/cgroup path is read: Docker's and containerd's cgroup
 * paths end in the 64-hex container ID (cgroupfs ".../docker/ID", systemd
 * ".../docker-ID.scope", CRI ".../cri-containerd-ID.scope"); then the container
 * list is read again, at most once per `refreshMs`.
 *
 * A namespace's inode number is freed when its last task ends and handed to the next
 * namespace created (fs/nsfs.c, proc_alloc_inum): a container that stopped leaves its
 * number to whatever starts next. So each known namespace also remembers the cgroup
 * IDs its events came with; an event under a cgroup not seen for it is looked up by
 * its cgroup path, and when that path names another container the namespace's old
 * owner is not credited (cgroup IDs are not reused so soon). On a host whose tasks
 * all report one cgroup ID (cgroup v1 only) this check is inert.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { KernelEvent } from './events.js';
import type { ContainerRef } from './rules.js';

export interface RunningContainer extends ContainerRef {
  readonly pid?: number;
}

export type ContainerLister = () => Promise<readonly RunningContainer[]>;

const CONTAINER_ID = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?$/m;

/** The container ID in a /proc/PID/cgroup text, if any line's path ends in one. */
export function containerIdFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const path = line.slice(line.lastIndexOf(':') + 1).trim();
    const m = CONTAINER_ID.exec(path);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

export function mountNamespaceOf(pid: number | 'self', proc = '/proc'): number | undefined {
  try {
    const m = /^mnt:\[(\d+)\]$/.exec(readlinkSync(`${proc}/${pid}/ns/mnt`));
    return m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const CONFIRM_MS = 100;

export class Attribution {
  readonly #byNs = new Map<number, ContainerRef>();
  /** cgroup IDs seen with each namespace of #byNs (since the last refresh). */
  readonly #nsCgroups = new Map<number, Set<number>>();
  readonly #byId = new Map<string, RunningContainer>();
  /** The main PID of each namespace's container (when the engine gave one), and when it was last confirmed. */
  readonly #nsPid = new Map<number, number>();
  readonly #confirmedAt = new Map<number, number>();
  /** Namespaces looked up and not found, with when: looked up again after refreshMs. */
  readonly #misses = new Map<number, number>();
  #lastRefresh = 0;
  readonly #askedFor = new Map<string, number>();
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly list: ContainerLister,
    private readonly proc = '/proc',
    private readonly refreshMs = 1000,
  ) {}

  async refresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    this.#refreshing = (async () => {
      try {
        const containers = await this.list();
        this.#byId.clear();
        this.#byNs.clear();
        this.#nsCgroups.clear();
        this.#nsPid.clear();
        this.#confirmedAt.clear();
        for (const c of containers) {
          this.#byId.set(c.id, c);
          if (c.pid) {
            const ns = mountNamespaceOf(c.pid, this.proc);
            if (ns !== undefined) this.#remember(ns, c);
          }
        }
        this.#misses.clear();
      } finally {
        this.#lastRefresh = Date.now();
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  #remember(ns: number, c: ContainerRef & { readonly pid?: number }): void {
    this.#byNs.set(ns, c);
    if (c.pid) this.#nsPid.set(ns, c.pid);
    else this.#nsPid.delete(ns);
    this.#confirmedAt.set(ns, Date.now());
  }

  /**
   * Whether a namespace still is its container's: the kernel reuses a freed mount namespace's
   * inode number for the next namespace created (another container's, maybe one this sensor does
   * not watch), so once a container has stopped its number may name someone else. Its main
   * process still being in that namespace says it has not; read at most every CONFIRM_MS per
   * namespace (a readlink), which leaves a window far shorter than a container's start.
   * cgroup IDs cannot tell on a cgroup v1 host (every task reports the same one).
   */
  #stillIts(ns: number): boolean {
    const pid = this.#nsPid.get(ns);
    if (pid === undefined) return true;
    const now = Date.now();
    if (now - (this.#confirmedAt.get(ns) ?? 0) < CONFIRM_MS) return true;
    if (mountNamespaceOf(pid, this.proc) !== ns) {
      this.#byNs.delete(ns);
      this.#nsCgroups.delete(ns);
      this.#nsPid.delete(ns);
      this.#confirmedAt.delete(ns);
      return false;
    }
    this.#confirmedAt.set(ns, now);
    return true;
  }

  /** Synchronous when the namespace is known (the common case); undefined = not a container this sensor knows. */
  resolveKnown(e: KernelEvent): ContainerRef | undefined {
    const c = this.#byNs.get(e.mntns);
    if (!c || !this.#stillIts(e.mntns)) return undefined;
    const seen = this.#nsCgroups.get(e.mntns);
    if (!seen) {
      this.#nsCgroups.set(e.mntns, new Set([e.cgroup]));
      return c;
    }
    // Another cgroup in a known namespace: the same container's (a sub-cgroup), or a
    // new namespace that took a stopped container's inode number. resolve() tells.
    return seen.has(e.cgroup) ? c : undefined;
  }

  async resolve(e: KernelEvent): Promise<ContainerRef | undefined> {
    const hit = this.resolveKnown(e);
    if (hit) return hit;
    const stale = this.#byNs.has(e.mntns);
    const missAt = this.#misses.get(e.mntns);
    if (!stale && missAt !== undefined && Date.now() - missAt < this.refreshMs) return undefined;
    let id: string | undefined;
    try {
      id = containerIdFromCgroup(readFileSync(`${this.proc}/${e.pid}/cgroup`, 'utf8'));
    } catch {
      // The task is gone already: only a refresh can tell.
    }
    if (id && !this.#byId.has(id)) {
      // A container ID the list does not hold yet is a container just started: read the
      // list again now (at most every 100 ms per ID), whenever the last read was.
      const last = this.#askedFor.get(id) ?? 0;
      if (Date.now() - last >= 100) {
        this.#askedFor.set(id, Date.now());
        await this.refresh();
      }
    } else if (!id && Date.now() - this.#lastRefresh >= this.refreshMs) await this.refresh();
    // The cgroup path decides when it names a container: a namespace number taken over by
    // another container's namespace is then not attributed to the one that had it. Without
    // a name (the task is gone, or not a container) the namespace decides, as for any event.
    const byNs = this.#byNs.get(e.mntns);
    const c = id ? (this.#byId.get(id) ?? (byNs?.id === id ? byNs : undefined)) : byNs;
    if (c) {
      if (this.#byNs.get(e.mntns)?.id !== c.id) this.#nsCgroups.delete(e.mntns);
      this.#remember(e.mntns, this.#byId.get(c.id) ?? c);
      const seen = this.#nsCgroups.get(e.mntns) ?? new Set<number>();
      seen.add(e.cgroup);
      this.#nsCgroups.set(e.mntns, seen);
      this.#askedFor.delete(c.id);
      return c;
    }
    // Not cached as a miss when the cgroup named a container: the next event asks again.
    if (id) return undefined;
    this.#misses.set(e.mntns, Date.now());
    return undefined;
  }

  containers(): readonly RunningContainer[] {
    return [...this.#byId.values()];
  }
}
