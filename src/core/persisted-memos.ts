/**
 * Memos a short command keeps between runs: a pure function whose answers cost more to
 * compute than to read back (licence normalisation: ~40 ms for an image's ~180 licence
 * texts in a fresh process, most of a warm SBOM's own work) can be seeded from the last run
 * and saved for the next. The command that holds a cache (cli/image-command.ts) sets the
 * backend for its run and flushes it at the end; a memo made `persistentMemo` reads its
 * entries on first use under that backend and marks itself changed when it computed new
 * ones. Without a backend nothing is read or kept.
 *
 * A memo's name must change whenever its answers could (its rules' version, the tool's
 * version): what is read back is used as computed. The backend checks its rows' integrity
 * (the layer cache's checksums); the memo checks the shape of every entry it seeds.
 */
import type { BoundedMemo } from './bounded-memo.js';

export interface MemoBackend {
  read(name: string): unknown;
  write(name: string, value: unknown): void;
}

let backend: MemoBackend | undefined;
const changed = new Map<string, () => unknown>();

/** Where memos are read from and saved to for this run (undefined: nowhere). */
export function useMemoBackend(b: MemoBackend | undefined): void {
  backend = b;
  changed.clear();
}

/**
 * `memo`, its answers kept between runs under `name()`. The first call under a backend (and
 * the first after the backend changes) hands what was saved under that name to `seed`, which
 * checks each entry and seeds the memo with those it accepts; a call that computes a new
 * answer marks the memo for the flush.
 */
export function persistentMemo<V>(
  memo: BoundedMemo<V>,
  name: () => string,
  seed: (saved: unknown) => void,
): (key: string) => V {
  let seededFrom: MemoBackend | undefined | null = null;
  return (key) => {
    if (seededFrom !== backend) {
      seededFrom = backend;
      if (backend) seed(backend.read(name()));
    }
    const before = memo.computed;
    const answer = memo(key);
    if (backend && memo.computed !== before) changed.set(name(), () => memo.entries());
    return answer;
  };
}

/** Save every changed memo (at the end of a run, before the backend closes). */
export function flushMemos(): void {
  const b = backend;
  if (!b) return;
  for (const [name, snapshot] of changed) b.write(name, snapshot());
  changed.clear();
}
