/** A small seeded PRNG (mulberry32) so generated version pairs are the same on every run. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    chance: (p) => next() < p,
  };
}

/** Builds a version from weighted pieces; shared by the generators of each scheme's test. */
export function joinPieces(rng: Rng, count: number, piece: () => string, seps: readonly string[]): string {
  let out = piece();
  for (let i = 1; i < count; i++) out += rng.pick(seps) + piece();
  return out;
}

export function digitsPiece(rng: Rng): string {
  const r = rng.next();
  if (r < 0.55) return String(rng.int(10));
  if (r < 0.8) return String(rng.int(100));
  if (r < 0.9) return `0${rng.int(10)}`;
  if (r < 0.97) return String(rng.int(100000));
  // Long digit runs: beyond 32 and 64 bits.
  let s = String(1 + rng.int(9));
  const n = 10 + rng.int(20);
  for (let i = 0; i < n; i++) s += String(rng.int(10));
  return s;
}
