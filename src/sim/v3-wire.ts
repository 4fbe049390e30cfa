import { formatTrimmed } from './decimal.js';
import type { BookSnapshot, Level, LevelChange, PairInfo, TickerValues, Trade } from './events.js';

/**
 * The current Poloniex API ("v3", PROTOCOL.md section 2) on the wire: data items and messages of
 * the ticker, trades and book_lv2 channels. Numbers are decimal strings without a fixed scale.
 */

/** The public channels the simulator serves. */
export type V3Channel = 'ticker' | 'trades' | 'book_lv2';

/** Every channel, in the order acks for a multi-channel request go out. */
export const V3_CHANNELS: readonly V3Channel[] = ['ticker', 'trades', 'book_lv2'];

/** [price, quantity]; quantity "0" removes the level. */
export type PriceLevel = readonly [string, string];

/** lastId -> id of one book message of a symbol. */
export interface SequenceIds {
  readonly lastId: number;
  readonly id: number;
}

/** One data item of a book_lv2 snapshot or update. */
export interface V3BookItem {
  readonly symbol: string;
  readonly createTime: number;
  readonly asks: readonly PriceLevel[];
  readonly bids: readonly PriceLevel[];
  readonly lastId: number;
  readonly id: number;
  readonly ts: number;
}

/** One data item of the trades channel. */
export interface V3TradeItem {
  readonly symbol: string;
  readonly amount: string;
  readonly quantity: string;
  readonly takerSide: 'buy' | 'sell';
  readonly createTime: number;
  readonly price: string;
  readonly id: string;
  readonly ts: number;
}

/** One data item of the ticker channel (no bid or ask: a client takes those from its book). */
export interface V3TickerItem {
  readonly symbol: string;
  readonly startTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly quantity: string;
  readonly amount: string;
  readonly tradeCount: number;
  readonly dailyChange: string;
  readonly markPrice: string;
  readonly closeTime: number;
  readonly ts: number;
}

const DAY_MS = 86_400_000;

/** A few deterministic milliseconds between an event and the message stamping it. */
function lag(n: number | bigint): number {
  return 1 + Number(BigInt(n) % 37n);
}

/** A price of the pair, cut to its grid's decimals (24-hour statistics start off the grid). */
export function priceText(units: bigint, pair: PairInfo): string {
  const step = 10n ** BigInt(8 - pair.priceDecimals);
  return formatTrimmed(units - (units % step));
}

const level = (l: Level): PriceLevel => [formatTrimmed(l.price), formatTrimmed(l.size)];

/** A snapshot item: the whole book, asks ascending then bids descending. */
export function snapshotItem(symbol: string, snapshot: BookSnapshot, ids: SequenceIds): V3BookItem {
  const { timeMs } = snapshot;
  return { symbol, createTime: timeMs, asks: snapshot.asks.map(level), bids: snapshot.bids.map(level), ...ids, ts: timeMs + lag(ids.id) };
}

/** An update item: each level's new absolute size, in the order the changes happened per side. */
export function updateItem(symbol: string, timeMs: number, changes: readonly LevelChange[], ids: SequenceIds): V3BookItem {
  const side = (s: LevelChange['side']): PriceLevel[] => changes.filter((c) => c.side === s).map(level);
  return { symbol, createTime: timeMs, asks: side('ask'), bids: side('bid'), ...ids, ts: timeMs + lag(ids.id) };
}

/** A trade item; amount is price x quantity exactly. */
export function tradeItem(symbol: string, trade: Trade): V3TradeItem {
  return {
    symbol,
    amount: formatTrimmed(trade.price * trade.size, 16),
    quantity: formatTrimmed(trade.size),
    takerSide: trade.taker,
    createTime: trade.timeMs,
    price: formatTrimmed(trade.price),
    id: trade.tradeId.toString(),
    ts: trade.timeMs + lag(trade.tradeId),
  };
}

/** A ticker item for the 24 hours up to `timeMs`; dailyChange is a fraction with 4 decimals. */
export function tickerItem(pair: PairInfo, symbol: string, v: TickerValues, timeMs: number): V3TickerItem {
  const closeTime = timeMs - lag(timeMs);
  return {
    symbol,
    startTime: closeTime - DAY_MS - (closeTime % 60_000),
    open: priceText(v.open, pair),
    high: priceText(v.high24h, pair),
    low: priceText(v.low24h, pair),
    close: priceText(v.last, pair),
    quantity: formatTrimmed(v.quoteVolume),
    amount: formatTrimmed(v.baseVolume),
    tradeCount: v.tradeCount,
    dailyChange: formatTrimmed(v.percentChange / 10_000n, 4),
    markPrice: priceText(v.last, pair),
    closeTime,
    ts: timeMs + lag(v.tradeCount),
  };
}

/** `{"channel":"book_lv2","action":...,"data":[...]}` */
export function bookMessage(action: 'snapshot' | 'update', items: readonly V3BookItem[]): string {
  return JSON.stringify({ channel: 'book_lv2', action, data: items });
}

/** `{"channel":"trades"|"ticker","data":[...]}` */
export function dataMessage(channel: 'trades' | 'ticker', items: readonly (V3TradeItem | V3TickerItem)[]): string {
  return JSON.stringify({ channel, data: items });
}

/** Messages a client must survive: one that is not JSON, two that are JSON of the wrong shape. */
export function malformedMessages(symbol: string): string[] {
  return [
    `{"channel":"book_lv2","action":"update","data":[{"symbol":"${symbol}","createTime":16`,
    JSON.stringify({ channel: 'book_lv2', action: 'update', data: [{ symbol }] }),
    JSON.stringify({ channel: 'trades', data: 'x' }),
  ];
}

/** A book update and a ticker for `symbol`, which /markets does not list. */
export function unknownSymbolMessages(pair: PairInfo, symbol: string, values: TickerValues, timeMs: number): string[] {
  const ids = { lastId: 123_456_789, id: 123_456_790 };
  const update = updateItem(symbol, timeMs, [{ kind: 'level', side: 'bid', price: values.last, size: 100_000_000n }], ids);
  return [bookMessage('update', [update]), dataMessage('ticker', [tickerItem(pair, symbol, values, timeMs)])];
}
