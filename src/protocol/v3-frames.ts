import { TIME_TOKEN_DIGITS, isCount, isDecimalText, isIdToken, isLevelList, isNumberToken, isRecord } from './guards.js';
import type { Channel } from './types.js';
import type { BookData, Envelope, TickerData, TradeData } from './v3-schemas.js';

export type { BookData, Envelope, TickerData, TradeData };

/**
 * The current API's messages: channel names and the hand-written checks of the hot path, which
 * accept no more than the zod schemas that define each message and data item (v3-schemas.ts,
 * loaded when a message needs them). A value the checks do not plainly accept goes to the schemas,
 * which also word the errors.
 */

/** polo-ws channels and their v3 names, in subscription order. */
export const V3_CHANNEL_NAMES: readonly (readonly [Channel, string])[] = [
  ['ticker', 'ticker'],
  ['trades', 'trades'],
  ['book', 'book_lv2'],
];

/** envelope's rules by hand: a channel name, an optional action, a data list. */
export function fastEnvelope(message: Record<string, unknown>): Envelope | undefined {
  const { channel, action, data } = message;
  if (typeof channel !== 'string' || !Array.isArray(data) || (action !== undefined && typeof action !== 'string')) return undefined;
  return { channel, action, data };
}

/** bookItem's rules by hand (see guards.ts); undefined sends the item to the schema. */
export function fastBookItem(item: unknown): BookData | undefined {
  if (!isRecord(item) || typeof item.symbol !== 'string' || item.symbol === '' || !isCount(item.id)) return undefined;
  if ((item.lastId !== undefined && !isCount(item.lastId)) || !isLevelList(item.asks) || !isLevelList(item.bids)) return undefined;
  return item as BookData;
}

/** tradeItem's rules by hand. */
export function fastTradeItem(item: unknown): TradeData | undefined {
  if (!isRecord(item) || typeof item.symbol !== 'string' || item.symbol === '') return undefined;
  const { id, price, quantity, takerSide, createTime } = item;
  if (!isIdToken(id) || !isDecimalText(price) || !isDecimalText(quantity) || !isTimeToken(createTime)) return undefined;
  if (takerSide !== 'buy' && takerSide !== 'sell') return undefined;
  return { symbol: item.symbol, id: String(id), price, quantity, takerSide, createTime: String(createTime) };
}

/** tickerItem's rules by hand. */
export function fastTickerItem(item: unknown): TickerData | undefined {
  if (!isRecord(item) || typeof item.symbol !== 'string' || item.symbol === '') return undefined;
  const { close, high, low, amount, quantity, dailyChange } = item;
  if (!isNumberToken(close) || !isNumberToken(high) || !isNumberToken(low) || !isNumberToken(amount) || !isNumberToken(quantity) || !isNumberToken(dailyChange)) {
    return undefined;
  }
  return {
    symbol: item.symbol,
    close: String(close),
    high: String(high),
    low: String(low),
    amount: String(amount),
    quantity: String(quantity),
    dailyChange: String(dailyChange),
  };
}

/** A time (timeToken's rules by hand): a safe integer, or up to 20 digits. */
export function isTimeToken(value: unknown): value is string | number {
  if (isCount(value)) return true;
  if (typeof value !== 'string' || value.length === 0 || value.length > TIME_TOKEN_DIGITS) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
