import { SimBookSide } from './book-side.js';
import { parseUnits } from './units.js';
import type { Side } from './events.js';
import type { PriceLevel, V3BookItem, V3TickerItem, V3TradeItem } from './v3-wire.js';

/**
 * The test oracle for the current API: the data items one connection was sent, rendered as the
 * lines a correct client prints in the reference script's formats (without timestamps). It reads
 * only the items as sent, independently of the client code it judges.
 */

/** Records beyond this many are dropped, so an endless demo cannot grow memory without bound. */
const MAX_RECORDS = 200_000;

type LogRecord =
  | { readonly kind: 'snapshot'; readonly item: V3BookItem }
  | { readonly kind: 'update'; readonly item: V3BookItem; readonly gap: boolean }
  | { readonly kind: 'trade'; readonly item: V3TradeItem }
  | { readonly kind: 'ticker'; readonly item: V3TickerItem };

/** Collects the items sent on one connection; fault messages are deliberately not recorded. */
export class V3Oracle {
  private readonly frozen: ReadonlySet<string>;
  private readonly records: LogRecord[] = [];
  private truncated = false;

  /** `frozen`: the symbols whose /markets state is not NORMAL (isFrozen 1). */
  constructor(frozen: ReadonlySet<string>) {
    this.frozen = frozen;
  }

  /** A snapshot item was sent: the symbol's book lines (re)start here. */
  snapshot(item: V3BookItem): void {
    this.push({ kind: 'snapshot', item });
  }

  /** An update item was sent; `gap` marks the one whose lastId skipped an id. */
  update(item: V3BookItem, gap: boolean): void {
    this.push({ kind: 'update', item, gap });
  }

  /** A trades message was sent. */
  trades(items: readonly V3TradeItem[]): void {
    for (const item of items) this.push({ kind: 'trade', item });
  }

  /** A ticker message was sent. */
  tickers(items: readonly V3TickerItem[]): void {
    for (const item of items) this.push({ kind: 'ticker', item });
  }

  /**
   * The lines a correct client prints, in order. From a gap on, a symbol's book lines stop and
   * its tickers show no best bid or ask, until its next snapshot; its trades go on (the trades
   * channel has no sequence). `depth` is how many top levels of each side a snapshot prints.
   */
  render(depth = 1): string[] {
    if (this.truncated) throw new Error(`connection log truncated after ${MAX_RECORDS} records; expected lines unknown`);
    const lines: string[] = [];
    // Only trusted books are held: a symbol is absent before its snapshot and after a gap.
    const books = new Map<string, HeldBook>();
    for (const record of this.records) {
      const { symbol } = record.item;
      if (record.kind === 'snapshot') {
        books.set(symbol, new HeldBook(record.item));
        lines.push(...snapshotLines(record.item, depth));
      } else if (record.kind === 'update') {
        if (record.gap) books.delete(symbol);
        const book = books.get(symbol);
        if (book !== undefined) lines.push(...book.apply(record.item));
      } else if (record.kind === 'trade') {
        lines.push(tradeLine(record.item));
      } else {
        lines.push(tickerLine(record.item, books.get(symbol), this.frozen.has(symbol)));
      }
    }
    return lines;
  }

  private push(record: LogRecord): void {
    if (this.records.length >= MAX_RECORDS) this.truncated = true;
    else this.records.push(record);
  }
}

/** A symbol's book as a client holds it, keeping each price's text as sent. */
class HeldBook {
  private readonly sides = { ask: new SimBookSide('ask'), bid: new SimBookSide('bid') };
  private readonly texts = { ask: new Map<bigint, string>(), bid: new Map<bigint, string>() };
  private readonly symbol: string;

  constructor(snapshot: V3BookItem) {
    this.symbol = snapshot.symbol;
    this.apply(snapshot);
  }

  /** Applies an item's levels, asks then bids, and returns the lines they print. */
  apply(item: V3BookItem): string[] {
    return [...item.asks.map((l) => this.set('ask', l)), ...item.bids.map((l) => this.set('bid', l))];
  }

  /** The best price's text, or "" when the side is empty. */
  best(side: Side): string {
    const price = this.sides[side].best();
    return price === undefined ? '' : (this.texts[side].get(price) ?? '');
  }

  private set(side: Side, [priceText, quantity]: PriceLevel): string {
    const price = parseUnits(priceText);
    const size = parseUnits(quantity);
    this.sides[side].set(price, size);
    if (size === 0n) {
      this.texts[side].delete(price);
      return `Remove ${this.symbol},side=${side},price=${priceText}`;
    }
    this.texts[side].set(price, priceText);
    return `Add or change ${this.symbol},side=${side},price=${priceText},size=${quantity}`;
  }
}

function snapshotLines(item: V3BookItem, depth: number): string[] {
  const level = ([price, size]: PriceLevel): string => `(${price},${size})`;
  return [
    ...item.asks.slice(0, depth).map((l) => `${item.symbol} book: asks((price,size)): ${level(l)}`),
    ...item.bids.slice(0, depth).map((l) => `${item.symbol} book: bids((price,size)): ${level(l)}`),
  ];
}

function tradeLine(t: V3TradeItem): string {
  const side = t.takerSide === 'buy' ? 'bid' : 'ask';
  return `TRADE ${t.symbol}=${t.id}(tradeId),${side}(bookSide),${t.price}(price),${t.quantity}(size),${t.createTime}(timestamp)`;
}

function tickerLine(t: V3TickerItem, book: HeldBook | undefined, frozen: boolean): string {
  return (
    `TICKER UPDATE ${t.symbol}=${t.close}(last),${book?.best('ask') ?? ''}(lowestAsk),${book?.best('bid') ?? ''}(highestBid),` +
    `${t.dailyChange}(percentChange),${t.amount}(baseVolume),${t.quantity}(quoteVolume),${frozen ? 1 : 0}(isFrozen),` +
    `${t.high}(high24hr),${t.low}(low24hr)`
  );
}
