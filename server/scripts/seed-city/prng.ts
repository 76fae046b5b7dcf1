/** mulberry32: tiny, fast and good enough for synthetic data; the same seed gives the same city. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every 16-bit value as four hex digits: a seeded city makes millions of ids. */
const HEX4 = Array.from({ length: 0x10000 }, (_, i) => (i | 0x10000).toString(16).slice(1));

export class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Exponentially distributed with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A v4-shaped UUID drawn from the stream, so ids repeat with the seed too (eight 16-bit draws). */
  uuid(): string {
    // No inner helper: this runs millions of times per seed, and each closure is an allocation.
    const n = this.next;
    const a = (n() * 0x10000) | 0;
    const b = (n() * 0x10000) | 0;
    const c = (n() * 0x10000) | 0;
    const d = (n() * 0x10000) | 0;
    const e = (n() * 0x10000) | 0;
    const f = (n() * 0x10000) | 0;
    const g = (n() * 0x10000) | 0;
    const k = (n() * 0x10000) | 0;
    // Version 4 in the third group, variant 10xx in the fourth.
    return `${HEX4[a]}${HEX4[b]}-${HEX4[c]}-${HEX4[(d & 0x0fff) | 0x4000]}-${HEX4[(e & 0x3fff) | 0x8000]}-${HEX4[f]}${HEX4[g]}${HEX4[k]}`;
  }

  /** `k` distinct items among the first `n` of `pool` (all of them when k >= n). */
  sample<T>(pool: readonly T[], k: number, n = pool.length): T[] {
    if (k >= n) return this.shuffle(pool.slice(0, n));
    if (k * 3 > n) return this.shuffle(pool.slice(0, n)).slice(0, k);
    const seen = new Set<number>();
    const out: T[] = [];
    while (out.length < k) {
      const i = Math.floor(this.next() * n);
      if (seen.has(i)) continue;
      seen.add(i);
      out.push(pool[i]);
    }
    return out;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** Weighted choice in O(log n) after an O(n) build. */
export class WeightedPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;
  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const w of weights) {
      sum += w;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  pick(rng: Random): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}
