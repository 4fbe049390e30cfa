import type { Level, LevelCodes, Side } from '../protocol/types.js';
import { codeText, codeValue, decimalCode, isZeroCode, readCodes, type Codes } from '../protocol/decimal-code.js';
import { detached, isZeroDecimal } from './decimal.js';
import { FEW, SortedPrices } from './sorted-prices.js';

/** What CodedLevels.set did: changed or added a level, removed one (or found none to remove), or could not take the price. */
export const CHANGED = 0;
export const REMOVED = 1;
export const NO_CODE = 2;

/** Doubles per slot: the price's canonical code (its key), the price's code as last sent, the size's code. */
const STRIDE = 3;
/** The key of a free slot. */
const EMPTY = -1;
/** The size code of a size kept as text (it has no code). */
const TEXT_SIZE = -1;
const INITIAL_SLOTS = 64;
/**
 * Up to this many levels, `best` finds the best key by a pass over the side when the one it knew
 * was removed, rather than keeping the side in order: v3's tickers ask for the best prices of
 * 20-level windows, where keeping the order cost more than it saved (v3 burst, 6 alternating runs:
 * median 0.63 -> 0.62 s).
 */
const SMALL_SIDE = 64;
/** A cleared side keeps its table up to this many slots (1.5 MB), and starts small again beyond. */
const KEPT_SLOTS = 1 << 16;

/** Mixed into every slot choice, per process: no peer can pick prices that all land in one run of slots. */
const SEED = (Math.random() * 0x100000000) >>> 0;

/** The first slot to look at for a key (a non-negative integer below 2^53), `mask` the slot count - 1. */
function homeOf(key: number, mask: number): number {
  let h = Math.imul((key >>> 0) ^ SEED, 0x9e3779b1) ^ Math.imul(((key / 0x100000000) >>> 0) ^ SEED, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h & mask;
}

function freeSlots(count: number): Float64Array {
  return new Float64Array(count * STRIDE).fill(EMPTY);
}

/**
 * One side of a book whose prices all have decimal codes (decimal-code.ts), which is every price an
 * exchange sends in practice: a hash table in one Float64Array, keyed by the price's canonical code,
 * holding the price's and the size's codes. The common update touches no string beyond reading the
 * two it was given, allocates nothing and leaves nothing for the garbage collector to trace; "0.1"
 * and "0.10" are one level by construction. Sizes without a code (too many digits for a double)
 * are kept as text beside it. A price without one is refused (NO_CODE): the caller moves the side to
 * TextLevels.
 *
 * Order: only once `best` has been asked for. A side of at most SMALL_SIDE levels (v3's 20-level
 * window) keeps its best key alone: a better new price replaces it, removing it makes the next
 * `best` look through the side. A larger side keeps its order (SortedPrices of canonical codes),
 * from then on until it is cleared.
 */
export class CodedLevels {
  /** STRIDE doubles a slot; linear probing, at most three quarters full. */
  private slots = freeSlots(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;
  /** By slot, the text of a size without a code, once there has been one. */
  private sizeTexts: (string | undefined)[] | undefined;
  private order: SortedPrices<number> | undefined;
  /**
   * Without an order: the best key once `best` was asked for, kept while known (a better new key
   * replaces it); EMPTY when not asked for yet, or when it was removed (the next `best` looks).
   */
  private bestKey = EMPTY;
  private readonly direction: 1 | -1;
  /** The code and text bestPrice gave last. */
  private bestSpelling = -1;
  private bestText = '';
  /** The codes of the price being set. */
  private readonly read: Codes = { code: -1, canonical: -1 };

  constructor(side: Side) {
    // Asks are best when lowest, bids when highest.
    this.direction = side === 'ask' ? 1 : -1;
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    // A side that grew very large (a hostile snapshot) gives its memory back; one of an ordinary
    // book keeps its room for the snapshot that follows.
    if (this.mask + 1 > KEPT_SLOTS) {
      this.slots = freeSlots(INITIAL_SLOTS);
      this.mask = INITIAL_SLOTS - 1;
    } else if (this.count > 0) this.slots.fill(EMPTY);
    this.count = 0;
    this.sizeTexts = undefined;
    this.order = undefined;
    this.bestKey = EMPTY;
  }

  /** Makes room for `count` levels in all at once (a snapshot), rather than growing step by step. */
  reserve(count: number): void {
    while (count * 4 > (this.mask + 1) * 3) this.grow();
  }

  /**
   * Sets a level's absolute size; zero removes it. CHANGED, REMOVED, or NO_CODE (nothing done).
   * `codes`: the texts' codes, when the decoder read them.
   */
  set(price: string, size: string, codes?: LevelCodes): number {
    let key: number;
    let spelling: number;
    let sizeCode: number;
    if (codes?.priceKey !== undefined) {
      key = codes.priceKey;
      spelling = codes.priceCode as number;
      sizeCode = codes.sizeCode as number;
      if (key < 0) return NO_CODE;
    } else {
      const read = this.read;
      if (!readCodes(price, read)) return NO_CODE;
      key = read.canonical;
      spelling = read.code;
      sizeCode = decimalCode(size);
    }
    if (sizeCode >= 0 ? isZeroCode(sizeCode) : isZeroDecimal(size)) {
      const at = this.find(key);
      if (at >= 0) {
        this.removeAt(at);
        if (this.order !== undefined) this.order.remove(key, codeValue(key));
        else if (key === this.bestKey) this.bestKey = EMPTY;
      }
      return REMOVED;
    }
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    let at = homeOf(key, mask);
    for (let k = slots[at * STRIDE]; k !== key; k = slots[at * STRIDE]) {
      if (k === EMPTY) {
        slots[at * STRIDE] = key;
        this.count++;
        if (this.order !== undefined) this.order.insert(key, codeValue(key));
        else if (this.bestKey !== EMPTY && this.direction * (codeValue(key) - codeValue(this.bestKey)) < 0) this.bestKey = key;
        break;
      }
      at = (at + 1) & mask;
    }
    // The level keeps the exchange's latest spelling of its price.
    slots[at * STRIDE + 1] = spelling;
    if (sizeCode >= 0) {
      slots[at * STRIDE + 2] = sizeCode;
      if (this.sizeTexts !== undefined) this.sizeTexts[at] = undefined;
    } else {
      slots[at * STRIDE + 2] = TEXT_SIZE;
      (this.sizeTexts ??= [])[at] = detached(size);
    }
    return CHANGED;
  }

  /** The best level, or undefined when the side is empty. From now on the side keeps its order. */
  best(): Level | undefined {
    const at = this.bestSlot();
    return at < 0 ? undefined : this.levelAt(at);
  }

  /**
   * The best level's price, or undefined (v3 tickers' lowestAsk and highestBid): the text made
   * once while the best price and its spelling stay, as they mostly do from one ticker to the next.
   */
  bestPrice(): string | undefined {
    const at = this.bestSlot();
    if (at < 0) return undefined;
    const spelling = this.slots[at * STRIDE + 1] as number;
    if (spelling !== this.bestSpelling) {
      this.bestSpelling = spelling;
      this.bestText = codeText(spelling);
    }
    return this.bestText;
  }

  /** The best level's slot, or -1. From now on the side keeps its best key, or its order. */
  private bestSlot(): number {
    if (this.order === undefined && this.count <= SMALL_SIDE) {
      if (this.bestKey === EMPTY) this.bestKey = this.scanBest();
      return this.bestKey === EMPTY ? -1 : this.find(this.bestKey);
    }
    if (this.order === undefined) {
      const keys = this.sortedKeys();
      this.order = new SortedPrices(this.direction, keys, keys.map(codeValue), sameValue);
    }
    const key = this.order.first();
    return key === undefined ? -1 : this.find(key);
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const keys = this.order !== undefined ? this.order.take(n) : n <= FEW ? this.fewBest(n) : this.sortedKeys();
    const out: Level[] = [];
    const count = Math.min(n, keys.length);
    for (let i = 0; i < count; i++) out.push(this.levelAt(this.find(keys[i] as number)));
    return out;
  }

  /** Every level, in no order. */
  levels(): Level[] {
    const out: Level[] = [];
    for (let at = 0; at <= this.mask; at++) if (this.slots[at * STRIDE] !== EMPTY) out.push(this.levelAt(at));
    return out;
  }

  private levelAt(at: number): Level {
    const sizeCode = this.slots[at * STRIDE + 2] as number;
    const size = sizeCode === TEXT_SIZE ? (this.sizeTexts?.[at] as string) : codeText(sizeCode);
    return { price: codeText(this.slots[at * STRIDE + 1] as number), size };
  }

  /** The slot holding `key`, or -1. */
  private find(key: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let at = homeOf(key, mask); ; at = (at + 1) & mask) {
      const k = slots[at * STRIDE];
      if (k === key) return at;
      if (k === EMPTY) return -1;
    }
  }

  /** Frees a slot, moving later slots of the same run back so every key stays reachable from its home. */
  private removeAt(at: number): void {
    const slots = this.slots;
    const texts = this.sizeTexts;
    const mask = this.mask;
    let free = at;
    for (let next = (at + 1) & mask; ; next = (next + 1) & mask) {
      const key = slots[next * STRIDE] as number;
      if (key === EMPTY) break;
      const home = homeOf(key, mask);
      // The key stays when its home lies cyclically after the free slot, up to where it is.
      if (free <= next ? free < home && home <= next : free < home || home <= next) continue;
      slots.copyWithin(free * STRIDE, next * STRIDE, next * STRIDE + STRIDE);
      if (texts !== undefined) texts[free] = texts[next];
      free = next;
    }
    slots[free * STRIDE] = EMPTY;
    if (texts !== undefined) texts[free] = undefined;
    this.count--;
  }

  private grow(): void {
    const old = this.slots;
    const oldTexts = this.sizeTexts;
    const slotCount = (this.mask + 1) * 2;
    const slots = freeSlots(slotCount);
    const texts: (string | undefined)[] | undefined = oldTexts === undefined ? undefined : [];
    const mask = slotCount - 1;
    for (let from = 0; from < old.length / STRIDE; from++) {
      const key = old[from * STRIDE] as number;
      if (key === EMPTY) continue;
      let at = homeOf(key, mask);
      while (slots[at * STRIDE] !== EMPTY) at = (at + 1) & mask;
      slots.set(old.subarray(from * STRIDE, from * STRIDE + STRIDE), at * STRIDE);
      if (texts !== undefined) texts[at] = (oldTexts as (string | undefined)[])[from];
    }
    this.slots = slots;
    this.sizeTexts = texts;
    this.mask = mask;
  }

  /** The best key, by one pass over the side; EMPTY when the side is empty. */
  private scanBest(): number {
    const slots = this.slots;
    const direction = this.direction;
    let best = EMPTY;
    let bestValue = 0;
    for (let at = 0; at <= this.mask; at++) {
      const key = slots[at * STRIDE] as number;
      if (key === EMPTY) continue;
      const value = direction * codeValue(key);
      if (best === EMPTY || value < bestValue) {
        best = key;
        bestValue = value;
      }
    }
    return best;
  }

  /** The best `n` keys in one pass over the side, without sorting it. */
  private fewBest(n: number): number[] {
    const direction = this.direction;
    const best: number[] = [];
    const values: number[] = [];
    for (let at = 0; at <= this.mask; at++) {
      const key = this.slots[at * STRIDE] as number;
      if (key === EMPTY) continue;
      const value = direction * codeValue(key);
      let place = best.length;
      while (place > 0 && value < (values[place - 1] as number)) place--;
      if (place >= n) continue;
      best.splice(place, 0, key);
      values.splice(place, 0, value);
      if (best.length > n) {
        best.pop();
        values.pop();
      }
    }
    return best;
  }

  private sortedKeys(): number[] {
    const keys: number[] = [];
    for (let at = 0; at <= this.mask; at++) {
      const key = this.slots[at * STRIDE] as number;
      if (key !== EMPTY) keys.push(key);
    }
    const direction = this.direction;
    return keys.sort((a, b) => direction * (codeValue(a) - codeValue(b)));
  }
}

/** Canonical codes of distinct values never share a double: nothing to break a tie between. */
function sameValue(): number {
  return 0;
}
