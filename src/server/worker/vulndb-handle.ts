/**
 * A worker's vulnerability DB: opened read-only, and swapped for the new
 * version when the file is replaced. `customs db update` and `db import` build
 * a new file and rename it over the old one (vulndb/build-db.ts), so a changed
 * (device, inode, size, mtime) means a new complete DB, never a half-written one.
 *
 * The file is checked before each job (`pin`), never during one: a job keeps
 * the reader it pinned until it releases it, and a replaced reader is closed
 * when its last job lets go. Readers already open keep reading the old file
 * (POSIX keeps an unlinked file's data while it is open).
 */
import { statSync } from 'node:fs';
import type { VulnDbReader } from '../../vulndb/index.js';
import { openVulnDb } from '../../vulndb/index.js';
import { dbVersionOf, type PinnedDb } from '../jobs.js';

interface Opened {
  readonly reader: VulnDbReader;
  readonly version: string;
  readonly identity: string;
  pins: number;
  retired: boolean;
}

function identityOf(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

export class VulnDbHandle {
  private current: Opened | undefined;
  /** Versions opened so far, oldest first (what /metrics and the tests read). */
  readonly versions: string[] = [];

  constructor(readonly path: string) {}

  /** Open (or re-open after a replacement) when the file changed; undefined when there is no DB. */
  private refresh(): Opened | undefined {
    const identity = identityOf(this.path);
    if (identity === undefined) return this.current;
    if (this.current?.identity === identity) return this.current;
    const reader = openVulnDb(this.path);
    const opened: Opened = { reader, version: dbVersionOf(reader.metadata), identity, pins: 0, retired: false };
    const old = this.current;
    this.current = opened;
    this.versions.push(opened.version);
    if (old) this.retire(old);
    return opened;
  }

  private retire(o: Opened): void {
    o.retired = true;
    if (o.pins === 0) o.reader.close();
  }

  /** The version the next job would use ("none" without a DB). */
  version(): string {
    return this.refresh()?.version ?? 'none';
  }

  /** The DB for one job, checked for a replacement first; call `release` when the job ends. */
  pin(): { db: PinnedDb | undefined; release: () => void } {
    const o = this.refresh();
    if (!o) return { db: undefined, release: () => {} };
    o.pins++;
    let released = false;
    return {
      db: { reader: o.reader, path: this.path, version: o.version },
      release: () => {
        if (released) return;
        released = true;
        o.pins--;
        if (o.retired && o.pins === 0) o.reader.close();
      },
    };
  }

  close(): void {
    if (this.current) this.retire(this.current);
    this.current = undefined;
  }
}
