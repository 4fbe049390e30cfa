import * as z from 'zod';
import { DECIMAL_PATTERN, ID_TEXT, SYMBOL_TEXT, isDecimalText, levelListIssue } from '../protocol/guards.js';
import type { BookItem, FeedEvent, Level, TradeItem } from '../protocol/types.js';
import { zodIssue } from '../printable.js';
import { pairToken, SUBJECT_ROOT, type BusKind } from './wire.js';
import { codedLevel } from '../protocol/decimal-code.js';

/**
 * The consumer's side of wire.ts: a JetStream message back into the events polo-ws prints. The
 * stream is input like the exchange: every value that reaches a line is a plain token again, and
 * the subject must name the pair the message does; anything else is a bad message, skipped.
 */

const decimal = z.string().regex(DECIMAL_PATTERN, 'not a plain decimal');
/** A ticker column as printed: signed decimals, legacy's Python spellings (5.0, 1e+16, None, True), empty. */
const tickerText = z.string().regex(/^[A-Za-z0-9.+-]{0,64}$/, 'not a plain ticker value');
const digits = z.string().regex(/^\d{1,20}$/, 'not a time in digits');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** Receive time in epoch ms: a whole number a Date can hold (1e300 would print as NaN or throw). */
const at = z.number().int().nonnegative().max(8.64e15);
const pair = z.string().regex(SYMBOL_TEXT, 'not a pair name');
const id = z.string().regex(ID_TEXT, 'not an id');
const side = z.enum(['buy', 'sell']);

/** Items are checked by hand (bookItems): zod would try every shape on every element of a junk array and keep every failure. */
const bookMessage = z.object({ pair, seq: count, prevSeq: count.optional(), at, checkpoint: z.boolean().optional(), items: z.array(z.unknown()) });
const tradeMessage = z.object({
  pair,
  at,
  seq: count.optional(),
  id,
  side,
  price: decimal,
  size: decimal,
  time: digits,
});
const tickerMessage = z.object({
  pair,
  at,
  time: digits.optional(),
  last: tickerText,
  lowestAsk: tickerText,
  highestBid: tickerText,
  percentChange: tickerText,
  baseVolume: tickerText,
  quoteVolume: tickerText,
  isFrozen: tickerText,
  high24hr: tickerText,
  low24hr: tickerText,
});

/** `copy`: a trade also inside the book message `seq` (legacy), for consumers without the book. */
export type BusDecoded =
  | { readonly ok: true; readonly event: FeedEvent; readonly at: number; readonly copy: boolean }
  | { readonly ok: false; readonly detail: string };

/** The kind and pair token a subject names, or undefined when it is not `poloniex.<kind>.<PAIR>`. */
export function parseSubject(subject: string): { kind: BusKind; token: string } | undefined {
  const [root, kind, token, extra] = subject.split('.');
  if (root !== SUBJECT_ROOT || extra !== undefined || token === undefined || token === '') return undefined;
  if (kind !== 'book' && kind !== 'trade' && kind !== 'ticker') return undefined;
  return { kind, token };
}

const TIME = /^\d{1,20}$/;

/** A book message's items, or what is wrong with the first bad one: a million bad items cost no more than one. */
function bookItems(list: readonly unknown[]): BookItem[] | string {
  const items: BookItem[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (!Array.isArray(entry)) return `items.${i}: not a list`;
    const [kind, a, b, c, d, e] = entry as unknown[];
    if (kind === 'snapshot' && entry.length === 3) {
      const issue = levelListIssue(a) ?? levelListIssue(b);
      if (issue !== undefined || !Array.isArray(a) || !Array.isArray(b)) return `items.${i}: ${issue ?? 'expected [snapshot, asks, bids]'}`;
      items.push({ kind: 'snapshot', asks: toLevels(a as unknown[][]), bids: toLevels(b as unknown[][]) });
    } else if ((kind === 'bid' || kind === 'ask') && entry.length === 3) {
      if (!isDecimalText(a) || !isDecimalText(b)) return `items.${i}: not a plain decimal`;
      items.push(codedLevel(kind, a, b));
    } else if (kind === 'trade' && entry.length === 6) {
      if (typeof a !== 'string' || !ID_TEXT.test(a) || (b !== 'buy' && b !== 'sell') || !isDecimalText(c) || !isDecimalText(d) || typeof e !== 'string' || !TIME.test(e)) {
        return `items.${i}: not a trade [trade, id, buy|sell, price, size, time]`;
      }
      items.push({ kind: 'trade', tradeId: a, side: b === 'buy' ? 'bid' : 'ask', price: c, size: d, timestamp: e });
    } else {
      return `items.${i}: not a snapshot, level or trade item`;
    }
  }
  return items;
}

/** Levels checked by levelListIssue: [price, size] with both plain decimals (extra members ignored, as the exchange's). */
const toLevels = (list: readonly unknown[][]): Level[] => list.map((level) => ({ price: level[0] as string, size: level[1] as string }));

/** Decodes one message of `subject` with `text` as its data. Never throws. */
export function decodeBusMessage(subject: string, text: string): BusDecoded {
  return decodeBusData(parseSubject(subject), text);
}

/** decodeBusMessage for a subject already parsed (undefined: not one of polo-ws's). */
export function decodeBusData(where: { kind: BusKind; token: string } | undefined, text: string): BusDecoded {
  if (where === undefined) return { ok: false, detail: 'not a poloniex.<book|trade|ticker>.<PAIR> subject' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  const schema = where.kind === 'book' ? bookMessage : where.kind === 'trade' ? tradeMessage : tickerMessage;
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, detail: zodIssue(parsed.error) };
  const data = parsed.data;
  if (pairToken(data.pair) !== where.token) return { ok: false, detail: `pair ${data.pair} on the subject of ${where.token}` };
  if ('items' in data) {
    const items = bookItems(data.items);
    if (typeof items === 'string') return { ok: false, detail: items };
    const event: FeedEvent = { kind: 'book', pair: data.pair, seq: data.seq, prevSeq: data.prevSeq, items, checkpoint: data.checkpoint === true };
    return { ok: true, event, at: data.at, copy: false };
  }
  if ('side' in data) {
    const trade: TradeItem = { kind: 'trade', tradeId: data.id, side: data.side === 'buy' ? 'bid' : 'ask', price: data.price, size: data.size, timestamp: data.time };
    return { ok: true, event: { kind: 'trade', pair: data.pair, trade }, at: data.at, copy: data.seq !== undefined };
  }
  const { pair: name, at: time, time: tickerTime, ...fields } = data;
  return { ok: true, event: { kind: 'ticker', pair: name, fields, time: tickerTime }, at: time, copy: false };
}
