import { canonicalDecimal, compareCanonical, isZeroDecimal } from './decimal.js';

/** One price level as the exchange wrote it. */
export interface Level {
  readonly price: string;
  readonly size: string;
}

export type Side = 'bid' | 'ask';

/**
 * One side of a book: levels keyed by the canonical price (a Map, so a server-sent "__proto__" is
 * just a key), plus the keys kept sorted best-first for top-of-book reads.
 */
class BookSide {
  private readonly levels = new Map<string, Level>();
  private readonly order: string[] = [];
  private readonly direction: 1 | -1;

  constructor(side: Side) {
    // Asks are best when lowest, bids when highest.
    this.direction = side === 'ask' ? 1 : -1;
  }

  get size(): number {
    return this.levels.size;
  }

  clear(): void {
    this.levels.clear();
    this.order.length = 0;
  }

  /** Sets a level's absolute size; zero removes it. Returns whether the level existed before. */
  set(price: string, size: string): boolean {
    const key = canonicalDecimal(price);
    const existed = this.levels.has(key);
    if (isZeroDecimal(size)) {
      if (existed) {
        this.levels.delete(key);
        this.order.splice(this.search(key), 1);
      }
      return existed;
    }
    if (!existed) this.order.splice(this.search(key), 0, key);
    this.levels.set(key, { price, size });
    return existed;
  }

  get(price: string): Level | undefined {
    return this.levels.get(canonicalDecimal(price));
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    const count = Math.min(n, this.order.length);
    for (let i = 0; i < count; i++) {
      const level = this.levels.get(this.order[i] as string);
      if (level !== undefined) out.push(level);
    }
    return out;
  }

  /** Index of `key` in the sorted order, or where it would be inserted. */
  private search(key: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCanonical(this.order[mid] as string, key) * this.direction < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The full order book of one pair: both sides ordered by exact price. Pure data: no I/O, no timers.
 */
export class OrderBook {
  readonly asks = new BookSide('ask');
  readonly bids = new BookSide('bid');

  /** Replaces the whole book with a snapshot's levels (order of input does not matter). */
  reset(asks: readonly Level[], bids: readonly Level[]): void {
    this.clear();
    for (const level of asks) this.asks.set(level.price, level.size);
    for (const level of bids) this.bids.set(level.price, level.size);
  }

  clear(): void {
    this.asks.clear();
    this.bids.clear();
  }

  /** Sets one level's absolute size on `side`; a zero size removes the level. */
  set(side: Side, price: string, size: string): void {
    this.side(side).set(price, size);
  }

  side(side: Side): BookSide {
    return side === 'ask' ? this.asks : this.bids;
  }

  /** The best level of a side, if any. */
  best(side: Side): Level | undefined {
    return this.side(side).top(1)[0];
  }

  /** The best `n` levels of a side, best first. */
  top(side: Side, n: number): Level[] {
    return this.side(side).top(n);
  }
}
