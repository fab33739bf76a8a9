/**
 * A short-lived answer cache for hot reads ("where is CVE-X" while a team
 * works the morning's CVE: every dashboard and script asks the same
 * question). An answer is reused for `ttlMs` (default 1 s) by this process, so
 * at most that old; auth, rate limits and ETags still run for every request.
 * Entries are bounded (least recently used go first).
 */
export class MicroCache<T> {
  private readonly entries = new Map<string, { readonly at: number; readonly value: Promise<T> }>();

  constructor(
    private readonly ttlMs = 1000,
    private readonly maxEntries = 1000,
  ) {}

  /** The cached answer for `key`, or `load()`'s (shared by concurrent callers while it runs). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = load();
    this.entries.set(key, { at: now, value });
    // A failed load is not kept: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
