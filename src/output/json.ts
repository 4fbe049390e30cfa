import type { Level, Side } from '../book/book.js';
import type { Channel, TickerFields, TradeItem } from '../protocol/types.js';
import type { LineBuffer, LinePrinter } from './lines.js';

/**
 * NDJSON (--format json): one object per text line, `ts` in ISO 8601 UTC with milliseconds, `type`
 * and `pair` first, prices and sizes as the exchange's strings.
 */
export class JsonPrinter implements LinePrinter {
  private lastMs = Number.NaN;
  private head = '';
  private readonly books: boolean;
  private readonly trades: boolean;
  private readonly tickers: boolean;

  constructor(
    private readonly out: LineBuffer,
    channels: ReadonlySet<Channel>,
  ) {
    this.books = channels.has('book');
    this.trades = channels.has('trades');
    this.tickers = channels.has('ticker');
  }

  begin(at: number): void {
    if (at === this.lastMs) return;
    this.lastMs = at;
    this.head = `{"ts":${JSON.stringify(new Date(at).toISOString())},"type":`;
  }

  book(pair: string, asks: readonly Level[], bids: readonly Level[]): void {
    if (!this.books) return;
    for (const l of asks) this.line(`"book","pair":${str(pair)},"side":"ask","price":${str(l.price)},"size":${str(l.size)}}`);
    for (const l of bids) this.line(`"book","pair":${str(pair)},"side":"bid","price":${str(l.price)},"size":${str(l.size)}}`);
  }

  change(pair: string, side: Side, price: string, size: string): void {
    if (this.books) this.line(`"change","pair":${str(pair)},"side":"${side}","price":${str(price)},"size":${str(size)}}`);
  }

  remove(pair: string, side: Side, price: string): void {
    if (this.books) this.line(`"remove","pair":${str(pair)},"side":"${side}","price":${str(price)}}`);
  }

  trade(pair: string, t: TradeItem): void {
    if (!this.trades) return;
    this.line(
      `"trade","pair":${str(pair)},"tradeId":${str(t.tradeId)},"side":"${t.side}","price":${str(t.price)},` +
        `"size":${str(t.size)},"timestamp":${str(t.timestamp)}}`,
    );
  }

  ticker(pair: string, fields: TickerFields): void {
    if (this.tickers) this.line(`"ticker","pair":${str(pair)},${JSON.stringify(fields).slice(1)}`);
  }

  top(pair: string, bid: Level | undefined, ask: Level | undefined, spread: string | undefined): void {
    if (!this.books) return;
    this.line(
      `"top","pair":${str(pair)},"bidPrice":${opt(bid?.price)},"bidSize":${opt(bid?.size)},` +
        `"askPrice":${opt(ask?.price)},"askSize":${opt(ask?.size)},"spread":${opt(spread)}}`,
    );
  }

  /** One object: the shared head, then `rest`. */
  private line(rest: string): void {
    this.out.addLine(this.head, rest);
  }
}

function str(text: string): string {
  return JSON.stringify(text);
}

function opt(text: string | undefined): string {
  return text === undefined ? 'null' : JSON.stringify(text);
}
