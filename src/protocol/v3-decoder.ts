import { FrameDecoder, badFrame, events } from './decoding.js';
import { isRecord, isSymbolText } from './guards.js';
import { scanV3 } from './v3-scan.js';
import { KnownNames } from './scan-text.js';
import { V3_CHANNEL_NAMES, fastBookItem, fastEnvelope, fastTickerItem, fastTradeItem, isTimeToken, type BookData } from './v3-frames.js';
import { frameSchemas } from './frame-schemas.js';
import type { BookItem, Channel, DecodeResult, FeedEvent, Level, MarketMap, TradeItem } from './types.js';
import { errorText, zodIssue } from '../printable.js';
import { codedLevel, codedSnapshotLevel } from './decimal-code.js';

/** An event of one data item: every one names its pair. */
type ItemEvent = FeedEvent & { readonly pair: string };

/** Decoder of the current Poloniex websocket API: messages in, normalized events out, never a throw. */
export class V3Decoder extends FrameDecoder {
  private symbols: ReadonlySet<string> = new Set();
  /** The same names, for the scanner. */
  private names = new KnownNames([]);
  private frozen: ReadonlySet<string> = new Set();

  setMarkets(markets: MarketMap): void {
    // Only plain names are ever printed, whatever a market list (or a recording of one) says.
    this.symbols = new Set(markets.pairs.filter(isSymbolText));
    this.names = new KnownNames(this.symbols);
    this.frozen = markets.frozen;
  }

  scan(text: string, bytes?: Uint8Array): DecodeResult | undefined {
    return scanV3(text, this.names, this.frozen, bytes);
  }

  protected decodeJson(data: unknown): DecodeResult {
    if (!isRecord(data)) return badFrame('not a JSON object');
    if ('event' in data) return decodeEvent(data);
    let message = fastEnvelope(data);
    if (message === undefined) {
      const parsed = frameSchemas().v3.envelope.safeParse(data);
      if (!parsed.success) return badFrame(zodIssue(parsed.error));
      message = parsed.data;
    }
    const { channel, action, data: items } = message;
    if (channel === 'book_lv2' && action !== 'snapshot' && action !== 'update') {
      return badFrame(`book_lv2 action ${JSON.stringify(action)} is not snapshot or update`);
    }
    // Sized up front (a push onto [] allocates room for 16) and trimmed to what was kept.
    const decoded = new Array<FeedEvent>(items.length);
    let kept = 0;
    for (let i = 0; i < items.length; i++) {
      const event = this.decodeItem(channel, action, items[i]);
      if (typeof event === 'string') return badFrame(`data.${i}: ${event}`);
      if (event === undefined) continue;
      if (!this.symbols.has(event.pair)) {
        // A name no market could have is a bad frame, not a reason to fetch the market list.
        return isSymbolText(event.pair) ? { ok: false, reason: 'unknown-pair', pairId: event.pair } : badFrame(`data.${i}: symbol is not a plain name`);
      }
      decoded[kept++] = event;
    }
    decoded.length = kept;
    return { ok: true, events: decoded };
  }

  /** One data item as an event; undefined for channels polo-ws does not print; a string says what is wrong. */
  private decodeItem(channel: string, action: string | undefined, item: unknown): ItemEvent | string | undefined {
    if (channel === 'book_lv2') return bookEvent(action, item);
    if (channel === 'trades') return tradeEvent(item);
    if (channel === 'ticker') return tickerEvent(item, this.frozen);
    return undefined;
  }
}

/** A book_lv2 item (action snapshot or update) as a book event, or what is wrong with it. */
function bookEvent(action: string | undefined, item: unknown): ItemEvent | string {
  let book = fastBookItem(item);
  if (book === undefined) {
    const parsed = frameSchemas().v3.bookItem.safeParse(item);
    if (!parsed.success) return zodIssue(parsed.error);
    book = parsed.data;
  }
  if (action === 'update' && book.lastId === undefined) return 'update without lastId';
  const items = action === 'snapshot' ? [snapshotOf(book)] : levelsInOrder(item as object, book);
  return { kind: 'book', pair: book.symbol, seq: book.id, prevSeq: action === 'snapshot' ? undefined : book.lastId, items };
}

/** A trades item as a trade event, or what is wrong with it. */
function tradeEvent(item: unknown): ItemEvent | string {
  let t = fastTradeItem(item);
  if (t === undefined) {
    const parsed = frameSchemas().v3.tradeItem.safeParse(item);
    if (!parsed.success) return zodIssue(parsed.error);
    t = parsed.data;
  }
  const trade: TradeItem = { kind: 'trade', tradeId: t.id, side: t.takerSide === 'buy' ? 'bid' : 'ask', price: t.price, size: t.quantity, timestamp: t.createTime };
  return { kind: 'trade', pair: t.symbol, trade };
}

/** A ticker item as a ticker event (isFrozen from the market list's states), or what is wrong with it. */
function tickerEvent(item: unknown, frozen: ReadonlySet<string>): ItemEvent | string {
  let t = fastTickerItem(item);
  if (t === undefined) {
    const parsed = frameSchemas().v3.tickerItem.safeParse(item);
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
    isFrozen: frozen.has(t.symbol) ? '1' : '0',
    high24hr: t.high,
    low24hr: t.low,
  };
  // ts is not printed: it names the ticker on NATS (--publish), so only digits are kept.
  const ts = isRecord(item) ? item.ts : undefined;
  return { kind: 'ticker', pair: t.symbol, fields, time: isTimeToken(ts) ? String(ts) : undefined };
}

/** A message with an `event`: a pong, an error, a subscription's ack, or one polo-ws ignores. */
function decodeEvent(message: Record<string, unknown>): DecodeResult {
  const event = message.event;
  if (event === 'pong') return events({ kind: 'heartbeat' });
  if (event === 'error') return events({ kind: 'server-error', message: errorText(message.message ?? message) });
  if (event === 'subscribe' || event === 'unsubscribe') {
    return events({ kind: 'ack', channel: channelOf(message.channel), pairs: symbolsOf(message.symbols), subscribed: event === 'subscribe' });
  }
  return events({ kind: 'ignored' });
}

/** The polo-ws channel an ack names: a v3 channel name, or a list holding one (as the request sent it). */
function channelOf(value: unknown): Channel | undefined {
  const name = Array.isArray(value) && value.length === 1 ? value[0] : value;
  for (const [channel, v3Name] of V3_CHANNEL_NAMES) if (v3Name === name) return channel;
  return undefined;
}

/** The symbols an ack names (text only; anything else is not a symbol). */
function symbolsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const symbol of value) if (typeof symbol === 'string') out.push(symbol);
  return out;
}

function snapshotOf(book: BookData): BookItem {
  return { kind: 'snapshot', asks: (book.asks ?? []).map(toLevel), bids: (book.bids ?? []).map(toLevel) };
}

/** An update's level changes in the order the message lists them: its asks and bids keys as they appear. */
function levelsInOrder(raw: object, book: BookData): BookItem[] {
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
      out[n++] = codedLevel(side, level[0], level[1]);
    }
  }
  return out;
}

const ASK_THEN_BID = ['ask', 'bid'] as const;
const BID_THEN_ASK = ['bid', 'ask'] as const;

function toLevel([price, size]: readonly [string, string, ...unknown[]]): Level {
  return codedSnapshotLevel(price, size);
}
