import { z } from 'zod';
import { DECIMAL_PATTERN, ID_TEXT, SYMBOL_TEXT } from '../protocol/guards.js';
import type { BookItem, FeedEvent, Level, TradeItem } from '../protocol/types.js';
import { zodIssue } from '../printable.js';
import { pairToken, SUBJECT_ROOT, type BusKind } from './wire.js';

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
const at = z.number().finite().nonnegative();
const pair = z.string().regex(SYMBOL_TEXT, 'not a pair name');
const level = z.tuple([decimal, decimal]);
const id = z.string().regex(ID_TEXT, 'not an id');
const side = z.enum(['buy', 'sell']);
const item = z.union([
  z.tuple([z.literal('snapshot'), z.array(level), z.array(level)]),
  z.tuple([z.enum(['bid', 'ask']), decimal, decimal]),
  z.tuple([z.literal('trade'), id, side, decimal, decimal, digits]),
]);

const bookMessage = z.object({ pair, seq: count, prevSeq: count.optional(), at, checkpoint: z.boolean().optional(), items: z.array(item) });
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

const toLevels = (list: ReadonlyArray<readonly [string, string]>): Level[] => list.map(([price, size]) => ({ price, size }));

/** Decodes one message of `subject` with `text` as its data. Never throws. */
export function decodeBusMessage(subject: string, text: string): BusDecoded {
  const where = parseSubject(subject);
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
    const items: BookItem[] = data.items.map((entry): BookItem => {
      if (entry[0] === 'snapshot') return { kind: 'snapshot', asks: toLevels(entry[1]), bids: toLevels(entry[2]) };
      if (entry[0] === 'trade') return { kind: 'trade', tradeId: entry[1], side: entry[2] === 'buy' ? 'bid' : 'ask', price: entry[3], size: entry[4], timestamp: entry[5] };
      return { kind: 'level', side: entry[0], price: entry[1], size: entry[2] };
    });
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
