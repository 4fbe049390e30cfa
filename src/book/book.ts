import { compareDecimal, isZeroDecimal } from './decimal.js';

/** One price level as the exchange wrote it. */
export interface Level {
  readonly price: string;
  readonly size: string;
}

export type Side = 'bid' | 'ask';

/**
 * One side of a book: size by price (a Map, so a server-sent "__proto__" is just a key), plus the
 * prices kept sorted best-first. Keys are the exchange's own price strings, so the common update
 * (a price seen before, in the same spelling) allocates nothing; a price in a new spelling is
 * matched by exact value against the sorted prices, so "0.1" and "0.10000000" stay one level.
 */
class BookSide {
  private readonly sizes = new Map<string, string>();
  private readonly order: string[] = [];
  /** Number(price) of each entry of `order`: a cheap first comparison (see search). */
  private readonly values: number[] = [];
  private readonly direction: 1 | -1;

  constructor(side: Side) {
    // Asks are best when lowest, bids when highest.
    this.direction = side === 'ask' ? 1 : -1;
  }

  get size(): number {
    return this.sizes.size;
  }

  clear(): void {
    this.sizes.clear();
    this.order.length = 0;
    this.values.length = 0;
  }

  /** Sets a level's absolute size; zero removes it. Returns whether the level existed before. */
  set(price: string, size: string): boolean {
    if (!this.sizes.has(price)) {
      const at = this.search(price);
      const same = this.order[at];
      const exists = same !== undefined && compareDecimal(same, price) === 0;
      if (exists) {
        // The same price in a new spelling: the level takes the exchange's latest text.
        this.sizes.delete(same);
        this.order[at] = price;
      } else if (isZeroDecimal(size)) {
        return false;
      } else {
        this.order.splice(at, 0, price);
        this.values.splice(at, 0, Number(price));
      }
      if (isZeroDecimal(size)) this.removeAt(at);
      else this.sizes.set(price, size);
      return exists;
    }
    if (isZeroDecimal(size)) {
      this.sizes.delete(price);
      this.removeAt(this.search(price));
    } else {
      this.sizes.set(price, size);
    }
    return true;
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    const count = Math.min(n, this.order.length);
    for (let i = 0; i < count; i++) {
      const price = this.order[i] as string;
      out.push({ price, size: this.sizes.get(price) as string });
    }
    return out;
  }

  private removeAt(at: number): void {
    this.order.splice(at, 1);
    this.values.splice(at, 1);
  }

  /**
   * Index of `price` in the sorted order (by value), or where it would be inserted. Doubles decide
   * wherever they differ (rounding to a double never reverses the order of two decimals); only
   * prices that round to the same double are compared digit by digit.
   */
  private search(price: string): number {
    const value = Number(price);
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.values[mid] as number;
      const cmp = other !== value ? other - value : compareDecimal(this.order[mid] as string, price);
      if (cmp * this.direction < 0) lo = mid + 1;
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
