import { bookActivity } from './activity.js';
import { listedPairs } from './catalog.js';
import type { BookSnapshot, SimLevel, MarketEvent, PairInfo, PairTicker } from './events.js';
import { createPairState, tickerValues, type PairState } from './pair.js';
import { Rng } from './rng.js';

/** Share of market events that are ticker publications rather than book updates. */
const TICKER_SHARE = 0.2;

/** Default simulated wall clock origin: late January 2020, when the legacy API was in full use. */
const EPOCH_START_MS = 1_580_000_000_000;

/** What a market is built from. */
export interface MarketConfig {
  readonly seed: number;
  /** How many pairs to list (resolveOptions checks the range). */
  readonly pairs: number;
  /** Levels per side in the initial books. */
  readonly depth: number;
  /** Where the simulated clock starts, in epoch ms (a random part under 1000 s is added). */
  readonly startMs?: number;
  /** Sizes on a per-pair grid of fewer decimals, as the current exchange's (v3); default all 8 random. */
  readonly coarseSizes?: boolean;
}

/**
 * A deterministic simulated exchange, independent of any wire protocol: pairs with books,
 * per-pair sequence numbers, trades and tickers. `next()` yields the event stream; the same
 * config always yields the same stream, with a simulated clock instead of the real one.
 */
export class Market {
  readonly pairs: readonly PairInfo[];
  private readonly states: readonly PairState[];
  private readonly byId = new Map<number, PairState>();
  private readonly byName = new Map<string, PairInfo>();
  private readonly rng: Rng;
  private clockMs: number;
  private count = 0;

  constructor(config: MarketConfig) {
    this.rng = new Rng(config.seed);
    this.clockMs = (config.startMs ?? EPOCH_START_MS) + this.rng.int(0, 999_999);
    this.states = listedPairs(config.pairs).map((entry) => createPairState(entry, this.rng, config.depth, config.coarseSizes));
    for (const state of this.states) {
      this.byId.set(state.info.id, state);
      this.byName.set(state.info.name, state.info);
    }
    this.pairs = this.states.map((state) => state.info);
  }

  /** The simulated clock: epoch ms of the latest event. */
  get nowMs(): number {
    return this.clockMs;
  }

  /** The listed pair with this id, or undefined. */
  pairById(id: number): PairInfo | undefined {
    return this.byId.get(id)?.info;
  }

  /** The listed pair with this name, or undefined. */
  pairByName(name: string): PairInfo | undefined {
    return this.byName.get(name);
  }

  /** An id no listed pair has, past the highest, as a pair listed after start-up would get. */
  unlistedPairId(): number {
    return Math.max(...this.pairs.map((pair) => pair.id)) + 100;
  }

  /** Advances the market by one event: a book update of one pair (its seq + 1) or a ticker. */
  next(): MarketEvent {
    this.clockMs += this.rng.int(1, 120);
    const index = ++this.count;
    const state = this.rng.pick(this.states);
    const timeMs = this.clockMs;
    if (this.rng.chance(TICKER_SHARE)) {
      return { kind: 'ticker', index, pair: state.info, timeMs, values: tickerValues(state) };
    }
    const items = bookActivity(state, this.rng, timeMs);
    state.seq += 1;
    return { kind: 'book', index, pair: state.info, seq: state.seq, timeMs, items };
  }

  /** The pair's whole current book, stamped with its current seq (the next update is seq + 1). */
  snapshot(pairId: number): BookSnapshot {
    const state = this.state(pairId);
    return {
      pair: state.info,
      seq: state.seq,
      timeMs: this.clockMs,
      asks: state.asks.levels(),
      bids: state.bids.levels(),
    };
  }

  /** The best `levels` levels of each side of a pair's book: asks ascending, bids descending. */
  top(pairId: number, levels: number): { readonly asks: SimLevel[]; readonly bids: SimLevel[] } {
    const state = this.state(pairId);
    return { asks: state.asks.levels(levels), bids: state.bids.levels(levels) };
  }

  /** The best level of each side of a pair's book, without copying the book. */
  topOfBook(pairId: number): { readonly ask: SimLevel | undefined; readonly bid: SimLevel | undefined } {
    const state = this.state(pairId);
    return { ask: state.asks.levels(1)[0], bid: state.bids.levels(1)[0] };
  }

  /** The current ticker of every pair, in listing order. */
  tickers(): PairTicker[] {
    return this.states.map((state) => ({ pair: state.info, values: tickerValues(state) }));
  }

  /**
   * Burns one sequence number of a pair without an event, and returns the new seq: the gap
   * fault. Later updates and snapshots continue from there, as after a lost message.
   */
  skipSeq(pairId: number): number {
    const state = this.state(pairId);
    state.seq += 1;
    return state.seq;
  }

  private state(pairId: number): PairState {
    const state = this.byId.get(pairId);
    if (state === undefined) throw new RangeError(`no pair with id ${pairId}`);
    return state;
  }
}
