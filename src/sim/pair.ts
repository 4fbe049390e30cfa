import { SimBookSide } from './book-side.js';
import type { CatalogEntry } from './catalog.js';
import { SCALE } from './units.js';
import type { PairInfo, TickerValues } from './events.js';
import type { Rng } from './rng.js';

/** Mutable state of one simulated pair: its book, its sequence counter and 24-hour statistics. */
export interface PairState {
  readonly info: PairInfo;
  /** Price grid step in 1e-8 units; every level sits on mid + n * tick. */
  readonly tick: bigint;
  /** The catalog mid price the market drifts around. */
  readonly reference: bigint;
  /** Levels per side the book leans toward. */
  readonly depth: number;
  /** Sizes are drawn in [10^lo, 10^hi) whole coins. */
  readonly sizeExp: readonly [number, number];
  /** Size grid step in 1e-8 units: every size is a multiple of it (1n: any 8-decimal size). */
  readonly sizeStep: bigint;
  readonly asks: SimBookSide;
  readonly bids: SimBookSide;
  seq: number;
  nextTradeId: bigint;
  tradeCount: number;
  last: bigint;
  open: bigint;
  high: bigint;
  low: bigint;
  baseVolume: bigint;
  quoteVolume: bigint;
}

/**
 * Builds a pair with `depth` levels per side. A price of a few hundred 1e-8 units has room for
 * few levels below it, so such a pair gets a quarter of its price in ticks instead (at least 10),
 * packed one tick apart like the real books of such coins. With `coarseSizes` its sizes have
 * fewer decimals the bigger they run (the current exchange's quantityScale: 6 for BTC, none for
 * coins traded by the million); without, all 8 decimals are random, as on the legacy books.
 */
export function createPairState(entry: CatalogEntry, rng: Rng, depth: number, coarseSizes = false): PairState {
  const digits = entry.mid.toString().length;
  // About five significant digits of price, as on the real books.
  const tick = 10n ** BigInt(Math.max(0, digits - 5));
  const room = Number(entry.mid / tick);
  // Cheap coins trade in huge sizes: up to 10^9 coins for a price of 10^-7.
  const hi = Math.max(1, 11 - digits);
  // One decimal finer than the smallest sizes drawn (10^(hi - 6) coins), so they keep two digits.
  const sizeDecimals = coarseSizes ? Math.min(8, Math.max(0, 7 - hi)) : 8;
  const state: PairState = {
    info: { name: entry.name, id: entry.id, priceDecimals: 8 - Math.min(trailingZeros(entry.mid), trailingZeros(tick)), sizeDecimals },
    tick,
    reference: entry.mid,
    depth: Math.min(depth, Math.max(10, Math.floor(room / 4))),
    sizeExp: [Math.max(-8, hi - 6), hi],
    sizeStep: 10n ** BigInt(8 - sizeDecimals),
    asks: new SimBookSide('ask'),
    bids: new SimBookSide('bid'),
    seq: rng.int(100_000_000, 999_999_999),
    nextTradeId: BigInt(rng.int(10_000_000, 99_999_999)),
    tradeCount: 0,
    last: entry.mid,
    open: (entry.mid * BigInt(rng.int(900, 1100))) / 1000n,
    high: (entry.mid * BigInt(rng.int(1010, 1150))) / 1000n,
    low: (entry.mid * BigInt(rng.int(850, 990))) / 1000n,
    baseVolume: 0n,
    quoteVolume: 0n,
  };
  // Drawn from no random number, so adding it left the seeded streams as they were.
  state.tradeCount = 1_000 + Number(state.nextTradeId % 90_000n);
  state.quoteVolume = randomSize(state, rng) * BigInt(rng.int(20, 500));
  state.baseVolume = (state.quoteVolume * entry.mid) / SCALE;
  fillBook(state, rng, entry.mid, room >= 12 * state.depth ? 3 : 1);
  return state;
}

/** Decimal zeros at the end of `units`, at most 8: a price on this grid needs 8 minus this many decimals. */
function trailingZeros(units: bigint): number {
  let zeros = 0;
  for (let rest = units; zeros < 8 && rest % 10n === 0n && rest !== 0n; rest /= 10n) zeros += 1;
  return zeros;
}

function fillBook(state: PairState, rng: Rng, mid: bigint, maxGapTicks: number): void {
  let ask = mid;
  let bid = mid;
  for (let i = 0; i < state.depth; i++) {
    ask += state.tick * BigInt(rng.int(1, maxGapTicks));
    state.asks.set(ask, randomSize(state, rng));
    bid -= state.tick * BigInt(rng.int(1, maxGapTicks));
    if (bid >= state.tick) state.bids.set(bid, randomSize(state, rng));
  }
}

/** A size for this pair, log-uniform over its range, with every decimal of its grid random. */
export function randomSize(state: PairState, rng: Rng): bigint {
  const exp = rng.int(state.sizeExp[0], state.sizeExp[1] - 1) + 8;
  return onSizeGrid(state, rng.bigint(10n ** BigInt(exp), 10n ** BigInt(exp + 1) - 1n));
}

/**
 * `size` rounded down to the pair's size grid, at least one step. Draws no random number, so a
 * pair on the finest grid (step 1n, every legacy pair) trades exactly as before grids existed.
 */
export function onSizeGrid(state: PairState, size: bigint): bigint {
  const rounded = size - (size % state.sizeStep);
  return rounded > state.sizeStep ? rounded : state.sizeStep;
}

/** The pair's ticker as of now. */
export function tickerValues(state: PairState): TickerValues {
  return {
    last: state.last,
    lowestAsk: state.asks.best() ?? 0n,
    highestBid: state.bids.best() ?? 0n,
    percentChange: ((state.last - state.open) * SCALE) / state.open,
    baseVolume: state.baseVolume,
    quoteVolume: state.quoteVolume,
    high24h: state.high,
    low24h: state.low,
    isFrozen: false,
    open: state.open,
    tradeCount: state.tradeCount,
  };
}

/** Books a trade into the 24-hour statistics. */
export function recordTrade(state: PairState, price: bigint, size: bigint): void {
  state.last = price;
  state.tradeCount += 1;
  if (price > state.high) state.high = price;
  if (price < state.low) state.low = price;
  state.quoteVolume += size;
  state.baseVolume += (price * size) / SCALE;
}
