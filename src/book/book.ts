import { CodedLevels, NO_CODE, REMOVED } from './coded-levels.js';
import type { Level, LevelCodes, Side } from '../protocol/types.js';
import { TextLevels } from './text-levels.js';

export type { Level, Side };

/**
 * One side of a book. Its levels live in CodedLevels (typed arrays, no strings kept) while every
 * price has a decimal code, which is every price a real exchange sends; the first price without
 * one (too many digits for a double, a redundant leading zero) moves the side to TextLevels
 * (Maps of the exchange's text) until the side is cleared by its next snapshot. Either way levels
 * are matched and ordered by exact value.
 */
class BookSide {
  private coded: CodedLevels | undefined;
  private text: TextLevels | undefined;

  constructor(private readonly side: Side) {
    this.coded = new CodedLevels(side);
  }

  get size(): number {
    return this.coded !== undefined ? this.coded.size : (this.text as TextLevels).size;
  }

  clear(): void {
    if (this.coded !== undefined) this.coded.clear();
    else {
      this.text = undefined;
      this.coded = new CodedLevels(this.side);
    }
  }

  /** Makes room for `count` levels (a snapshot's). */
  reserve(count: number): void {
    this.coded?.reserve(count);
  }

  /** Sets a level's absolute size; zero removes it. Returns whether the size was zero (a removal). */
  set(price: string, size: string, codes?: LevelCodes): boolean {
    const coded = this.coded;
    if (coded !== undefined) {
      const done = coded.set(price, size, codes);
      if (done !== NO_CODE) return done === REMOVED;
      this.text = TextLevels.of(this.side, coded.levels());
      this.coded = undefined;
    }
    return (this.text as TextLevels).set(price, size);
  }

  /** The best level, or undefined when the side is empty. From now on the side keeps its order. */
  best(): Level | undefined {
    return this.coded !== undefined ? this.coded.best() : (this.text as TextLevels).best();
  }

  /** The best level's price, or undefined when the side is empty (as best, without its size). */
  bestPrice(): string | undefined {
    return this.coded !== undefined ? this.coded.bestPrice() : (this.text as TextLevels).bestPrice();
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    return this.coded !== undefined ? this.coded.top(n) : (this.text as TextLevels).top(n);
  }
}

/**
 * The full order book of one pair: both sides, matched and ordered by exact price. Pure data: no
 * I/O, no timers.
 */
export class OrderBook {
  readonly asks = new BookSide('ask');
  readonly bids = new BookSide('bid');

  /** Replaces the whole book with a snapshot's levels (order of input does not matter). */
  reset(asks: readonly Level[], bids: readonly Level[]): void {
    this.clear();
    this.asks.reserve(asks.length);
    this.bids.reserve(bids.length);
    for (const level of asks) this.asks.set(level.price, level.size, level);
    for (const level of bids) this.bids.set(level.price, level.size, level);
  }

  clear(): void {
    this.asks.clear();
    this.bids.clear();
  }

  /**
   * Sets one level's absolute size on `side`; a zero size removes the level. Returns whether the
   * size was zero, so the caller need not test it again. `codes`: the texts' decimal codes, when
   * the decoder read them.
   */
  set(side: Side, price: string, size: string, codes?: LevelCodes): boolean {
    return this.side(side).set(price, size, codes);
  }

  side(side: Side): BookSide {
    return side === 'ask' ? this.asks : this.bids;
  }

  /** The best level of a side, if any (the side keeps its order from then on). */
  best(side: Side): Level | undefined {
    return this.side(side).best();
  }

  /** The best price of a side, if any (as best). */
  bestPrice(side: Side): string | undefined {
    return this.side(side).bestPrice();
  }

  /** The best `n` levels of a side, best first. */
  top(side: Side, n: number): Level[] {
    return this.side(side).top(n);
  }
}
