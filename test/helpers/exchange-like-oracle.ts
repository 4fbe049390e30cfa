import type { BookMessage, MarketMessage } from './exchange-like-feed.js';

/** What the exchange-like server did, in order: everything a correct client's output follows from. */
export type LogEntry =
  | { readonly kind: 'connect'; readonly conn: number }
  /** A market message sent; `frozen` is whether /markets showed the symbol's state other than NORMAL then. */
  | { readonly kind: 'frame'; readonly conn: number; readonly message: MarketMessage; readonly frozen: boolean }
  /** The client unsubscribed a delisted market: nothing of it may print after this point. */
  | { readonly kind: 'forget'; readonly conn: number; readonly symbol: string };

/**
 * One line a correct polo-ws prints, as its --format json object without `ts` (fields in the
 * README's order); textLine() gives the text line.
 */
export interface Expected {
  readonly type: string;
  readonly pair: string;
  readonly [field: string]: string;
}

interface ClientBook {
  live: boolean;
  last: number;
  readonly asks: Map<string, string>;
  readonly bids: Map<string, string>;
}

/**
 * The lines of a correct client, worked out from the log: a second, deliberately small model of the
 * client (snapshots reset a book, lastId must follow, a gap silences the pair's book until its next
 * snapshot, a reconnect forgets every book), so a test can compare stdout line for line.
 */
export function expectedRecords(log: readonly LogEntry[], depth: number, fromConnection = 1): Expected[] {
  const out: Expected[] = [];
  let books = new Map<string, ClientBook>();
  const forgotten = new Set<string>();
  for (const entry of log) {
    if (entry.kind === 'connect') books = new Map();
    else if (entry.kind === 'forget') forgotten.add(entry.symbol);
    else if (!forgotten.has(entry.message.data[0].symbol)) {
      const lines = linesOf(entry.message, entry.frozen, books, depth);
      if (entry.conn >= fromConnection) out.push(...lines);
    }
  }
  return out;
}

/** The reference script's text line for a record (after the 24-character timestamp). */
export function textLine(r: Expected): string {
  switch (r.type) {
    case 'book':
      return `${r.pair} book: ${r.side}s((price,size)): (${r.price},${r.size})`;
    case 'change':
      return `Add or change ${r.pair},side=${r.side},price=${r.price},size=${r.size}`;
    case 'remove':
      return `Remove ${r.pair},side=${r.side},price=${r.price}`;
    case 'trade':
      return `TRADE ${r.pair}=${r.tradeId}(tradeId),${r.side}(bookSide),${r.price}(price),${r.size}(size),${r.timestamp}(timestamp)`;
    default:
      return (
        `TICKER UPDATE ${r.pair}=${r.last}(last),${r.lowestAsk}(lowestAsk),${r.highestBid}(highestBid),${r.percentChange}(percentChange),` +
        `${r.baseVolume}(baseVolume),${r.quoteVolume}(quoteVolume),${r.isFrozen}(isFrozen),${r.high24hr}(high24hr),${r.low24hr}(low24hr)`
      );
  }
}

function linesOf(message: MarketMessage, frozen: boolean, books: Map<string, ClientBook>, depth: number): Expected[] {
  if (message.channel === 'book_lv2') return bookLines(message, books, depth);
  if (message.channel === 'trades') {
    const t = message.data[0];
    const side = t.takerSide === 'buy' ? 'bid' : 'ask';
    return [{ type: 'trade', pair: t.symbol, tradeId: t.id, side, price: t.price, size: t.quantity, timestamp: String(t.createTime) }];
  }
  const t = message.data[0];
  const book = books.get(t.symbol);
  // The v3 ticker has no bid/ask: the client fills them from its book while it trusts it.
  const ask = book?.live === true ? (sorted(book.asks, 1)[0] ?? '') : '';
  const bid = book?.live === true ? (sorted(book.bids, -1)[0] ?? '') : '';
  return [
    {
      type: 'ticker',
      pair: t.symbol,
      last: t.close,
      lowestAsk: ask,
      highestBid: bid,
      percentChange: t.dailyChange,
      baseVolume: t.amount,
      quoteVolume: t.quantity,
      isFrozen: frozen ? '1' : '0',
      high24hr: t.high,
      low24hr: t.low,
    },
  ];
}

function bookLines(message: BookMessage, books: Map<string, ClientBook>, depth: number): Expected[] {
  const item = message.data[0];
  const pair = item.symbol;
  let book = books.get(pair);
  if (book === undefined) books.set(pair, (book = { live: false, last: 0, asks: new Map(), bids: new Map() }));
  if (message.action === 'snapshot') {
    book.live = true;
    book.last = item.id;
    book.asks.clear();
    book.bids.clear();
    for (const [price, size] of item.asks) book.asks.set(price, size);
    for (const [price, size] of item.bids) book.bids.set(price, size);
    const top = (levels: Map<string, string>, side: string, order: 1 | -1): Expected[] =>
      sorted(levels, order)
        .slice(0, depth)
        .map((price) => ({ type: 'book', pair, side, price, size: levels.get(price) ?? '' }));
    return [...top(book.asks, 'ask', 1), ...top(book.bids, 'bid', -1)];
  }
  if (!book.live || item.id <= book.last) return [];
  if (item.lastId !== book.last) {
    book.live = false;
    return [];
  }
  book.last = item.id;
  const out: Expected[] = [];
  // In the order the message lists them: its keys in order, then each array in order.
  for (const key of Object.keys(item)) {
    if (key !== 'asks' && key !== 'bids') continue;
    const side = key === 'asks' ? 'ask' : 'bid';
    for (const [price, size] of item[key]) {
      if (Number(size) === 0) {
        book[key].delete(price);
        out.push({ type: 'remove', pair, side, price });
      } else {
        book[key].set(price, size);
        out.push({ type: 'change', pair, side, price, size });
      }
    }
  }
  return out;
}

/** Prices best first (asks ascending, bids descending); the generated prices are exact as doubles. */
function sorted(levels: Map<string, string>, order: 1 | -1): string[] {
  return [...levels.keys()].sort((a, b) => order * (Number(a) - Number(b)));
}
