import type { SimLevel, Side } from './events.js';
import type { Market } from './market.js';

/**
 * The real book_lv2 channel is a window on the book, not the book: a snapshot holds the top 20
 * levels a side, and an update says only how that window changed. A level leaves it with size 0
 * (removed, or pushed below the 20th by a better one) and a level enters it from below with its
 * size (after one above it left). The simulator's books stay deep, so both really happen.
 */

/** Levels per side of a book_lv2 window, as the real exchange sends. */
export const WINDOW_LEVELS = 20;

/** Levels of both sides: asks ascending, bids descending. */
export interface WindowLevels {
  readonly asks: readonly SimLevel[];
  readonly bids: readonly SimLevel[];
}

type Shown = Record<Side, ReadonlyMap<bigint, bigint>>;

/**
 * What one connection's windows showed last, for every pair, subscribed or not: a window's
 * changes, and so its ids, must not depend on what the connection subscribed.
 */
export class BookWindows {
  private readonly market: Market;
  private readonly shown = new Map<number, Shown>();

  /** Takes every pair's opening window from `market`, which must not have moved yet. */
  constructor(market: Market) {
    this.market = market;
    for (const pair of market.pairs) this.shown.set(pair.id, shownOf(market.top(pair.id, WINDOW_LEVELS)));
  }

  /** The pair's window as it is now: what a snapshot holds. */
  current(pairId: number): WindowLevels {
    return this.market.top(pairId, WINDOW_LEVELS);
  }

  /**
   * Call after each book event of the pair: the levels whose size in its window changed since the
   * last call, best first per side (size 0: the level left the window), or undefined when the
   * window did not change (the event happened below it).
   */
  update(pairId: number): WindowLevels | undefined {
    const before = this.shown.get(pairId);
    if (before === undefined) throw new RangeError(`no window for pair id ${pairId}`);
    const now = this.current(pairId);
    const asks = changes(before.ask, now.asks, 'ask');
    const bids = changes(before.bid, now.bids, 'bid');
    if (asks.length === 0 && bids.length === 0) return undefined;
    this.shown.set(pairId, shownOf(now));
    return { asks, bids };
  }
}

function shownOf(levels: WindowLevels): Shown {
  const map = (side: readonly SimLevel[]): Map<bigint, bigint> => new Map(side.map((l) => [l.price, l.size]));
  return { ask: map(levels.asks), bid: map(levels.bids) };
}

/** One side's changes, best first like the real messages (a new best ask before the 20th leaving). */
function changes(before: ReadonlyMap<bigint, bigint>, now: readonly SimLevel[], side: Side): SimLevel[] {
  const out = now.filter((level) => before.get(level.price) !== level.size);
  const kept = new Set(now.map((level) => level.price));
  for (const price of before.keys()) if (!kept.has(price)) out.push({ price, size: 0n });
  return out.sort((a, b) => (a.price === b.price ? 0 : (a.price < b.price) === (side === 'ask') ? -1 : 1));
}
