import type { SimBookSide } from './book-side.js';
import type { SimBookItem, LevelChange, Side } from './events.js';
import { onSizeGrid, randomSize, recordTrade, type PairState } from './pair.js';
import type { Rng } from './rng.js';

/** A side never trades or cancels below this many levels, so best bid and best ask always exist. */
const MIN_LEVELS = 2;

/**
 * Generates one burst of activity on a pair's book (trades, new levels, changes, removals),
 * applies it, and returns the items in the order they happened. Never returns an empty list.
 */
export function bookActivity(state: PairState, rng: Rng, timeMs: number): SimBookItem[] {
  const changes = rng.chance(0.7) ? 1 : rng.chance(0.67) ? 2 : 3;
  const items: SimBookItem[] = [];
  for (let i = 0; i < changes; i++) items.push(...oneChange(state, rng, timeMs));
  return items;
}

function oneChange(state: PairState, rng: Rng, timeMs: number): SimBookItem[] {
  const { depth } = state;
  const push = pressure(state);
  if (rng.chance(0.15)) {
    const trades = sweep(state, rng, timeMs, push);
    if (trades.length > 0) return trades;
  }
  // A price above its reference draws more activity to the ask side, and the reverse.
  const side: Side = rng.chance(0.5 + 0.3 * push) ? 'ask' : 'bid';
  const book = bookOf(state, side);
  if (rng.chance(0.45)) {
    // Lean toward `depth` levels so books neither drain nor grow without bound.
    const addShare = Math.min(0.9, Math.max(0.1, 0.5 + (depth - book.length) / depth));
    if (book.length <= MIN_LEVELS || rng.chance(addShare)) {
      const added = addLevel(state, side, rng);
      if (added) return [added];
    } else {
      return [removeLevel(book, rng)];
    }
  }
  return [changeLevel(state, book, rng)];
}

/**
 * How far the mid price strayed from the pair's reference, in [-1, 1] (full at 20%): the
 * mean reversion that keeps a long run's prices plausible and its spreads tight.
 */
function pressure(state: PairState): number {
  const bid = state.bids.best();
  const ask = state.asks.best();
  if (bid === undefined || ask === undefined) return 0;
  const permille = Number(((bid + ask - 2n * state.reference) * 1000n) / (2n * state.reference));
  return Math.min(1, Math.max(-1, permille / 200));
}

function bookOf(state: PairState, side: Side): SimBookSide {
  return side === 'bid' ? state.bids : state.asks;
}

/** A rank biased toward the top of the book, where most activity is. */
function activeRank(book: SimBookSide, rng: Rng): number {
  const r = rng.next();
  return Math.floor(book.length * r * r);
}

function apply(book: SimBookSide, price: bigint, size: bigint): LevelChange {
  book.set(price, size);
  return { kind: 'level', side: book.side, price, size };
}

/** A taker order eating into the top, sometimes through 2 or 3 levels: each trade followed by the level it changed. */
function sweep(state: PairState, rng: Rng, timeMs: number, push: number): SimBookItem[] {
  const taker = rng.chance(0.5 - 0.35 * push) ? 'buy' : 'sell';
  const book = taker === 'buy' ? state.asks : state.bids;
  const levels = rng.chance(0.7) ? 1 : rng.int(2, 3);
  const items: SimBookItem[] = [];
  for (let i = 0; i < levels; i++) {
    const price = book.best();
    const resting = price === undefined ? undefined : book.sizeAt(price);
    if (price === undefined || resting === undefined) break;
    // A level of one grid step cannot be partly filled.
    const step = state.sizeStep;
    const full = (i < levels - 1 || rng.chance(0.35) || resting === step) && book.length > MIN_LEVELS;
    if (!full && resting === step) break;
    const size = full ? resting : clamp(onSizeGrid(state, (resting * BigInt(rng.int(1, 99))) / 100n), step, resting - step);
    state.nextTradeId += BigInt(rng.int(1, 5));
    items.push({ kind: 'trade', tradeId: state.nextTradeId, taker, price, size, timeMs });
    items.push(apply(book, price, resting - size));
    recordTrade(state, price, size);
    if (!full) break;
  }
  return items;
}

/** A new level: sometimes inside the spread, otherwise at a free price behind the top. */
function addLevel(state: PairState, side: Side, rng: Rng): LevelChange | undefined {
  const book = bookOf(state, side);
  const best = book.best();
  const opposite = bookOf(state, side === 'bid' ? 'ask' : 'bid').best();
  const away = side === 'bid' ? -state.tick : state.tick;
  const spreadTicks = best === undefined || opposite === undefined ? 0n : (side === 'bid' ? opposite - best : best - opposite) / state.tick;
  // Wide spreads fill in quickly, as market makers compete for the top.
  if (best !== undefined && spreadTicks > 1n && rng.chance(spreadTicks > 3n ? 0.6 : 0.25)) {
    return apply(book, best - away * rng.bigint(1n, spreadTicks - 1n), randomSize(state, rng));
  }
  const anchor = best ?? opposite;
  if (anchor === undefined) return undefined;
  const reach = Math.min(2 * book.length + 2, 3 * state.depth);
  for (let attempt = 0; attempt < 6; attempt++) {
    // Most orders rest near the top, so the top refills after a sweep.
    const r = rng.next();
    const price = anchor + away * BigInt(1 + Math.floor(reach * r * r));
    if (price >= state.tick && book.sizeAt(price) === undefined) return apply(book, price, randomSize(state, rng));
  }
  return undefined;
}

function removeLevel(book: SimBookSide, rng: Rng): LevelChange {
  const price = book.priceAt(activeRank(book, rng)) ?? book.best() ?? 0n;
  return apply(book, price, 0n);
}

/** A new absolute size for an existing level: a fresh draw or a resize of what rests there. */
function changeLevel(state: PairState, book: SimBookSide, rng: Rng): LevelChange {
  const price = book.priceAt(activeRank(book, rng)) ?? book.best() ?? state.tick;
  const old = book.sizeAt(price) ?? 0n;
  let size = rng.chance(0.5) || old === 0n ? randomSize(state, rng) : onSizeGrid(state, (old * BigInt(rng.int(50, 150))) / 100n);
  if (size === old) size = old + state.sizeStep;
  return apply(book, price, size);
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value;
}
