import { compareDecimal } from './decimal.js';

/** A chunk is split in two beyond twice this many prices. */
const CHUNK = 256;

interface Chunk {
  prices: string[];
  /** Number(price) of each: doubles decide order wherever they differ. */
  values: number[];
}

/**
 * Prices kept sorted best first by exact value, in chunks of at most 2 * CHUNK: an insert or a
 * removal anywhere costs two binary searches and a move within one chunk. One sorted array cost
 * a move of the whole side per change, so a hostile update adding 100k new best asks took
 * 13-32 s (quadratic); here it takes a fraction of a second, whatever the pattern.
 */
export class SortedPrices {
  private chunks: Chunk[] = [];

  /** `direction` 1: lowest first (asks); -1: highest first (bids). `sorted` is already in that order. */
  constructor(
    private readonly direction: 1 | -1,
    sorted: readonly string[],
  ) {
    for (let i = 0; i < sorted.length; i += CHUNK) {
      const prices = sorted.slice(i, i + CHUNK);
      this.chunks.push({ prices, values: prices.map(Number) });
    }
  }

  /** The best price, if any. */
  first(): string | undefined {
    return this.chunks[0]?.prices[0];
  }

  /** The best `n` prices, best first. */
  take(n: number): string[] {
    const out: string[] = [];
    for (const chunk of this.chunks) {
      for (const price of chunk.prices) {
        if (out.length >= n) return out;
        out.push(price);
      }
    }
    return out;
  }

  /** Adds a price not held yet. */
  insert(price: string): void {
    const value = Number(price);
    if (this.chunks.length === 0) {
      this.chunks.push({ prices: [price], values: [value] });
      return;
    }
    const c = this.chunkFor(value, price);
    const chunk = this.chunks[c] as Chunk;
    const at = this.lowerBound(chunk, value, price);
    chunk.prices.splice(at, 0, price);
    chunk.values.splice(at, 0, value);
    if (chunk.prices.length > 2 * CHUNK) {
      const half = chunk.prices.length >>> 1;
      this.chunks.splice(c + 1, 0, { prices: chunk.prices.splice(half), values: chunk.values.splice(half) });
    }
  }

  /** Removes a price held in exactly this text (a no-op otherwise). */
  remove(price: string): void {
    if (this.chunks.length === 0) return;
    const value = Number(price);
    const c = this.chunkFor(value, price);
    const chunk = this.chunks[c] as Chunk;
    const at = this.lowerBound(chunk, value, price);
    if (chunk.prices[at] !== price) return;
    chunk.prices.splice(at, 1);
    chunk.values.splice(at, 1);
    if (chunk.prices.length === 0) this.chunks.splice(c, 1);
  }

  /** Negative when (va, pa) is better than (vb, pb), zero when equal in value. */
  private compare(va: number, pa: string, vb: number, pb: string): number {
    return (va !== vb ? va - vb : compareDecimal(pa, pb)) * this.direction;
  }

  /** The first chunk whose last price is not better than `price`, or the last chunk. */
  private chunkFor(value: number, price: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as Chunk;
      const last = chunk.prices.length - 1;
      if (this.compare(chunk.values[last] as number, chunk.prices[last] as string, value, price) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index in `chunk` of the first price not better than `price`. */
  private lowerBound(chunk: Chunk, value: number, price: string): number {
    let lo = 0;
    let hi = chunk.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(chunk.values[mid] as number, chunk.prices[mid] as string, value, price) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
