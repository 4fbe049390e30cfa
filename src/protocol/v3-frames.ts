import * as z from 'zod';
import { ID_TEXT, SIGNED_DECIMAL_TEXT, isCount, isDecimalText, isIdToken, isLevelList, isNumberToken, isRecord, levelListIssue } from './guards.js';
import { count, decimal } from './schemas.js';
import type { Channel } from './types.js';

/**
 * The current API's messages: channel names, the zod schemas that define each message and data
 * item, and the hand-written checks of the hot path, which accept no more than the schemas. A value
 * the checks do not plainly accept goes to the schemas, which also word the errors.
 */

/** polo-ws channels and their v3 names, in subscription order. */
export const V3_CHANNEL_NAMES: readonly (readonly [Channel, string])[] = [
  ['ticker', 'ticker'],
  ['trades', 'trades'],
  ['book', 'book_lv2'],
];

// Printed columns are plain tokens (guards.ts): a number must read as a plain decimal, like the text.
const numberToken = z
  .union([z.string(), z.number().finite()])
  .transform(String)
  .refine((t) => SIGNED_DECIMAL_TEXT.test(t), 'not a plain decimal');
const idToken = z.union([z.string().regex(ID_TEXT, 'not an id of letters, digits, _ or -'), count]).transform(String);
/** Digits of a time sent as text, at most (timeToken, isTimeToken, the v3 scanner). */
export const TIME_TOKEN_DIGITS = 20;
const timeToken = z.union([z.string().regex(new RegExp(`^\\d{1,${TIME_TOKEN_DIGITS}}$`), 'not a time in digits'), count]).transform(String);
// Checked by hand, stopping at the first bad level: zod would report every one of a million.
const levels = z.unknown().superRefine((value, ctx) => {
  const issue = levelListIssue(value);
  if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
}) as unknown as z.ZodType<readonly (readonly [string, string, ...unknown[]])[] | undefined>;
const sequenceId = count;

const bookItem = z.object({
  symbol: z.string().min(1),
  asks: levels,
  bids: levels,
  lastId: sequenceId.optional(),
  id: sequenceId,
});
const tradeItem = z.object({
  symbol: z.string().min(1),
  id: idToken,
  price: decimal,
  quantity: decimal,
  takerSide: z.enum(['buy', 'sell']),
  createTime: timeToken,
});
const tickerItem = z.object({
  symbol: z.string().min(1),
  close: numberToken,
  high: numberToken,
  low: numberToken,
  amount: numberToken,
  quantity: numberToken,
  dailyChange: numberToken,
});
const envelope = z.object({
  channel: z.string(),
  action: z.string().optional(),
  data: z.array(z.unknown()),
});

/** The v3 schemas: the definition of each message and data item. */
export const v3Schemas = { envelope, bookItem, tradeItem, tickerItem } as const;

export type BookData = z.infer<typeof bookItem>;
export type TradeData = z.infer<typeof tradeItem>;
export type TickerData = z.infer<typeof tickerItem>;
export type Envelope = z.infer<typeof envelope>;

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
