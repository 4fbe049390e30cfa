import { ID_TEXT, TIME_TOKEN_DIGITS } from './guards.js';
import { CLOSE_LIST, COMMA, OPEN_LIST, TextScan, ascii, type KnownNames } from './scan-text.js';
import type { BookItem, DecodeResult, FeedEvent, Level, Side } from './types.js';

/**
 * The v3 messages that make up nearly all of a feed, decoded straight from their text: book_lv2
 * snapshots and updates, trades and tickers, one data item each, with the keys the exchange sends
 * (in any order, each once). The result is the one the full path (v3-decoder.ts) gives for the
 * message; any other message, or any value the hot-path checks (guards.ts) would not plainly
 * accept, is not the scanner's: it returns undefined and the full path decides, warnings and
 * errors included.
 */

/** A data message's start, then its channel (and action) up to its one item's first key. */
const CHANNEL = ascii('{"channel":"');
const BOOK_UPDATE = ascii('book_lv2","action":"update","data":[{');
const BOOK_SNAPSHOT = ascii('book_lv2","action":"snapshot","data":[{');
const TRADES = ascii('trades","data":[{');
const TICKER = ascii('ticker","data":[{');
const MESSAGE_END = ascii('}]}');

/**
 * What comes between an item's values in the exchange's key order (THEN_X: a comma and key x), for
 * the straight-through readers, and the taker sides; bytes made once (TextScan.takeBytes).
 */
const SYMBOL_FIRST = ascii('"symbol":');
const THEN_CREATE_TIME = ascii(',"createTime":');
const THEN_ASKS = ascii(',"asks":');
const THEN_BIDS = ascii(',"bids":');
const THEN_LAST_ID = ascii(',"lastId":');
const THEN_ID = ascii(',"id":');
const THEN_TS = ascii(',"ts":');
const THEN_AMOUNT = ascii(',"amount":');
const THEN_QUANTITY = ascii(',"quantity":');
const THEN_TAKER_SIDE = ascii(',"takerSide":');
const THEN_PRICE = ascii(',"price":');
const THEN_START_TIME = ascii(',"startTime":');
const THEN_OPEN = ascii(',"open":');
const THEN_HIGH = ascii(',"high":');
const THEN_LOW = ascii(',"low":');
const THEN_CLOSE = ascii(',"close":');
const THEN_TRADE_COUNT = ascii(',"tradeCount":');
const THEN_DAILY_CHANGE = ascii(',"dailyChange":');
const THEN_MARK_PRICE = ascii(',"markPrice":');
const THEN_CLOSE_TIME = ascii(',"closeTime":');
const BUY = ascii('"buy"');
const SELL = ascii('"sell"');

/**
 * A data item's keys, in the exchange's order: spelled with their quotes and colon for
 * TextScan.key, and each name's index.
 */
interface ItemKeys<N extends string> {
  readonly spelled: readonly Uint8Array[];
  readonly at: Readonly<Record<N, number>>;
}

function itemKeys<N extends string>(...names: N[]): ItemKeys<N> {
  return { spelled: names.map((name) => ascii(`"${name}":`)), at: Object.fromEntries(names.map((name, i) => [name, i])) as Record<N, number> };
}

const BOOK = itemKeys('symbol', 'createTime', 'asks', 'bids', 'lastId', 'id', 'ts');
const TRADE = itemKeys('symbol', 'amount', 'quantity', 'takerSide', 'createTime', 'price', 'id', 'ts');
const TICKER_ITEM = itemKeys('symbol', 'startTime', 'open', 'high', 'low', 'close', 'quantity', 'amount', 'tradeCount', 'dailyChange', 'markPrice', 'closeTime', 'ts');

/**
 * The message's events, or undefined if it is not plainly a book_lv2 message, trade or ticker of a
 * symbol in `symbols`; `frozen` gives the ticker's isFrozen column, as in the full path. `bytes`:
 * the message's UTF-8, if at hand.
 */
export function scanV3(text: string, symbols: KnownNames, frozen: ReadonlySet<string>, bytes?: Uint8Array): DecodeResult | undefined {
  const scan = TextScan.of(text, bytes);
  if (!scan.takeBytes(CHANNEL)) return undefined;
  const kind = scan.takeBytes(BOOK_UPDATE) ? UPDATE : scan.takeBytes(BOOK_SNAPSHOT) ? SNAPSHOT : scan.takeBytes(TRADES) ? TRADE_ITEM : scan.takeBytes(TICKER) ? TICKER_DATA : NONE;
  if (kind === NONE) return undefined;
  // The exchange sends an item's keys in one order: read straight through them, and in any order
  // (keys looked up one by one) only when that fails, from the item's start again.
  const item = scan.position;
  let event = inOrder(scan, kind, symbols, frozen);
  if (event === undefined) {
    scan.rewind(item);
    event = anyOrder(scan, kind, symbols, frozen);
  }
  if (event === undefined || !scan.takeBytes(MESSAGE_END) || !scan.done) return undefined;
  return { ok: true, events: [event] };
}

/** What a message is, by its start. */
const NONE = 0;
const UPDATE = 1;
const SNAPSHOT = 2;
const TRADE_ITEM = 3;
const TICKER_DATA = 4;

function inOrder(scan: TextScan, kind: number, symbols: KnownNames, frozen: ReadonlySet<string>): FeedEvent | undefined {
  if (kind === UPDATE || kind === SNAPSHOT) return bookInOrder(scan, symbols, kind === SNAPSHOT);
  return kind === TRADE_ITEM ? tradeInOrder(scan, symbols) : tickerInOrder(scan, symbols, frozen);
}

function anyOrder(scan: TextScan, kind: number, symbols: KnownNames, frozen: ReadonlySet<string>): FeedEvent | undefined {
  if (kind === UPDATE || kind === SNAPSHOT) return bookItem(scan, symbols, kind === SNAPSHOT);
  return kind === TRADE_ITEM ? trade(scan, symbols) : ticker(scan, symbols, frozen);
}

/** A book_lv2 item whose keys come in BOOK's order: what bookItem gives it, or undefined. */
function bookInOrder(scan: TextScan, symbols: KnownNames, snapshot: boolean): FeedEvent | undefined {
  if (!scan.takeBytes(SYMBOL_FIRST)) return undefined;
  const pair = scan.knownName(symbols);
  if (pair === undefined || !scan.takeBytes(THEN_CREATE_TIME) || scan.count() < 0 || !scan.takeBytes(THEN_ASKS)) return undefined;
  const items: BookItem[] = [];
  const asks: Level[] | undefined = snapshot ? [] : undefined;
  const bids: Level[] | undefined = snapshot ? [] : undefined;
  if (!bookSide(scan, 'ask', items, asks) || !scan.takeBytes(THEN_BIDS) || !bookSide(scan, 'bid', items, bids) || !scan.takeBytes(THEN_LAST_ID)) return undefined;
  const lastId = scan.count();
  if (lastId < 0 || !scan.takeBytes(THEN_ID)) return undefined;
  const seq = scan.count();
  if (seq < 0 || !scan.takeBytes(THEN_TS) || scan.count() < 0) return undefined;
  return bookEvent(pair, seq, lastId, items, asks, bids);
}

/** A trades item whose keys come in TRADE's order: what trade gives it, or undefined. */
function tradeInOrder(scan: TextScan, symbols: KnownNames): FeedEvent | undefined {
  if (!scan.takeBytes(SYMBOL_FIRST)) return undefined;
  const pair = scan.knownName(symbols);
  if (pair === undefined || !scan.takeBytes(THEN_AMOUNT) || scan.decimal() === undefined || !scan.takeBytes(THEN_QUANTITY)) return undefined;
  const size = scan.decimal();
  if (size === undefined || !scan.takeBytes(THEN_TAKER_SIDE)) return undefined;
  const side = takerSide(scan);
  if (side === undefined || !scan.takeBytes(THEN_CREATE_TIME)) return undefined;
  const timestamp = time(scan);
  if (timestamp === undefined || !scan.takeBytes(THEN_PRICE)) return undefined;
  const price = scan.decimal();
  if (price === undefined || !scan.takeBytes(THEN_ID)) return undefined;
  const tradeId = tradeIdOf(scan);
  if (tradeId === undefined || !scan.takeBytes(THEN_TS) || scan.count() < 0) return undefined;
  return { kind: 'trade', pair, trade: { kind: 'trade', tradeId, side, price, size, timestamp } };
}

/** A ticker item whose keys come in TICKER_ITEM's order: what ticker gives it, or undefined. */
function tickerInOrder(scan: TextScan, symbols: KnownNames, frozen: ReadonlySet<string>): FeedEvent | undefined {
  if (!scan.takeBytes(SYMBOL_FIRST)) return undefined;
  const pair = scan.knownName(symbols);
  if (pair === undefined || !scan.takeBytes(THEN_START_TIME) || scan.count() < 0 || !scan.takeBytes(THEN_OPEN) || scan.signedDecimal() === undefined) return undefined;
  if (!scan.takeBytes(THEN_HIGH)) return undefined;
  const high = scan.signedDecimal();
  if (high === undefined || !scan.takeBytes(THEN_LOW)) return undefined;
  const low = scan.signedDecimal();
  if (low === undefined || !scan.takeBytes(THEN_CLOSE)) return undefined;
  const close = scan.signedDecimal();
  if (close === undefined || !scan.takeBytes(THEN_QUANTITY)) return undefined;
  const quantity = scan.signedDecimal();
  if (quantity === undefined || !scan.takeBytes(THEN_AMOUNT)) return undefined;
  const amount = scan.signedDecimal();
  if (amount === undefined || !scan.takeBytes(THEN_TRADE_COUNT) || scan.count() < 0 || !scan.takeBytes(THEN_DAILY_CHANGE)) return undefined;
  const dailyChange = scan.signedDecimal();
  if (dailyChange === undefined || !scan.takeBytes(THEN_MARK_PRICE) || scan.signedDecimal() === undefined) return undefined;
  if (!scan.takeBytes(THEN_CLOSE_TIME) || scan.count() < 0 || !scan.takeBytes(THEN_TS)) return undefined;
  const time = scan.countText();
  if (time === undefined) return undefined;
  return tickerEvent(pair, frozen, time, close, dailyChange, amount, quantity, high, low);
}

/**
 * Reads an item's `"key":value,...`, each of its keys exactly once (JSON.parse would keep a repeated
 * key's last value): `value(index)` reads the value of the key at that index and says whether it
 * was fine. Stops before the closing brace.
 */
function readItem(scan: TextScan, keys: ItemKeys<string>, value: (key: number) => boolean): boolean {
  const names = keys.spelled;
  let seen = 0;
  let next = 0;
  do {
    const key = scan.key(names, next);
    if (key < 0 || (seen & (1 << key)) !== 0 || !value(key)) return false;
    seen |= 1 << key;
    next = key + 1;
  } while (scan.take(COMMA));
  return seen === (1 << names.length) - 1;
}

/**
 * A book_lv2 item: an update's level changes, in the order the message lists its asks and bids, or
 * a snapshot's levels (scanned too, so a run's first messages do not compile the full path's
 * checks; a snapshot's lastId is not used).
 */
function bookItem(scan: TextScan, symbols: KnownNames, snapshot: boolean): FeedEvent | undefined {
  const at = BOOK.at;
  let pair: string | undefined;
  let lastId = -1;
  let seq = -1;
  const items: BookItem[] = [];
  const asks: Level[] | undefined = snapshot ? [] : undefined;
  const bids: Level[] | undefined = snapshot ? [] : undefined;
  const complete = readItem(scan, BOOK, (key) => {
    switch (key) {
      case at.symbol:
        pair = scan.knownName(symbols);
        return pair !== undefined;
      case at.asks:
        return bookSide(scan, 'ask', items, asks);
      case at.bids:
        return bookSide(scan, 'bid', items, bids);
      case at.lastId:
        lastId = scan.count();
        return lastId >= 0;
      case at.id:
        seq = scan.count();
        return seq >= 0;
      default:
        // createTime and ts: not used, but only times are plainly fine.
        return scan.count() >= 0;
    }
  });
  if (!complete || pair === undefined) return undefined;
  return bookEvent(pair, seq, lastId, items, asks, bids);
}

/** A book_lv2 item's event: a snapshot of `asks` and `bids` when given, else an update's `items`. */
function bookEvent(pair: string, seq: number, lastId: number, items: BookItem[], asks: Level[] | undefined, bids: Level[] | undefined): FeedEvent {
  if (asks !== undefined && bids !== undefined) return { kind: 'book', pair, seq, prevSeq: undefined, items: [{ kind: 'snapshot', asks, bids }] };
  return { kind: 'book', pair, seq, prevSeq: lastId, items };
}

/** One side's list of a book_lv2 item: a snapshot's into `snapshotSide` when given, else into `items` as changes of `side`. */
function bookSide(scan: TextScan, side: Side, items: BookItem[], snapshotSide: Level[] | undefined): boolean {
  return snapshotSide !== undefined ? levels(scan, undefined, snapshotSide) : levels(scan, side, items);
}

/**
 * `[["price","quantity"],...]` of one side, each level appended to `out`: as a level change of
 * `side` (an update's), or without a side as a level of a snapshot.
 */
function levels(scan: TextScan, side: Side | undefined, out: BookItem[] | Level[]): boolean {
  if (!scan.take(OPEN_LIST)) return false;
  if (scan.take(CLOSE_LIST)) return true;
  do {
    if (!scan.take(OPEN_LIST)) return false;
    const price = scan.levelDecimal();
    const priceKey = scan.canonical;
    const priceCode = scan.code;
    if (price === undefined || !scan.take(COMMA)) return false;
    const size = scan.levelDecimal();
    if (size === undefined || !scan.take(CLOSE_LIST)) return false;
    if (side === undefined) (out as Level[]).push({ price, size, priceKey, priceCode, sizeCode: scan.code });
    else (out as BookItem[]).push({ kind: 'level', side, price, size, priceKey, priceCode, sizeCode: scan.code });
  } while (scan.take(COMMA));
  return scan.take(CLOSE_LIST);
}

/** A trades item. */
function trade(scan: TextScan, symbols: KnownNames): FeedEvent | undefined {
  const at = TRADE.at;
  let pair: string | undefined;
  let size: string | undefined;
  let side: Side | undefined;
  let timestamp: string | undefined;
  let price: string | undefined;
  let tradeId: string | undefined;
  const complete = readItem(scan, TRADE, (key) => {
    switch (key) {
      case at.symbol:
        pair = scan.knownName(symbols);
        return pair !== undefined;
      case at.amount:
        // The quote notional: not used, but only a plain decimal is plainly fine.
        return scan.decimal() !== undefined;
      case at.quantity:
        size = scan.decimal();
        return size !== undefined;
      case at.takerSide:
        side = takerSide(scan);
        return side !== undefined;
      case at.createTime:
        timestamp = time(scan);
        return timestamp !== undefined;
      case at.price:
        price = scan.decimal();
        return price !== undefined;
      case at.id:
        tradeId = tradeIdOf(scan);
        return tradeId !== undefined;
      default:
        return scan.count() >= 0;
    }
  });
  if (!complete || pair === undefined || size === undefined || side === undefined || timestamp === undefined || price === undefined || tradeId === undefined) {
    return undefined;
  }
  return { kind: 'trade', pair, trade: { kind: 'trade', tradeId, side, price, size, timestamp } };
}

/** A ticker item, isFrozen from the market list's states. */
function ticker(scan: TextScan, symbols: KnownNames, frozen: ReadonlySet<string>): FeedEvent | undefined {
  const at = TICKER_ITEM.at;
  let pair: string | undefined;
  let time: string | undefined;
  // The decimal columns (open, high, ..., markPrice) by key index.
  const columns: string[] = [];
  const complete = readItem(scan, TICKER_ITEM, (key) => {
    switch (key) {
      case at.symbol:
        pair = scan.knownName(symbols);
        return pair !== undefined;
      case at.startTime:
      case at.tradeCount:
      case at.closeTime:
        // Not used, but only counts are plainly fine.
        return scan.count() >= 0;
      case at.ts: {
        // It names the ticker on NATS (--publish).
        time = scan.countText();
        return time !== undefined;
      }
      default: {
        const text = scan.signedDecimal();
        if (text === undefined) return false;
        columns[key] = text;
        return true;
      }
    }
  });
  if (!complete || pair === undefined) return undefined;
  const column = (key: number): string => columns[key] as string;
  return tickerEvent(pair, frozen, time, column(at.close), column(at.dailyChange), column(at.amount), column(at.quantity), column(at.high), column(at.low));
}

/** A ticker's event from the columns polo-ws prints, isFrozen from the market list's states. */
function tickerEvent(
  pair: string,
  frozen: ReadonlySet<string>,
  time: string | undefined,
  close: string,
  dailyChange: string,
  amount: string,
  quantity: string,
  high: string,
  low: string,
): FeedEvent {
  const fields = {
    last: close,
    lowestAsk: undefined,
    highestBid: undefined,
    percentChange: dailyChange,
    baseVolume: amount,
    quoteVolume: quantity,
    isFrozen: frozen.has(pair) ? '1' : '0',
    high24hr: high,
    low24hr: low,
  };
  return { kind: 'ticker', pair, fields, time };
}

/** `"buy"` (the taker bought: bid) or `"sell"` (ask). */
function takerSide(scan: TextScan): Side | undefined {
  if (scan.takeBytes(BUY)) return 'bid';
  if (scan.takeBytes(SELL)) return 'ask';
  return undefined;
}

/** createTime: a count, or digits as text (isTimeToken), as text. */
function time(scan: TextScan): string | undefined {
  return scan.digitText(TIME_TOKEN_DIGITS) ?? scan.countText();
}

/** A trade id: text of ID_TEXT, or a count, as text. */
function tradeIdOf(scan: TextScan): string | undefined {
  const text = scan.string();
  if (text !== undefined) return ID_TEXT.test(text) ? text : undefined;
  return scan.countText();
}
