import type { Level, Side } from '../book/book.js';
import type { Channel, TickerFields, TradeItem } from '../protocol/types.js';
import type { LineBuffer, LinePrinter } from './lines.js';
import { LineTimestamp, type TimestampMode } from './timestamp.js';

/**
 * The reference script's lines, byte for byte, behind a timestamp (--format text, the default).
 * Scripts grep and awk these: they are the contract. Each line is written into `out` piece by
 * piece (see LineBuffer), up to its limit; channels not asked for print nothing.
 */
export class TextPrinter implements LinePrinter {
  private readonly stamp: LineTimestamp;
  private prefix = '';
  /** The prefix joined with each frequent line's opening words, once per timestamp (fewer pieces to join). */
  private changeHead = 'Add or change ';
  private removeHead = 'Remove ';
  private tradeHead = 'TRADE ';
  private readonly books: boolean;
  private readonly trades: boolean;
  private readonly tickers: boolean;

  constructor(
    private readonly out: LineBuffer,
    channels: ReadonlySet<Channel>,
    mode: TimestampMode,
  ) {
    this.stamp = new LineTimestamp(mode);
    this.books = channels.has('book');
    this.trades = channels.has('trades');
    this.tickers = channels.has('ticker');
  }

  begin(at: number): void {
    const prefix = this.stamp.prefix(at);
    if (prefix === this.prefix) return;
    this.prefix = prefix;
    this.changeHead = `${prefix}Add or change `;
    this.removeHead = `${prefix}Remove `;
    this.tradeHead = `${prefix}TRADE `;
  }

  book(pair: string, asks: readonly Level[], bids: readonly Level[]): void {
    if (!this.books) return;
    for (const level of asks) this.level(pair, ' book: asks((price,size)): (', level);
    for (const level of bids) this.level(pair, ' book: bids((price,size)): (', level);
  }

  change(pair: string, side: Side, price: string, size: string): void {
    const out = this.out;
    if (!this.books || out.full) return;
    const p = out.parts;
    let n = out.length;
    p[n++] = this.changeHead;
    p[n++] = pair;
    p[n++] = side === 'bid' ? ',side=bid,price=' : ',side=ask,price=';
    p[n++] = price;
    p[n++] = ',size=';
    p[n++] = size;
    p[n++] = '\n';
    out.length = n;
    out.count++;
  }

  remove(pair: string, side: Side, price: string): void {
    const out = this.out;
    if (!this.books || out.full) return;
    const p = out.parts;
    let n = out.length;
    p[n++] = this.removeHead;
    p[n++] = pair;
    p[n++] = side === 'bid' ? ',side=bid,price=' : ',side=ask,price=';
    p[n++] = price;
    p[n++] = '\n';
    out.length = n;
    out.count++;
  }

  trade(pair: string, trade: TradeItem): void {
    const out = this.out;
    if (!this.trades || out.full) return;
    const p = out.parts;
    let n = out.length;
    p[n++] = this.tradeHead;
    p[n++] = pair;
    p[n++] = '=';
    p[n++] = trade.tradeId;
    p[n++] = trade.side === 'bid' ? '(tradeId),bid(bookSide),' : '(tradeId),ask(bookSide),';
    p[n++] = trade.price;
    p[n++] = '(price),';
    p[n++] = trade.size;
    p[n++] = '(size),';
    p[n++] = trade.timestamp;
    p[n++] = '(timestamp)\n';
    out.length = n;
    out.count++;
  }

  ticker(pair: string, f: TickerFields): void {
    const out = this.out;
    if (!this.tickers || out.full) return;
    const p = out.parts;
    let n = out.length;
    p[n++] = this.prefix;
    p[n++] = 'TICKER UPDATE ';
    p[n++] = pair;
    p[n++] = '=';
    p[n++] = f.last;
    p[n++] = '(last),';
    p[n++] = f.lowestAsk ?? '';
    p[n++] = '(lowestAsk),';
    p[n++] = f.highestBid ?? '';
    p[n++] = '(highestBid),';
    p[n++] = f.percentChange;
    p[n++] = '(percentChange),';
    p[n++] = f.baseVolume;
    p[n++] = '(baseVolume),';
    p[n++] = f.quoteVolume;
    p[n++] = '(quoteVolume),';
    p[n++] = f.isFrozen;
    p[n++] = '(isFrozen),';
    p[n++] = f.high24hr;
    p[n++] = '(high24hr),';
    p[n++] = f.low24hr;
    p[n++] = '(low24hr)\n';
    out.length = n;
    out.count++;
  }

  top(pair: string, bid: Level | undefined, ask: Level | undefined, spread: string | undefined): void {
    if (!this.books) return;
    const bidText = bid === undefined ? '-' : `${bid.price}@${bid.size}`;
    const askText = ask === undefined ? '-' : `${ask.price}@${ask.size}`;
    this.line(`TOP ${pair} bid=${bidText} ask=${askText} spread=${spread ?? '-'}`);
  }

  /** A snapshot level line. */
  private level(pair: string, label: string, level: Level): void {
    this.line(`${pair}${label}${level.price},${level.size})`);
  }

  /** One line of less frequent kinds, built as one string. */
  private line(text: string): void {
    this.out.addLine(this.prefix, text);
  }
}
