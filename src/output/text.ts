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
    out.put(this.changeHead);
    out.put(pair);
    out.put(side === 'bid' ? ',side=bid,price=' : ',side=ask,price=');
    out.put(price);
    out.put(',size=');
    out.put(size);
    out.end('\n');
  }

  remove(pair: string, side: Side, price: string): void {
    const out = this.out;
    if (!this.books || out.full) return;
    out.put(this.removeHead);
    out.put(pair);
    out.put(side === 'bid' ? ',side=bid,price=' : ',side=ask,price=');
    out.put(price);
    out.end('\n');
  }

  trade(pair: string, trade: TradeItem): void {
    const out = this.out;
    if (!this.trades || out.full) return;
    out.put(this.tradeHead);
    out.put(pair);
    out.put('=');
    out.put(trade.tradeId);
    out.put(trade.side === 'bid' ? '(tradeId),bid(bookSide),' : '(tradeId),ask(bookSide),');
    out.put(trade.price);
    out.put('(price),');
    out.put(trade.size);
    out.put('(size),');
    out.put(trade.timestamp);
    out.end('(timestamp)\n');
  }

  ticker(pair: string, f: TickerFields): void {
    const out = this.out;
    if (!this.tickers || out.full) return;
    out.put(this.prefix);
    out.put('TICKER UPDATE ');
    out.put(pair);
    out.put('=');
    out.put(f.last);
    out.put('(last),');
    out.put(f.lowestAsk ?? '');
    out.put('(lowestAsk),');
    out.put(f.highestBid ?? '');
    out.put('(highestBid),');
    out.put(f.percentChange);
    out.put('(percentChange),');
    out.put(f.baseVolume);
    out.put('(baseVolume),');
    out.put(f.quoteVolume);
    out.put('(quoteVolume),');
    out.put(f.isFrozen);
    out.put('(isFrozen),');
    out.put(f.high24hr);
    out.put('(high24hr),');
    out.put(f.low24hr);
    out.end('(low24hr)\n');
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
