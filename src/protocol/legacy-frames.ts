import { isDecimalText, isIntegerText, isSignedDecimalText } from './guards.js';
import type { BookItem } from './types.js';
import { codedLevel } from './decimal-code.js';

/**
 * The legacy push API's frames: channel numbers and the hand-written checks of the hot path, which
 * accept no more than the zod schemas that define each frame and book item (legacy-schemas.ts,
 * loaded when a frame needs them). A value the checks do not plainly accept goes to the schemas,
 * which also word the errors.
 */

/** Channel numbers of the legacy push API. */
export const TICKER_CHANNEL = 1002;
export const STATS_CHANNEL = 1003;
export const HEARTBEAT_CHANNEL = 1010;

/** A ticker frame's columns: [pair id, last, lowestAsk, ..., low24hr, whatever follows] (tickerFrame's third element). */
export type TickerColumns = readonly [number | string, ...(string | number | boolean | null)[]];

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
  return raw as unknown as TickerColumns;
}
