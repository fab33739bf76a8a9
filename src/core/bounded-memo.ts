/**
 * A pure function of a string, remembered for the strings seen last: an SBOM
 * of 600 packages holds a few dozen distinct licence texts, so normalising each
 * text once instead of once per package is most of the saving. Bounded in
 * entries and in key length, so hostile input (a million distinct or huge
 * strings) costs at most `maxEntries × maxKeyLength` characters of keys; the
 * oldest entry goes first (a Map iterates in insertion order).
 */
export interface BoundedMemo<V> {
  (key: string): V;
  /** Entries held now (never more than maxEntries). */
  readonly size: number;
  /** Values computed (not seeded) since the memo was made. */
  readonly computed: number;
  /** The entries held now, oldest first. */
  entries(): [string, V][];
  /** Hold `value` for `key` unless the key is held already or too long (a value known from elsewhere). */
  seed(key: string, value: V): void;
}

export function boundedMemo<V>(
  compute: (key: string) => V,
  { maxEntries, maxKeyLength }: { readonly maxEntries: number; readonly maxKeyLength: number },
): BoundedMemo<V> {
  const memo = new Map<string, V>();
  let computed = 0;
  const hold = (key: string, value: V): void => {
    if (memo.size >= maxEntries) {
      const oldest = memo.keys().next();
      if (oldest.done !== true) memo.delete(oldest.value);
    }
    memo.set(key, value);
  };
  const lookup = (key: string): V => {
    if (key.length > maxKeyLength) return compute(key);
    if (memo.has(key)) return memo.get(key) as V;
    const value = compute(key);
    computed++;
    hold(key, value);
    return value;
  };
  return Object.defineProperties(lookup, {
    size: { get: () => memo.size },
    computed: { get: () => computed },
    entries: { value: (): [string, V][] => [...memo.entries()] },
    seed: {
      value: (key: string, value: V): void => {
        if (key.length <= maxKeyLength && !memo.has(key)) hold(key, value);
      },
    },
  }) as BoundedMemo<V>;
}
