import { formatTrimmed } from './units.js';
import type { SimLevel, PairInfo, TickerValues, Trade } from './events.js';
import { hash32 } from './rng.js';
import type { WindowLevels } from './v3-window.js';

/**
 * The current Poloniex API ("v3") on the wire: data items and messages of the ticker, trades and
 * book_lv2 channels. Numbers are decimal strings without a fixed scale; quantities sometimes keep
 * trailing zeros, as the real exchange's do.
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

/** Share of quantities written with trailing zeros: the real feed pads some, inconsistently. */
const PADDED_SHARE = 4;

/**
 * A quantity as the real exchange writes it: trimmed ("4.5"), but about one in PADDED_SHARE
 * padded with zeros to between one more decimal and 8 ("4.50", "4.5000"), so a client must not
 * expect one spelling of a size. `key` is a hash naming this quantity in this message: the same
 * message is written the same way on every connection and every run. Zero is always "0".
 */
export function quantityText(units: bigint, key: number): string {
  const text = formatTrimmed(units);
  const decimals = text.split('.')[1]?.length ?? 0;
  if (units === 0n || decimals >= 8 || key % PADDED_SHARE !== 0) return text;
  const padded = decimals + 1 + (Math.floor(key / PADDED_SHARE) % (8 - decimals));
  return `${decimals === 0 ? `${text}.` : text}${'0'.repeat(padded - decimals)}`;
}

/** The levels of one side; `salt` names the message, so each quantity gets its own key. */
function levels(side: readonly SimLevel[], salt: number, sideKey: number): PriceLevel[] {
  return side.map((l, i) => [formatTrimmed(l.price), quantityText(l.size, hash32(salt, i, sideKey))]);
}

/**
 * A book_lv2 item holding `window`'s levels: a snapshot's whole window, or an update's changed
 * levels. `salt` (a hash of seed, pair and id) decides which quantities are padded.
 */
export function bookItem(symbol: string, timeMs: number, window: WindowLevels, ids: SequenceIds, salt: number): V3BookItem {
  const asks = levels(window.asks, salt, 1);
  const bids = levels(window.bids, salt, 2);
  return { symbol, createTime: timeMs, asks, bids, ...ids, ts: timeMs + lag(ids.id) };
}

/** A trade item; amount is price x quantity exactly; `salt` decides whether quantity is padded. */
export function tradeItem(symbol: string, trade: Trade, salt: number): V3TradeItem {
  return {
    symbol,
    amount: formatTrimmed(trade.price * trade.size, 16),
    quantity: quantityText(trade.size, salt),
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

/** `{"channel":"book_lv2","action":...,"data":[item]}`: one symbol per message, as the real exchange sends. */
export function bookMessage(action: 'snapshot' | 'update', item: V3BookItem): string {
  return JSON.stringify({ channel: 'book_lv2', action, data: [item] });
}

/** `{"channel":"trades"|"ticker","data":[item]}`: the real exchange sends one item per message. */
export function dataMessage(channel: 'trades' | 'ticker', item: V3TradeItem | V3TickerItem): string {
  return JSON.stringify({ channel, data: [item] });
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
  const update = bookItem(symbol, timeMs, { asks: [], bids: [{ price: values.last, size: 100_000_000n }] }, ids, 1);
  return [bookMessage('update', update), dataMessage('ticker', tickerItem(pair, symbol, values, timeMs))];
}
