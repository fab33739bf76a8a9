/**
 * Image outcomes cached by (rule set version, rule, digest): a cached Pod of
 * five containers costs five map lookups. Entries go when the image's verdict
 * changes (invalidateDigest), when the trust policy changes (invalidateAll),
 * when their TTL passes, or, beyond `max`, oldest first (Map keeps insertion
 * order; a hit re-inserts, so this is an LRU).
 */
export class DecisionCache<V> {
  private readonly entries = new Map<string, { value: V; digest: string; expires: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e || e.expires <= this.now()) {
      if (e) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.value;
  }

  set(key: string, digest: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, digest, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forget every outcome about one image (its verdict changed). Returns how many went. */
  invalidateDigest(digest: string): number {
    let n = 0;
    for (const [k, e] of this.entries)
      if (e.digest === digest) {
        this.entries.delete(k);
        n++;
      }
    return n;
  }

  invalidateAll(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
