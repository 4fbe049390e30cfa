/**
 * Protocol-independent market events: what happened on the simulated exchange, before any wire
 * encoding. Amounts are bigints of 1e-8 units; encoders decide how they look on the wire.
 */

/** A side of the book. */
export type Side = 'bid' | 'ask';

/** A listed pair: legacy name and numeric id. */
export interface PairInfo {
  readonly name: string;
  readonly id: number;
  /** Most decimals any price of this pair has (its price grid's precision). */
  readonly priceDecimals: number;
  /** Most decimals any size of this pair has: 8, or fewer with MarketConfig.coarseSizes. */
  readonly sizeDecimals: number;
}

/** One price level of the simulated book. */
export interface SimLevel {
  readonly price: bigint;
  readonly size: bigint;
}

/** A level's new absolute size; zero means the level was removed. */
export interface LevelChange {
  readonly kind: 'level';
  readonly side: Side;
  readonly price: bigint;
  readonly size: bigint;
}

/** A trade; `taker` buy means it consumed asks. */
export interface Trade {
  readonly kind: 'trade';
  readonly tradeId: bigint;
  readonly taker: 'buy' | 'sell';
  readonly price: bigint;
  readonly size: bigint;
  readonly timeMs: number;
}

/** One item of a book update, in the order it happened. */
export type SimBookItem = LevelChange | Trade;

/** A batch of book items of one pair, numbered by the pair's sequence counter. */
export interface BookUpdate {
  readonly kind: 'book';
  /** Position of this event in the market's whole event stream (1-based). */
  readonly index: number;
  readonly pair: PairInfo;
  readonly seq: number;
  readonly timeMs: number;
  readonly items: readonly SimBookItem[];
}

/** 24-hour statistics of a pair; percentChange is a signed fraction in 1e-8 units. */
export interface TickerValues {
  readonly last: bigint;
  readonly lowestAsk: bigint;
  readonly highestBid: bigint;
  readonly percentChange: bigint;
  readonly baseVolume: bigint;
  readonly quoteVolume: bigint;
  readonly high24h: bigint;
  readonly low24h: bigint;
  readonly isFrozen: boolean;
  /** Price 24 hours ago. */
  readonly open: bigint;
  /** Trades in the last 24 hours. */
  readonly tradeCount: number;
}

/** A pair with its ticker. */
export interface PairTicker {
  readonly pair: PairInfo;
  readonly values: TickerValues;
}

/** A ticker publication of one pair. */
export interface TickerUpdate {
  readonly kind: 'ticker';
  readonly index: number;
  readonly pair: PairInfo;
  readonly timeMs: number;
  readonly values: TickerValues;
}

/** Everything the market's event stream yields. */
export type MarketEvent = BookUpdate | TickerUpdate;

/** A pair's whole book at its current sequence number; asks ascending, bids descending. */
export interface BookSnapshot {
  readonly pair: PairInfo;
  readonly seq: number;
  readonly timeMs: number;
  readonly asks: readonly SimLevel[];
  readonly bids: readonly SimLevel[];
}
