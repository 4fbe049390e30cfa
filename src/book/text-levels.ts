import { canonicalDecimal, compareDecimal, detached, isZeroDecimal } from './decimal.js';
import type { Level, Side } from '../protocol/types.js';
import { FEW, SortedPrices } from './sorted-prices.js';

/**
 * One side of a book whose prices have no decimal code (CodedLevels takes the others, which is
 * nearly always all of them): levels in a Map keyed by the canonical text of their price (one
 * text per value, so "0.1" and "0.10000000" are one level, and a "__proto__" is just a key), each
 * in the exchange's latest spelling.
 *
 * Order: the canonical prices are kept sorted, best first, only once someone has asked for the
 * best level (`best`, which --top and v3 tickers call after every change); until then `top` picks
 * its few levels in one pass, or sorts a copy.
 */
export class TextLevels {
  /** Canonical price -> the level as last sent, its texts copies of their own (detached), not views of a frame. */
  private readonly levels = new Map<string, Level>();
  /** Canonical prices best first, once `best` has been asked for. */
  private order: SortedPrices<string> | undefined;
  private readonly direction: 1 | -1;

  constructor(side: Side) {
    // Asks are best when lowest, bids when highest.
    this.direction = side === 'ask' ? 1 : -1;
  }

  /** A side holding `levels` (of distinct values). */
  static of(side: Side, levels: readonly Level[]): TextLevels {
    const text = new TextLevels(side);
    for (const level of levels) text.set(level.price, level.size);
    return text;
  }

  get size(): number {
    return this.levels.size;
  }

  /** Sets a level's absolute size; zero removes it. Returns whether the size was zero (a removal). */
  set(price: string, size: string): boolean {
    const levels = this.levels;
    const key = canonicalDecimal(price);
    if (isZeroDecimal(size)) {
      if (levels.delete(key)) this.order?.remove(key, Number(key));
      return true;
    }
    const level = { price: detached(price), size: detached(size) };
    if (levels.has(key)) {
      // The level keeps the exchange's latest spelling of its price.
      levels.set(key, level);
      return false;
    }
    const own = detached(key);
    levels.set(own, level);
    this.order?.insert(own, Number(own));
    return false;
  }

  /** The best level, or undefined when the side is empty. From now on the side keeps its order. */
  best(): Level | undefined {
    if (this.order === undefined) {
      const sorted = this.sorted();
      this.order = new SortedPrices(this.direction, sorted, sorted.map(Number), compareDecimal);
    }
    const key = this.order.first();
    return key === undefined ? undefined : this.levels.get(key);
  }

  /** The best level's price, or undefined. */
  bestPrice(): string | undefined {
    return this.best()?.price;
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const keys = this.order !== undefined ? this.order.take(n) : n <= FEW ? this.fewBest(n) : this.sorted();
    const out: Level[] = [];
    const count = Math.min(n, keys.length);
    for (let i = 0; i < count; i++) out.push(this.levels.get(keys[i] as string) as Level);
    return out;
  }

  /**
   * The best `n` canonical prices in one pass over the side, without sorting it (a snapshot's
   * --depth lines: sorting every price of every snapshot was most of the start-up work with many pairs).
   */
  private fewBest(n: number): string[] {
    const direction = this.direction;
    const best: string[] = [];
    for (const key of this.levels.keys()) {
      let at = best.length;
      while (at > 0 && direction * compareDecimal(key, best[at - 1] as string) < 0) at--;
      if (at >= n) continue;
      best.splice(at, 0, key);
      if (best.length > n) best.pop();
    }
    return best;
  }

  private sorted(): string[] {
    const direction = this.direction;
    return [...this.levels.keys()].sort((a, b) => direction * compareDecimal(a, b));
  }
}
