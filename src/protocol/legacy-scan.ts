import { HEARTBEAT_CHANNEL, STATS_CHANNEL, TICKER_CHANNEL } from './legacy-frames.js';
import { INTEGER_TEXT_DIGITS } from './guards.js';
import { CLOSE_LIST, CLOSE_OBJECT, COLON, COMMA, OPEN_LIST, OPEN_OBJECT, TextScan, ascii } from './scan-text.js';
import type { BookItem, DecodeResult, Level, Side, TickerFields } from './types.js';

/**
 * The legacy frames that make up nearly all of a feed, decoded straight from their text: a pair's
 * book frame of "o" level, "t" trade and "i" snapshot items, and a ticker frame, spelled as the
 * exchange spells them (a snapshot longer than the scanners' own buffer only when the frame's bytes
 * came with its text, as from a websocket). The result is the one the full path
 * (legacy-decoder.ts) gives for the frame; any other frame, or any value the hot-path checks
 * (guards.ts) would not plainly accept, is not the scanner's: it returns undefined and the full
 * path decides, warnings and errors included.
 */

/** Ticker columns after the pair id: 9, or 11 with postOnly and maintenanceMode (PROTOCOL.md). */
const TICKER_COLUMNS = 9;
const TICKER_COLUMNS_LONG = 11;

/** The literals the scanner looks for, as bytes made once (TextScan.takeBytes). */
const LEVEL_ITEM = ascii('["o",');
const TRADE_ITEM = ascii('["t",');
const SNAPSHOT_ITEM = ascii('["i",{');
const CURRENCY_PAIR = ascii('"currencyPair":');
const ORDER_BOOK = ascii('"orderBook":[');
const ONE_THEN = ascii('1,');
const ZERO_THEN = ascii('0,');
const NULL_THEN_COLUMNS = ascii('null,[');

/**
 * The frame's events, or undefined if it is not plainly a book or ticker frame of a pair in
 * `pairs` (the decoder's map from channel id to pair name). `bytes`: the frame's UTF-8, if at hand.
 */
export function scanLegacy(text: string, pairs: ReadonlyMap<number, string>, bytes?: Uint8Array): DecodeResult | undefined {
  const scan = TextScan.of(text, bytes);
  if (!scan.take(OPEN_LIST)) return undefined;
  const channel = scan.count();
  if (channel < 0 || !scan.take(COMMA)) return undefined;
  if (channel === TICKER_CHANNEL) return tickerFrame(scan, pairs);
  // These channels' frames are not books, whatever they hold.
  if (channel === STATS_CHANNEL || channel === HEARTBEAT_CHANNEL) return undefined;
  const pair = pairs.get(channel);
  return pair === undefined ? undefined : bookFrame(scan, pair);
}

/** The items of a book frame without any (never added to: a frame's items are read-only from here on). */
const EMPTY: BookItem[] = [];

/** `seq,[item,...]]` of a book frame, after `[pairId,`. */
function bookFrame(scan: TextScan, pair: string): DecodeResult | undefined {
  const seq = scan.count();
  if (seq < 0 || !scan.take(COMMA) || !scan.take(OPEN_LIST)) return undefined;
  let items: BookItem[] = EMPTY;
  if (!scan.take(CLOSE_LIST)) {
    do {
      const item = bookItem(scan);
      if (item === undefined) return undefined;
      // Most frames hold one item: an array of exactly one, not the 17 slots a push onto [] makes room for.
      if (items === EMPTY) items = [item];
      else items.push(item);
    } while (scan.take(COMMA));
    if (!scan.take(CLOSE_LIST)) return undefined;
  }
  if (!scan.take(CLOSE_LIST) || !scan.done) return undefined;
  return { ok: true, events: [{ kind: 'book', pair, seq, prevSeq: undefined, items }] };
}

/** `["o",side,"price","size"]` or `["t","id",side,"price","size",seconds]`, each with an optional `,"epochMs"`. */
function bookItem(scan: TextScan): BookItem | undefined {
  if (scan.takeBytes(LEVEL_ITEM)) return levelItem(scan);
  if (scan.takeBytes(TRADE_ITEM)) return tradeItem(scan);
  if (scan.takeBytes(SNAPSHOT_ITEM)) return snapshotItem(scan);
  return undefined;
}

/** `"currencyPair":"PAIR","orderBook":[{asks},{bids}]}` (the pair optional, and not read) and the item's end, after `["i",{`. */
function snapshotItem(scan: TextScan): BookItem | undefined {
  if (scan.takeBytes(CURRENCY_PAIR) && (scan.string() === undefined || !scan.take(COMMA))) return undefined;
  if (!scan.takeBytes(ORDER_BOOK)) return undefined;
  const asks = snapshotSide(scan);
  if (asks === undefined || !scan.take(COMMA)) return undefined;
  const bids = snapshotSide(scan);
  if (bids === undefined || !scan.take(CLOSE_LIST) || !scan.take(CLOSE_OBJECT) || !itemEnd(scan)) return undefined;
  return { kind: 'snapshot', asks, bids };
}

/**
 * `{"price":"size",...}`, the levels in the order sent, which is the order JSON.parse and
 * Object.keys give them unless a price is sent twice (the last size, at the first place) or has no
 * point (an integer key, which Object.keys puts first): those sides are left to the full path.
 */
function snapshotSide(scan: TextScan): Level[] | undefined {
  if (!scan.take(OPEN_OBJECT)) return undefined;
  const levels: Level[] = [];
  if (scan.take(CLOSE_OBJECT)) return levels;
  const seen = new Set<string>();
  do {
    const price = scan.levelDecimal();
    const priceKey = scan.canonical;
    const priceCode = scan.code;
    if (price === undefined || price.indexOf('.') < 0 || seen.has(price) || !scan.take(COLON)) return undefined;
    seen.add(price);
    const size = scan.levelDecimal();
    if (size === undefined) return undefined;
    levels.push({ price, size, priceKey, priceCode, sizeCode: scan.code });
  } while (scan.take(COMMA));
  return scan.take(CLOSE_OBJECT) ? levels : undefined;
}

function levelItem(scan: TextScan): BookItem | undefined {
  const side = sideOf(scan);
  const price = scan.levelDecimal();
  const priceKey = scan.canonical;
  const priceCode = scan.code;
  if (side === undefined || price === undefined || !scan.take(COMMA)) return undefined;
  const size = scan.levelDecimal();
  if (size === undefined || !itemEnd(scan)) return undefined;
  return { kind: 'level', side, price, size, priceKey, priceCode, sizeCode: scan.code };
}

function tradeItem(scan: TextScan): BookItem | undefined {
  const tradeId = integer(scan);
  if (tradeId === undefined || !scan.take(COMMA)) return undefined;
  const side = sideOf(scan);
  const price = scan.decimal();
  if (side === undefined || price === undefined || !scan.take(COMMA)) return undefined;
  const size = scan.decimal();
  if (size === undefined || !scan.take(COMMA)) return undefined;
  const timestamp = integer(scan);
  if (timestamp === undefined || !itemEnd(scan)) return undefined;
  return { kind: 'trade', tradeId, side, price, size, timestamp };
}

/** `1,` (bid, or a buy) or `0,` (ask, or a sell). */
function sideOf(scan: TextScan): Side | undefined {
  if (scan.takeBytes(ONE_THEN)) return 'bid';
  if (scan.takeBytes(ZERO_THEN)) return 'ask';
  return undefined;
}

/** The end of an item: `]`, or the epoch-millisecond string added in 2021 and `]`. */
function itemEnd(scan: TextScan): boolean {
  if (scan.take(CLOSE_LIST)) return true;
  if (!scan.take(COMMA)) return false;
  return scan.skipDigitText(INTEGER_TEXT_DIGITS) && scan.take(CLOSE_LIST);
}

/** A trade id or time as digits, sent as text or as a number (isIntegerText), as text. */
function integer(scan: TextScan): string | undefined {
  return scan.digitText(INTEGER_TEXT_DIGITS) ?? scan.countText();
}

/** `null,[pairId,last,...,low24hr(,postOnly,maintenanceMode)]]` of a ticker frame, after `[1002,`. */
function tickerFrame(scan: TextScan, pairs: ReadonlyMap<number, string>): DecodeResult | undefined {
  if (!scan.takeBytes(NULL_THEN_COLUMNS)) return undefined;
  const id = scan.count();
  const pair = id < 0 ? undefined : pairs.get(id);
  if (pair === undefined) return undefined;
  const columns: string[] = [];
  // A column past the longest frame's is not read: the closing bracket check refuses the frame.
  while (columns.length < TICKER_COLUMNS_LONG && scan.take(COMMA)) {
    const column = tickerColumn(scan);
    if (column === undefined) return undefined;
    columns.push(column);
  }
  if ((columns.length !== TICKER_COLUMNS && columns.length !== TICKER_COLUMNS_LONG) || !scan.take(CLOSE_LIST) || !scan.take(CLOSE_LIST) || !scan.done) {
    return undefined;
  }
  const [last, lowestAsk, highestBid, percentChange, baseVolume, quoteVolume, isFrozen, high24hr, low24hr] = columns as [string, string, string, string, string, string, string, string, string];
  const fields: TickerFields = { last, lowestAsk, highestBid, percentChange, baseVolume, quoteVolume, isFrozen, high24hr, low24hr };
  return { ok: true, events: [{ kind: 'ticker', pair, fields }] };
}

/**
 * A ticker column as the full path prints it (pythonText): a signed decimal string as sent, or an
 * integer (isFrozen, postOnly) as its digits.
 */
function tickerColumn(scan: TextScan): string | undefined {
  return scan.signedDecimal() ?? scan.countText();
}
