/**
 * Memos a short command keeps between runs: a pure function whose answers cost more to
 * compute than to read back (licence normalisation: ~40 ms for an image's ~180 licence
 * texts in a fresh process, most of a warm SBOM's own work) can be seeded from the last run
 * and saved for the next. The command that holds a cache (cli/image-command.ts) sets the
 * backend for its run and flushes it at the end; a memo reads its entries on first use and
 * marks itself changed when it computed new ones. Without a backend nothing is read or kept.
 *
 * A memo's name must change whenever its answers could (its rules' version, the tool's
 * version): what is read back is used as computed. The backend checks its rows' integrity
 * (the layer cache's checksums); the memo checks the shape of every entry it seeds.
 */

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

/** What the last run saved under `name`, unchecked; undefined without a backend or a row. */
export function persistedMemo(name: string): unknown {
  return backend?.read(name);
}

/** `name` has entries the backend does not: `snapshot` gives what to save at the flush. */
export function memoChanged(name: string, snapshot: () => unknown): void {
  if (backend) changed.set(name, snapshot);
}

/** Save every changed memo (at the end of a run, before the backend closes). */
export function flushMemos(): void {
  const b = backend;
  if (!b) return;
  for (const [name, snapshot] of changed) b.write(name, snapshot());
  changed.clear();
}
