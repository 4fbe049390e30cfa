import type { SimLevel, Side } from './events.js';

/**
 * One side of a simulated order book: price -> size, prices kept sorted best first (lowest ask,
 * highest bid) so the top of book and ranked levels are cheap to read after every change.
 */
export class SimBookSide {
  readonly side: Side;
  private readonly sizes = new Map<bigint, bigint>();
  private readonly prices: bigint[] = [];

  constructor(side: Side) {
    this.side = side;
  }

  /** Number of price levels. */
  get length(): number {
    return this.prices.length;
  }

  /** The best price, or undefined when the side is empty. */
  best(): bigint | undefined {
    return this.prices[0];
  }

  /** The price at `rank` (0 = best). */
  priceAt(rank: number): bigint | undefined {
    return this.prices[rank];
  }

  /** The size resting at `price`, or undefined when there is no such level. */
  sizeAt(price: bigint): bigint | undefined {
    return this.sizes.get(price);
  }

  /** Sets a level's absolute size; size zero removes the level. */
  set(price: bigint, size: bigint): void {
    if (size === 0n) {
      this.remove(price);
      return;
    }
    if (!this.sizes.has(price)) this.prices.splice(this.rankOf(price), 0, price);
    this.sizes.set(price, size);
  }

  /** Up to `limit` levels, best first. */
  levels(limit = this.prices.length): SimLevel[] {
    return this.prices.slice(0, limit).map((price) => ({ price, size: this.sizes.get(price) ?? 0n }));
  }

  private remove(price: bigint): void {
    if (!this.sizes.delete(price)) return;
    this.prices.splice(this.rankOf(price), 1);
  }

  /** Index of the first price not better than `price` (binary search). */
  private rankOf(price: bigint): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.prices[mid] ?? 0n;
      const better = this.side === 'bid' ? at > price : at < price;
      if (better) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
