import { z } from 'zod';
import type { RestOptions } from '../markets/http.js';
import { fetchLegacyMarkets } from '../markets/legacy.js';
import { badFrame } from './results.js';
import { pythonText, rawNumbersOf } from './python-text.js';
import { DECIMAL_PATTERN, INTEGER_TEXT, SIGNED_DECIMAL_TEXT, isCount, isDecimalText, isIntegerText, isSignedDecimalText, isSymbolText } from './guards.js';
import type { BookItem, Channel, DecodeResult, FeedEvent, Level, MarketMap, ProtocolAdapter, TickerFields } from './types.js';
import { errorText, zodIssue } from '../printable.js';

/** Channel numbers of the legacy push API. */
export const TICKER_CHANNEL = 1002;
export const STATS_CHANNEL = 1003;
export const HEARTBEAT_CHANNEL = 1010;

const decimal = z.string().regex(DECIMAL_PATTERN, 'not a plain decimal string');
const side = z.union([z.literal(0), z.literal(1)]);
const integerText = z.union([z.number().int().nonnegative(), z.string().regex(INTEGER_TEXT)]);
// Items may carry trailing fields (the epoch-ms string added in 2021, and whatever comes next).
const trailing = z.unknown();

const snapshotItem = z.tuple(
  [
    z.literal('i'),
    // The sides are checked by sideLevels: zod's record silently drops a "__proto__" key.
    z.object({ currencyPair: z.string().optional(), orderBook: z.tuple([z.unknown(), z.unknown()]) }),
  ],
  trailing,
);
const levelItem = z.tuple([z.literal('o'), side, decimal, decimal], trailing);
const tradeItem = z.tuple([z.literal('t'), integerText, side, decimal, decimal, integerText], trailing);
const itemSchemas = { i: snapshotItem, o: levelItem, t: tradeItem } as const;

const bookFrame = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.array(z.unknown())]);

// Ticker columns are printed: text must be a plain (signed) decimal, numbers finite.
const tickerValue = z.union([z.string().regex(SIGNED_DECIMAL_TEXT, 'not a plain decimal'), z.number().finite(), z.boolean(), z.null()]);
const tickerFrame = z.tuple([
  z.literal(TICKER_CHANNEL),
  z.unknown(),
  z.tuple([integerText, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue], tickerValue),
]);

/** Decoder of the legacy push API: frames in, normalized events out, never a throw. */
export class LegacyDecoder {
  private byId: ReadonlyMap<string, string> = new Map();
  /** byId keyed by number, as frames carry the id: no number-to-text conversion per frame. */
  private byNumber = new Map<number, string>();

  setMarkets(markets: MarketMap): void {
    // Only plain names are ever printed, whatever a market list (or a recording of one) says.
    const byId = new Map<string, string>();
    for (const [id, pair] of markets.byId) if (isSymbolText(pair)) byId.set(id, pair);
    this.byId = byId;
    this.byNumber = new Map();
    for (const [id, pair] of byId) if (String(Number(id)) === id) this.byNumber.set(Number(id), pair);
  }

  /** The pair of a channel id sent as a number or as digits. */
  private pairOf(id: number | string): string | undefined {
    return typeof id === 'number' ? this.byNumber.get(id) : this.byId.get(id);
  }

  decode(text: string): DecodeResult {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return badFrame('not JSON');
    }
    if (Array.isArray(data)) return this.decodeArray(data, text);
    if (data !== null && typeof data === 'object' && 'error' in data) {
      const error = (data as { error: unknown }).error;
      return events({ kind: 'server-error', message: errorText(error) });
    }
    return badFrame('not an array or an error object');
  }

  private decodeArray(data: unknown[], text: string): DecodeResult {
    const channel = data[0];
    if (channel === HEARTBEAT_CHANNEL) return events({ kind: 'heartbeat' });
    if (data.length === 2 && (data[1] === 0 || data[1] === 1) && (typeof channel === 'number' || typeof channel === 'string')) {
      // A pair's channel carries its book and trades; 1002 is every pair's ticker.
      const pair = this.pairOf(channel);
      const ack: FeedEvent =
        pair !== undefined
          ? { kind: 'ack', channel: 'book', pairs: [pair], subscribed: data[1] === 1 }
          : { kind: 'ack', channel: channel === TICKER_CHANNEL ? 'ticker' : undefined, pairs: [], subscribed: data[1] === 1 };
      return events(ack);
    }
    if (data.length < 3) return badFrame('short frame');
    if (channel === TICKER_CHANNEL) return this.decodeTicker(data, text);
    if (channel === STATS_CHANNEL) return events({ kind: 'ignored' });
    return this.decodeBook(data);
  }

  private decodeTicker(data: unknown[], text: string): DecodeResult {
    let values = fastTickerValues(data[2]);
    if (values === undefined) {
      const parsed = tickerFrame.safeParse(data);
      if (!parsed.success) return badFrame(`ticker: ${zodIssue(parsed.error)}`);
      values = parsed.data[2];
    }
    const id = values[0];
    const pair = this.pairOf(id);
    if (pair === undefined) return { ok: false, reason: 'unknown-pair', pairId: String(id) };
    // Numbers are shown from their JSON text (5.0 stays 5.0); the frame's strings as sent.
    const raw = values.some((v) => typeof v === 'number') ? rawNumbersOf(text, 2) : undefined;
    const show = (column: number): string => pythonText(values[column] as string | number | boolean | null, raw?.[column]);
    const fields: TickerFields = {
      last: show(1),
      lowestAsk: show(2),
      highestBid: show(3),
      percentChange: show(4),
      baseVolume: show(5),
      quoteVolume: show(6),
      isFrozen: show(7),
      high24hr: show(8),
      low24hr: show(9),
    };
    return events({ kind: 'ticker', pair, fields });
  }

  private decodeBook(data: unknown[]): DecodeResult {
    let id: number;
    let seq: number;
    let rawItems: unknown[];
    if (isCount(data[0]) && isCount(data[1]) && Array.isArray(data[2])) {
      // The common frame, checked by hand: the same rules as bookFrame, at a fraction of the cost.
      [id, seq, rawItems] = data as [number, number, unknown[]];
    } else {
      const frame = bookFrame.safeParse(data);
      if (!frame.success) return badFrame(`book frame: ${zodIssue(frame.error)}`);
      [id, seq, rawItems] = frame.data;
    }
    // Sized up front: a push onto [] allocates room for 16 items, for the one or two a frame has.
    const items = new Array<BookItem>(rawItems.length);
    for (let i = 0; i < rawItems.length; i++) {
      const item = decodeItem(rawItems[i]);
      if (typeof item === 'string') return badFrame(`book item ${i}: ${item}`);
      items[i] = item;
    }
    const pair = this.byNumber.get(id);
    if (pair === undefined) return { ok: false, reason: 'unknown-pair', pairId: String(id) };
    return events({ kind: 'book', pair, seq, prevSeq: undefined, items });
  }
}

/**
 * The hot path: level and trade items that plainly meet levelItem / tradeItem, decoded without zod.
 * Anything else returns undefined and goes to the schemas, which also word the errors.
 */
function fastItem(raw: unknown[]): BookItem | undefined {
  const side = raw[raw[0] === 'o' ? 1 : 2];
  if (side !== 0 && side !== 1) return undefined;
  if (raw[0] === 'o' && raw.length >= 4 && isDecimalText(raw[2]) && isDecimalText(raw[3])) {
    return { kind: 'level', side: side === 1 ? 'bid' : 'ask', price: raw[2], size: raw[3] };
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

type TickerValues = z.infer<typeof tickerFrame>[2];

/** tickerFrame's values checked by hand: an id and at least nine scalar columns. */
function fastTickerValues(raw: unknown): TickerValues | undefined {
  if (!Array.isArray(raw) || raw.length < 10) return undefined;
  const id: unknown = raw[0];
  if (!isIntegerText(id)) return undefined;
  for (let i = 1; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (typeof v === 'string' ? !isSignedDecimalText(v) : typeof v === 'number' ? !Number.isFinite(v) : v !== null && typeof v !== 'boolean') return undefined;
  }
  return raw as TickerValues;
}

/** Decodes one book item, or says what is wrong with it. */
function decodeItem(raw: unknown): BookItem | string {
  if (Array.isArray(raw)) {
    const fast = fastItem(raw as unknown[]);
    if (fast !== undefined) return fast;
  }
  const tag: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : undefined;
  if (tag !== 'i' && tag !== 'o' && tag !== 't') return 'not an "i", "o" or "t" item';
  const parsed = itemSchemas[tag].safeParse(raw);
  if (!parsed.success) return zodIssue(parsed.error);
  const v = parsed.data;
  if (v[0] === 'o') return { kind: 'level', side: v[1] === 1 ? 'bid' : 'ask', price: v[2], size: v[3] };
  if (v[0] === 't') {
    return { kind: 'trade', tradeId: String(v[1]), side: v[2] === 1 ? 'bid' : 'ask', price: v[3], size: v[4], timestamp: String(v[5]) };
  }
  const [asks, bids] = v[1].orderBook;
  const askLevels = sideLevels(asks);
  const bidLevels = sideLevels(bids);
  if (typeof askLevels === 'string') return `orderBook.0: ${askLevels}`;
  if (typeof bidLevels === 'string') return `orderBook.1: ${bidLevels}`;
  return { kind: 'snapshot', asks: askLevels, bids: bidLevels };
}

/** A snapshot side `{price: size, ...}` as levels, or what is wrong with it. */
function sideLevels(side: unknown): Level[] | string {
  if (side === null || typeof side !== 'object' || Array.isArray(side)) return 'expected an object of price: size';
  const out: Level[] = [];
  for (const price of Object.keys(side)) {
    const size: unknown = (side as Record<string, unknown>)[price];
    if (!isDecimalText(price)) return `price ${JSON.stringify(price).slice(0, 40)} is not a plain decimal string`;
    if (!isDecimalText(size)) return `size of ${price} is not a plain decimal string`;
    out.push({ price, size });
  }
  return out;
}

function events(...list: FeedEvent[]): DecodeResult {
  return { ok: true, events: list };
}

/** The legacy push API (wss://api2.poloniex.com) with the returnTicker REST map. */
export class LegacyProtocol extends LegacyDecoder implements ProtocolAdapter {
  readonly api = 'legacy' as const;
  readonly keepalive = undefined;

  constructor(private readonly restBase: string) {
    super();
  }

  loadMarkets(rest: RestOptions): Promise<MarketMap> {
    return fetchLegacyMarkets(this.restBase, rest);
  }

  subscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>, first: boolean): string[] {
    const out = first && channels.has('ticker') ? [command('subscribe', TICKER_CHANNEL)] : [];
    // A pair's channel carries both its book and its trades.
    if (channels.has('book') || channels.has('trades')) for (const pair of pairs) out.push(command('subscribe', pair));
    return out;
  }

  unsubscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
    return channels.has('book') || channels.has('trades') ? pairs.map((pair) => command('unsubscribe', pair)) : [];
  }

  resubscribeMessages(pairs: readonly string[], channel: Channel): string[] {
    if (channel === 'ticker') return [command('unsubscribe', TICKER_CHANNEL), command('subscribe', TICKER_CHANNEL)];
    return pairs.flatMap((pair) => [command('unsubscribe', pair), command('subscribe', pair)]);
  }

  /** Only books are tracked: their snapshot confirms the pair channel; the ticker channel is one for all pairs. */
  confirmable(channels: ReadonlySet<Channel>): readonly Channel[] {
    return channels.has('book') || channels.has('trades') ? ['book'] : [];
  }
}

function command(verb: 'subscribe' | 'unsubscribe', channel: string | number): string {
  return JSON.stringify({ command: verb, channel });
}

/** For tests: the hot-path checks and the schemas they must agree with. */
export const forTesting = { fastItem, levelItem, tradeItem, fastTickerValues, tickerFrame };
