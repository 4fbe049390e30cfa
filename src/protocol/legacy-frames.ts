import * as z from 'zod';
import { INTEGER_TEXT, SIGNED_DECIMAL_TEXT, isDecimalText, isIntegerText, isSignedDecimalText } from './guards.js';
import { count, decimal } from './schemas.js';
import type { BookItem } from './types.js';
import { codedLevel } from './decimal-code.js';

/**
 * The legacy push API's frames: channel numbers, the zod schemas that define each frame and book
 * item, and the hand-written checks of the hot path, which accept no more than the schemas. A value
 * the checks do not plainly accept goes to the schemas, which also word the errors.
 */

/** Channel numbers of the legacy push API. */
export const TICKER_CHANNEL = 1002;
export const STATS_CHANNEL = 1003;
export const HEARTBEAT_CHANNEL = 1010;

const side = z.union([z.literal(0), z.literal(1)]);
const integerText = z.union([z.number().int().nonnegative(), z.string().regex(INTEGER_TEXT)]);
// Items may carry trailing fields (the epoch-ms string added in 2021, and whatever comes next).
const trailing = z.unknown();

const snapshotItem = z.tuple(
  [
    z.literal('i'),
    // The sides are checked by sideLevels (legacy-decoder.ts): zod's record silently drops a "__proto__" key.
    z.object({ currencyPair: z.string().optional(), orderBook: z.tuple([z.unknown(), z.unknown()]) }),
  ],
  trailing,
);
const levelItem = z.tuple([z.literal('o'), side, decimal, decimal], trailing);
const tradeItem = z.tuple([z.literal('t'), integerText, side, decimal, decimal, integerText], trailing);
// A pair's book frame: [pair id, seq, items].
const bookFrame = z.tuple([count, count, z.array(z.unknown())]);

// Ticker columns are printed: text must be a plain (signed) decimal, numbers finite.
const tickerValue = z.union([z.string().regex(SIGNED_DECIMAL_TEXT, 'not a plain decimal'), z.number().finite(), z.boolean(), z.null()]);
const tickerFrame = z.tuple([
  z.literal(TICKER_CHANNEL),
  z.unknown(),
  z.tuple([integerText, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue], tickerValue),
]);

/** The legacy schemas: the definition of each frame and book item (`items` by the item's tag). */
export const legacySchemas = { bookFrame, tickerFrame, levelItem, tradeItem, items: { i: snapshotItem, o: levelItem, t: tradeItem } } as const;

/** A ticker frame's columns: [pair id, last, lowestAsk, ..., low24hr, whatever follows]. */
export type TickerColumns = z.infer<typeof tickerFrame>[2];

/** Level and trade items that plainly meet levelItem / tradeItem, decoded without zod; else undefined. */
export function fastItem(raw: unknown[]): BookItem | undefined {
  const side = raw[raw[0] === 'o' ? 1 : 2];
  if (side !== 0 && side !== 1) return undefined;
  if (raw[0] === 'o' && raw.length >= 4 && isDecimalText(raw[2]) && isDecimalText(raw[3])) {
    return codedLevel(side === 1 ? 'bid' : 'ask', raw[2], raw[3]);
  }
  const id = raw[1];
  const time = raw[5];
  if (
    raw[0] === 't' &&
    raw.length >= 6 &&
    isIntegerText(id) &&
    isDecimalText(raw[3]) &&
    isDecimalText(raw[4]) &&
    isIntegerText(time)
  ) {
    return { kind: 'trade', tradeId: String(id), side: side === 1 ? 'bid' : 'ask', price: raw[3], size: raw[4], timestamp: String(time) };
  }
  return undefined;
}

/** tickerFrame's columns checked by hand: an id and at least nine scalar columns. */
export function fastTickerColumns(raw: unknown): TickerColumns | undefined {
  if (!Array.isArray(raw) || raw.length < 10) return undefined;
  const id: unknown = raw[0];
  if (!isIntegerText(id)) return undefined;
  for (let i = 1; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (typeof v === 'string' ? !isSignedDecimalText(v) : typeof v === 'number' ? !Number.isFinite(v) : v !== null && typeof v !== 'boolean') return undefined;
  }
  return raw as TickerColumns;
}
