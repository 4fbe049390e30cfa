import { FrameDecoder, badFrame, events } from './decoding.js';
import { HEARTBEAT_CHANNEL, STATS_CHANNEL, TICKER_CHANNEL, fastItem, fastTickerColumns } from './legacy-frames.js';
import { frameSchemas } from './frame-schemas.js';
import { scanLegacy } from './legacy-scan.js';
import { pythonText, rawNumbersOf } from './python-text.js';
import { isCount, isSymbolText } from './guards.js';
import type { BookItem, DecodeResult, FeedEvent, Level, MarketMap, TickerFields } from './types.js';
import { errorText, zodIssue } from '../printable.js';
import { codedLevel, readDecimal } from './decimal-code.js';

/** Decoder of the legacy push API: frames in, normalized events out, never a throw. */
export class LegacyDecoder extends FrameDecoder {
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

  scan(text: string, bytes?: Uint8Array): DecodeResult | undefined {
    return scanLegacy(text, this.byNumber, bytes);
  }

  protected decodeJson(data: unknown, text: string): DecodeResult {
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
    let values = fastTickerColumns(data[2]);
    if (values === undefined) {
      const parsed = frameSchemas().legacy.tickerFrame.safeParse(data);
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
      const frame = frameSchemas().legacy.bookFrame.safeParse(data);
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

/** Decodes one book item (by hand when it plainly can be, else by its schema), or says what is wrong with it. */
function decodeItem(raw: unknown): BookItem | string {
  if (Array.isArray(raw)) {
    const fast = fastItem(raw as unknown[]);
    if (fast !== undefined) return fast;
  }
  const tag: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : undefined;
  if (tag !== 'i' && tag !== 'o' && tag !== 't') return 'not an "i", "o" or "t" item';
  const parsed = frameSchemas().legacy.items[tag].safeParse(raw);
  if (!parsed.success) return zodIssue(parsed.error);
  const v = parsed.data;
  if (v[0] === 'o') return codedLevel(v[1] === 1 ? 'bid' : 'ask', v[2], v[3]);
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

/** Where sideLevels reads each level's codes. */
const READ = { price: { code: -1, canonical: -1 }, size: { code: -1, canonical: -1 } };

/** A snapshot side `{price: size, ...}` as levels, or what is wrong with it. */
function sideLevels(side: unknown): Level[] | string {
  if (side === null || typeof side !== 'object' || Array.isArray(side)) return 'expected an object of price: size';
  const out: Level[] = [];
  const read = READ;
  for (const price of Object.keys(side)) {
    const size: unknown = (side as Record<string, unknown>)[price];
    if (!readDecimal(price, read.price)) return `price ${JSON.stringify(price).slice(0, 40)} is not a plain decimal string`;
    if (!readDecimal(size, read.size)) return `size of ${price} is not a plain decimal string`;
    out.push({ price, size, priceKey: read.price.canonical, priceCode: read.price.code, sizeCode: read.size.code });
  }
  return out;
}
