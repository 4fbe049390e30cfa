import { z } from 'zod';
import type { RestOptions } from '../markets/http.js';
import { badFrame } from './results.js';
import { DECIMAL_PATTERN, ID_TEXT, SIGNED_DECIMAL_TEXT, isCount, isDecimalText, isIdToken, isLevelList, isNumberToken, isRecord, isSymbolText, levelListIssue } from './guards.js';
import { fetchV3Markets } from '../markets/v3.js';
import type { BookItem, Channel, DecodeResult, FeedEvent, Level, MarketMap, ProtocolAdapter, TradeItem } from './types.js';
import { errorText, zodIssue } from '../printable.js';

/** Symbols per subscribe message: the documented API sets no cap, so stay modest. */
export const SUBSCRIBE_BATCH = 50;
/** The server drops a connection silent for 30 s; ping well inside that. */
export const PING_INTERVAL_MS = 15_000;

/** polo-ws channels and their v3 names, in subscription order. */
const V3_CHANNELS: readonly (readonly [Channel, string])[] = [
  ['ticker', 'ticker'],
  ['trades', 'trades'],
  ['book', 'book_lv2'],
];

const decimal = z.string().regex(DECIMAL_PATTERN, 'not a plain decimal string');
// Printed columns are plain tokens (guards.ts): a number must read as a plain decimal, like the text.
const numberToken = z
  .union([z.string(), z.number().finite()])
  .transform(String)
  .refine((t) => SIGNED_DECIMAL_TEXT.test(t), 'not a plain decimal');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const idToken = z.union([z.string().regex(ID_TEXT, 'not an id of letters, digits, _ or -'), count]).transform(String);
const timeToken = z.union([z.string().regex(/^\d{1,20}$/, 'not a time in digits'), count]).transform(String);
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

/** Decoder of the current Poloniex websocket API: messages in, normalized events out, never a throw. */
export class V3Decoder {
  private symbols: ReadonlySet<string> = new Set();
  private frozen: ReadonlySet<string> = new Set();

  setMarkets(markets: MarketMap): void {
    // Only plain names are ever printed, whatever a market list (or a recording of one) says.
    this.symbols = new Set(markets.pairs.filter(isSymbolText));
    this.frozen = markets.frozen;
  }

  decode(raw: string): DecodeResult {
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      return badFrame('not JSON');
    }
    if (!isRecord(data)) return badFrame('not a JSON object');
    if ('event' in data) return decodeEvent(data);
    let message = fastEnvelope(data);
    if (message === undefined) {
      const parsed = envelope.safeParse(data);
      if (!parsed.success) return badFrame(zodIssue(parsed.error));
      message = parsed.data;
    }
    const { channel, action, data: items } = message;
    if (channel === 'book_lv2' && action !== 'snapshot' && action !== 'update') {
      return badFrame(`book_lv2 action ${JSON.stringify(action)} is not snapshot or update`);
    }
    // Sized up front (a push onto [] allocates room for 16) and trimmed to what was kept.
    const events = new Array<FeedEvent>(items.length);
    let kept = 0;
    for (let i = 0; i < items.length; i++) {
      const event = this.decodeItem(channel, action, items[i]);
      if (typeof event === 'string') return badFrame(`data.${i}: ${event}`);
      if (event === undefined) continue;
      if (!this.symbols.has(event.pair)) {
        // A name no market could have is a bad frame, not a reason to fetch the market list.
        return isSymbolText(event.pair) ? { ok: false, reason: 'unknown-pair', pairId: event.pair } : badFrame(`data.${i}: symbol is not a plain name`);
      }
      events[kept++] = event;
    }
    events.length = kept;
    return { ok: true, events };
  }

  /** One data item as an event; undefined for channels polo-ws does not print; a string says what is wrong. */
  private decodeItem(channel: string, action: string | undefined, item: unknown): (FeedEvent & { pair: string }) | string | undefined {
    if (channel === 'book_lv2') {
      let book = fastBookItem(item);
      if (book === undefined) {
        const parsed = bookItem.safeParse(item);
        if (!parsed.success) return zodIssue(parsed.error);
        book = parsed.data;
      }
      if (action === 'update' && book.lastId === undefined) return 'update without lastId';
      const items = action === 'snapshot' ? [snapshotOf(book)] : levelsInOrder(item as object, book);
      return { kind: 'book', pair: book.symbol, seq: book.id, prevSeq: action === 'snapshot' ? undefined : book.lastId, items };
    }
    if (channel === 'trades') {
      let t = fastTradeItem(item);
      if (t === undefined) {
        const parsed = tradeItem.safeParse(item);
        if (!parsed.success) return zodIssue(parsed.error);
        t = parsed.data;
      }
      const trade: TradeItem = { kind: 'trade', tradeId: t.id, side: t.takerSide === 'buy' ? 'bid' : 'ask', price: t.price, size: t.quantity, timestamp: t.createTime };
      return { kind: 'trade', pair: t.symbol, trade };
    }
    if (channel === 'ticker') {
      let t = fastTickerItem(item);
      if (t === undefined) {
        const parsed = tickerItem.safeParse(item);
        if (!parsed.success) return zodIssue(parsed.error);
        t = parsed.data;
      }
      const fields = {
        last: t.close,
        lowestAsk: undefined,
        highestBid: undefined,
        percentChange: t.dailyChange,
        baseVolume: t.amount,
        quoteVolume: t.quantity,
        isFrozen: this.frozen.has(t.symbol) ? '1' : '0',
        high24hr: t.high,
        low24hr: t.low,
      };
      // ts is not printed: it names the ticker on NATS (--publish), so only digits are kept.
      const ts = isRecord(item) ? item.ts : undefined;
      return { kind: 'ticker', pair: t.symbol, fields, time: isTimeToken(ts) ? String(ts) : undefined };
    }
    return undefined;
  }
}

type BookData = z.infer<typeof bookItem>;
type TradeData = z.infer<typeof tradeItem>;
type TickerData = z.infer<typeof tickerItem>;

/** envelope's rules by hand: a channel name, an optional action, a data list. */
function fastEnvelope(message: Record<string, unknown>): z.infer<typeof envelope> | undefined {
  const { channel, action, data } = message;
  if (typeof channel !== 'string' || !Array.isArray(data) || (action !== undefined && typeof action !== 'string')) return undefined;
  return { channel, action, data };
}

/** bookItem's rules by hand (see guards.ts); undefined sends the item to the schema. */
function fastBookItem(item: unknown): BookData | undefined {
  if (!isRecord(item) || typeof item.symbol !== 'string' || item.symbol === '' || !isCount(item.id)) return undefined;
  if ((item.lastId !== undefined && !isCount(item.lastId)) || !isLevelList(item.asks) || !isLevelList(item.bids)) return undefined;
  return item as BookData;
}

/** tradeItem's rules by hand. */
function fastTradeItem(item: unknown): TradeData | undefined {
  if (!isRecord(item) || typeof item.symbol !== 'string' || item.symbol === '') return undefined;
  const { id, price, quantity, takerSide, createTime } = item;
  if (!isIdToken(id) || !isDecimalText(price) || !isDecimalText(quantity) || !isTimeToken(createTime)) return undefined;
  if (takerSide !== 'buy' && takerSide !== 'sell') return undefined;
  return { symbol: item.symbol, id: String(id), price, quantity, takerSide, createTime: String(createTime) };
}

/** A time: a safe integer, or up to 20 digits. */
function isTimeToken(value: unknown): value is string | number {
  if (isCount(value)) return true;
  if (typeof value !== 'string' || value.length === 0 || value.length > 20) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** tickerItem's rules by hand. */
function fastTickerItem(item: unknown): TickerData | undefined {
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

function decodeEvent(message: Record<string, unknown>): DecodeResult {
  const event = message.event;
  if (event === 'pong') return { ok: true, events: [{ kind: 'heartbeat' }] };
  if (event === 'error') {
    const text = errorText(message.message ?? message);
    return { ok: true, events: [{ kind: 'server-error', message: text }] };
  }
  if (event === 'subscribe' || event === 'unsubscribe') {
    return { ok: true, events: [{ kind: 'ack', channel: channelOf(message.channel), pairs: symbolsOf(message.symbols), subscribed: event === 'subscribe' }] };
  }
  return { ok: true, events: [{ kind: 'ignored' }] };
}

/** The polo-ws channel an ack names: a v3 channel name, or a list holding one (as the request sent it). */
function channelOf(value: unknown): Channel | undefined {
  const name = Array.isArray(value) && value.length === 1 ? value[0] : value;
  for (const [channel, v3Name] of V3_CHANNELS) if (v3Name === name) return channel;
  return undefined;
}

/** The symbols an ack names (text only; anything else is not a symbol). */
function symbolsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const symbol of value) if (typeof symbol === 'string') out.push(symbol);
  return out;
}

function snapshotOf(book: z.infer<typeof bookItem>): BookItem {
  return { kind: 'snapshot', asks: (book.asks ?? []).map(toLevel), bids: (book.bids ?? []).map(toLevel) };
}

/** An update's level changes in the order the message lists them: its asks and bids keys as they appear. */
function levelsInOrder(raw: object, book: z.infer<typeof bookItem>): BookItem[] {
  const asks = book.asks ?? [];
  const bids = book.bids ?? [];
  let asksFirst = true;
  for (const key in raw) {
    if (key === 'asks') break;
    if (key === 'bids') {
      asksFirst = false;
      break;
    }
  }
  const out = new Array<BookItem>(asks.length + bids.length);
  let n = 0;
  for (const side of asksFirst ? ASK_THEN_BID : BID_THEN_ASK) {
    const list = side === 'ask' ? asks : bids;
    for (let i = 0; i < list.length; i++) {
      const level = list[i] as readonly [string, string, ...unknown[]];
      out[n++] = { kind: 'level', side, price: level[0], size: level[1] };
    }
  }
  return out;
}

const ASK_THEN_BID = ['ask', 'bid'] as const;
const BID_THEN_ASK = ['bid', 'ask'] as const;

function toLevel([price, size]: readonly [string, string, ...unknown[]]): Level {
  return { price, size };
}

/** The current Poloniex API: REST /markets and wss://ws.poloniex.com/ws/public. */
export class V3Protocol extends V3Decoder implements ProtocolAdapter {
  readonly api = 'v3' as const;
  readonly keepalive = { intervalMs: PING_INTERVAL_MS, message: JSON.stringify({ event: 'ping' }) };

  constructor(private readonly restBase: string) {
    super();
  }

  loadMarkets(rest: RestOptions): Promise<MarketMap> {
    return fetchV3Markets(this.restBase, rest);
  }

  subscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
    return batched('subscribe', pairs, channels);
  }

  unsubscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
    return batched('unsubscribe', pairs, channels);
  }

  resubscribeMessages(pairs: readonly string[], channel: Channel): string[] {
    const one = new Set([channel]);
    return [...batched('unsubscribe', pairs, one), ...batched('subscribe', pairs, one)];
  }

  confirmable(channels: ReadonlySet<Channel>): readonly Channel[] {
    return V3_CHANNELS.filter(([channel]) => channels.has(channel)).map(([channel]) => channel);
  }
}

/** One message per channel asked for and batch of SUBSCRIBE_BATCH symbols. */
function batched(event: 'subscribe' | 'unsubscribe', pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
  const names = V3_CHANNELS.filter(([channel]) => channels.has(channel)).map(([, name]) => name);
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += SUBSCRIBE_BATCH) {
    const symbols = pairs.slice(i, i + SUBSCRIBE_BATCH);
    for (const name of names) out.push(command(event, name, symbols));
  }
  return out;
}

function command(event: 'subscribe' | 'unsubscribe', channel: string, symbols: readonly string[]): string {
  return JSON.stringify({ event, channel: [channel], symbols });
}

/** For tests: the hot-path checks and the schemas they must agree with. */
export const forTesting = { fastEnvelope, fastBookItem, fastTradeItem, fastTickerItem, envelope, bookItem, tradeItem, tickerItem };
