/**
 * Per-image behaviour baselines: for `windowMs` after the sensor first sees a
 * container of an image, the programs its containers run and the destinations
 * they connect to are learned; after that, anything else is a deviation (rules
 * CRT-004 and CRT-008). Baselines are kept per image ID (every container of an
 * image should behave alike) and can be saved and loaded as JSON, so a restart
 * does not learn again.
 */
import type { KernelEvent } from './events.js';
import type { BaselineVerdict } from './rules.js';

export interface ImageBaseline {
  readonly imageId: string;
  /** ms since the epoch: when learning started. */
  readonly since: number;
  readonly execs: Set<string>;
  readonly destinations: Set<string>;
  /** Accepted connections: "PEER-ADDRESS:LOCAL-PORT" (who connected, to which port). */
  readonly sources: Set<string>;
}

export interface BaselineJson {
  readonly windowMs: number;
  readonly images: readonly {
    imageId: string;
    since: number;
    execs: string[];
    destinations: string[];
    /** Absent in baselines saved before accepts carried their peer. */
    sources?: string[];
  }[];
}

/** Entries kept per image and kind: a bound on memory when a workload is noisy. */
const MAX_ENTRIES = 10_000;

export const destinationOf = (e: KernelEvent): string => `${e.addr ?? '?'}:${e.port ?? 0}`;

/** An accepted connection's peer and the local port it came to. */
export const sourceOf = (e: KernelEvent): string => `${e.addr ?? '?'}:${e.lport ?? 0}`;

export class Baselines {
  readonly #images = new Map<string, ImageBaseline>();

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Learn from the event while the image's window is open; say what the baseline knows of it. */
  observe(imageId: string, e: KernelEvent): BaselineVerdict {
    let b = this.#images.get(imageId);
    if (!b) {
      b = { imageId, since: this.now(), execs: new Set(), destinations: new Set(), sources: new Set() };
      this.#images.set(imageId, b);
    }
    const learning = this.now() - b.since < this.windowMs;
    const exec = e.type === 'exec' && e.file ? e.file : undefined;
    const dest = e.type === 'connect' ? destinationOf(e) : undefined;
    const verdict: BaselineVerdict = {
      learning,
      knownExec: exec === undefined || b.execs.has(exec),
      knownDestination: dest === undefined || b.destinations.has(dest),
    };
    if (learning) {
      if (exec && b.execs.size < MAX_ENTRIES) b.execs.add(exec);
      if (dest && b.destinations.size < MAX_ENTRIES) b.destinations.add(dest);
      if (e.type === 'accept' && e.addr && e.lport && b.sources.size < MAX_ENTRIES) b.sources.add(sourceOf(e));
    }
    return verdict;
  }

  get(imageId: string): ImageBaseline | undefined {
    return this.#images.get(imageId);
  }

  toJson(): BaselineJson {
    return {
      windowMs: this.windowMs,
      images: [...this.#images.values()]
        .sort((a, b) => (a.imageId < b.imageId ? -1 : 1))
        .map((b) => ({
          imageId: b.imageId,
          since: b.since,
          execs: [...b.execs].sort(),
          destinations: [...b.destinations].sort(),
          sources: [...b.sources].sort(),
        })),
    };
  }

  load(json: unknown): void {
    const images = (json as Partial<BaselineJson> | null)?.images;
    if (!Array.isArray(images)) return;
    for (const i of images) {
      if (typeof i?.imageId !== 'string' || typeof i.since !== 'number') continue;
      const strs = (v: unknown): string[] =>
        Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      this.#images.set(i.imageId, {
        imageId: i.imageId,
        since: i.since,
        execs: new Set(strs(i.execs)),
        destinations: new Set(strs(i.destinations)),
        sources: new Set(strs(i.sources)),
      });
    }
  }
}
