/** Up to this many levels, a side's `top` picks the best in one pass rather than sorting the side. */
export const FEW = 16;

/** A chunk is split in two beyond twice this many prices. */
const CHUNK = 256;

interface Chunk<P> {
  prices: P[];
  /** Each price's value as a double: doubles decide order wherever they differ. */
  values: number[];
}

/**
 * Prices kept sorted best first by exact value, in chunks of at most 2 * CHUNK: an insert or a
 * removal anywhere costs two binary searches and a move within one chunk. One sorted array cost
 * a move of the whole side per change, so a hostile update adding 100k new best asks took
 * 13-32 s (quadratic); here it takes a fraction of a second, whatever the pattern.
 */
export class SortedPrices<P extends string | number> {
  private chunks: Chunk<P>[] = [];

  /**
   * `direction` 1: lowest first (asks); -1: highest first (bids). `sorted` is already in that order,
   * `values` their doubles. `tieBreak` orders two prices exactly where their doubles are equal.
   */
  constructor(
    private readonly direction: 1 | -1,
    sorted: readonly P[],
    values: readonly number[],
    private readonly tieBreak: (a: P, b: P) => number,
  ) {
    for (let i = 0; i < sorted.length; i += CHUNK) this.chunks.push({ prices: sorted.slice(i, i + CHUNK), values: values.slice(i, i + CHUNK) });
  }

  /** The best price, if any. */
  first(): P | undefined {
    return this.chunks[0]?.prices[0];
  }

  /** The best `n` prices, best first. */
  take(n: number): P[] {
    const out: P[] = [];
    for (const chunk of this.chunks) {
      for (const price of chunk.prices) {
        if (out.length >= n) return out;
        out.push(price);
      }
    }
    return out;
  }

  /** Adds a price not held yet, of double `value`. */
  insert(price: P, value: number): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ prices: [price], values: [value] });
      return;
    }
    const c = this.chunkFor(value, price);
    const chunk = this.chunks[c] as Chunk<P>;
    const at = this.lowerBound(chunk, value, price);
    chunk.prices.splice(at, 0, price);
    chunk.values.splice(at, 0, value);
    if (chunk.prices.length > 2 * CHUNK) {
      const half = chunk.prices.length >>> 1;
      this.chunks.splice(c + 1, 0, { prices: chunk.prices.splice(half), values: chunk.values.splice(half) });
    }
  }

  /** Removes a price held exactly so (the same text, or code), of double `value` (a no-op otherwise). */
  remove(price: P, value: number): void {
    if (this.chunks.length === 0) return;
    const c = this.chunkFor(value, price);
    const chunk = this.chunks[c] as Chunk<P>;
    const at = this.lowerBound(chunk, value, price);
    if (chunk.prices[at] !== price) return;
    chunk.prices.splice(at, 1);
    chunk.values.splice(at, 1);
    if (chunk.prices.length === 0) this.chunks.splice(c, 1);
  }

  /** Negative when (va, pa) is better than (vb, pb), zero when equal in value. */
  private compare(va: number, pa: P, vb: number, pb: P): number {
    return (va !== vb ? va - vb : this.tieBreak(pa, pb)) * this.direction;
  }

  /** The first chunk whose last price is not better than `price`, or the last chunk. */
  private chunkFor(value: number, price: P): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as Chunk<P>;
      const last = chunk.prices.length - 1;
      if (this.compare(chunk.values[last] as number, chunk.prices[last] as P, value, price) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index in `chunk` of the first price not better than `price`. */
  private lowerBound(chunk: Chunk<P>, value: number, price: P): number {
    let lo = 0;
    let hi = chunk.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(chunk.values[mid] as number, chunk.prices[mid] as P, value, price) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
