import { canonicalDecimal, compareDecimal, detached, fractionDigits, isZeroDecimal } from './decimal.js';
import type { Level, Side } from '../protocol/types.js';
import { FEW, SortedPrices } from './sorted-prices.js';

/**
 * One side of a book whose prices have no decimal code (CodedLevels takes the others): size by price
 * in a Map keyed by the exchange's own price text (so a "__proto__" is just a key, and the common
 * update, a price seen before in the same spelling, is one Map operation whatever the depth).
 *
 * Spelling: while every price on the side has the same number of fraction digits and no redundant
 * leading zero (how legacy writes its prices), or every price is canonical (no redundant zero at
 * either end: how v3 writes them), two texts of one value cannot both occur, so a price missing
 * from the Map is a new level. A price that keeps neither switches the side to also keeping a
 * canonical-value index, so "0.1" and "0.10000000" stay one level. (v3 books kept that index from
 * their first update on: two more Map operations and a canonical copy per new or removed level.)
 *
 * Order: the prices are kept sorted, best first, only once someone has asked for the best level
 * (`best`, which --top and v3 tickers call after every change); until then `top` picks its few
 * levels in one pass, or sorts a copy.
 */
export class TextLevels {
  private readonly sizes = new Map<string, string>();
  /** The fraction digits of every price on the side, set by the first price of an empty side; undefined once they differ. */
  private shape: number | undefined;
  /** Whether every price on the side is canonical (canonicalDecimal gives it back unchanged). */
  private canonical = false;
  /** Canonical value -> the price text in `sizes`, once spellings mix. */
  private byValue: Map<string, string> | undefined;
  /** Prices best first, once `best` has been asked for. */
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
    return this.sizes.size;
  }

  clear(): void {
    this.sizes.clear();
    this.shape = undefined;
    this.canonical = false;
    this.byValue = undefined;
    this.order = undefined;
  }

  /**
   * Sets a level's absolute size; zero removes it. Returns whether the size was zero (a removal).
   * The side keeps its own copies of the texts (detached), not views of a frame.
   */
  set(view: string, sizeView: string): boolean {
    const sizes = this.sizes;
    const price = detached(view);
    const size = detached(sizeView);
    if (isZeroDecimal(size)) {
      if (sizes.delete(price)) {
        this.forget(price);
        return true;
      }
      const other = this.otherSpelling(price, sizes.size);
      if (other !== undefined) {
        sizes.delete(other);
        this.forget(other);
      }
      return true;
    }
    // One Map operation for the common change: set, then see whether that added a key.
    const before = sizes.size;
    sizes.set(price, size);
    if (sizes.size === before) return false;
    // A new key: a new level, or one kept under another spelling of the same price, which the
    // level leaves for the exchange's latest text.
    const other = this.admit(price, before);
    if (other !== undefined) {
      sizes.delete(other);
      this.forget(other);
    }
    this.note(price);
    return false;
  }

  /** The best level, or undefined when the side is empty. From now on the side keeps its order. */
  best(): Level | undefined {
    if (this.order === undefined) {
      const sorted = this.sorted();
      this.order = new SortedPrices(this.direction, sorted, sorted.map(Number), compareDecimal);
    }
    const price = this.order.first();
    return price === undefined ? undefined : { price, size: this.sizes.get(price) as string };
  }

  /** The best level's price, or undefined. */
  bestPrice(): string | undefined {
    return this.best()?.price;
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const sorted = this.order !== undefined ? this.order.take(n) : n <= FEW ? this.fewBest(n) : this.sorted();
    const out: Level[] = [];
    const count = Math.min(n, sorted.length);
    for (let i = 0; i < count; i++) {
      const price = sorted[i] as string;
      out.push({ price, size: this.sizes.get(price) as string });
    }
    return out;
  }

  /** Records a price just added to `sizes` in the value index and the kept order. */
  private note(price: string): void {
    if (this.byValue !== undefined) this.byValue.set(canonicalDecimal(price), price);
    this.order?.insert(price, Number(price));
  }

  /**
   * otherSpelling for a price joining the side (`others` the prices already there), which the
   * spelling rules then cover too: each price's shape and canonical form are looked at once.
   */
  private admit(price: string, others: number): string | undefined {
    if (this.byValue !== undefined) return this.otherSpelling(price, others);
    const shape = shapeOf(price);
    if (others === 0) {
      this.shape = shape;
      this.canonical = isCanonical(price);
      return undefined;
    }
    const sameShape = shape >= 0 && shape === this.shape;
    const canonical = this.canonical && isCanonical(price);
    if (!sameShape && !canonical) return this.otherSpelling(price, others);
    // Let in by one of the rules: the other may no longer hold.
    if (!sameShape) this.shape = undefined;
    this.canonical = canonical;
    return undefined;
  }

  /** Drops a price just deleted from `sizes` from the value index and the kept order. */
  private forget(price: string): void {
    if (this.byValue !== undefined) this.byValue.delete(canonicalDecimal(price));
    this.order?.remove(price, Number(price));
  }

  /**
   * The text under which a level of the same value as `price` is kept, other than `price` itself;
   * `others` is how many other prices the side holds.
   */
  private otherSpelling(price: string, others: number): string | undefined {
    if (this.byValue === undefined) {
      if (others === 0) return undefined;
      const shape = shapeOf(price);
      if ((shape === this.shape && shape >= 0) || (this.canonical && isCanonical(price))) return undefined;
      // A price that keeps neither rule: from now on the side also indexes its levels by value.
      this.byValue = new Map();
      for (const key of this.sizes.keys()) if (key !== price) this.byValue.set(canonicalDecimal(key), key);
      this.shape = undefined;
      this.canonical = false;
    }
    return this.byValue.get(canonicalDecimal(price));
  }

  /**
   * The best `n` prices in one pass over the side, without sorting it (a snapshot's --depth lines:
   * sorting every price of every snapshot was most of the start-up work with many pairs).
   */
  private fewBest(n: number): string[] {
    const direction = this.direction;
    const best: string[] = [];
    for (const price of this.sizes.keys()) {
      let at = best.length;
      while (at > 0 && direction * compareDecimal(price, best[at - 1] as string) < 0) at--;
      if (at >= n) continue;
      best.splice(at, 0, price);
      if (best.length > n) best.pop();
    }
    return best;
  }

  private sorted(): string[] {
    const direction = this.direction;
    return [...this.sizes.keys()].sort((a, b) => direction * compareDecimal(a, b));
  }
}

/**
 * Whether a decimal is the one text of its value (canonicalDecimal's): no redundant leading zero,
 * and a fraction, if any, that does not end in zero ("0.5", "12", not "0.50", "012" or "5.").
 */
function isCanonical(price: string): boolean {
  const length = price.length;
  if (length > 1 && price.charCodeAt(0) === 48 && price.charCodeAt(1) !== 46) return false;
  if (price.indexOf('.') < 0) return length > 0;
  const last = price.charCodeAt(length - 1);
  return last !== 48 && last !== 46;
}

/**
 * The number of fraction digits of a decimal, or -1 for a redundant leading zero ("01.5"). Two
 * decimals of the same non-negative shape are equal in value exactly when their texts are equal.
 */
function shapeOf(price: string): number {
  if (price.length > 1 && price.charCodeAt(0) === 48 && price.charCodeAt(1) !== 46) return -1;
  return fractionDigits(price);
}
