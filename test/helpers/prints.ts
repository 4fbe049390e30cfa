import type { Level, Side } from '../../src/book/book.js';
import type { Printer } from '../../src/book/processor.js';
import type { TickerFields, TradeItem } from '../../src/protocol/types.js';

/** One Printer call as data, so tests can state what the processor printed. */
export type PrintEvent =
  | { readonly kind: 'book'; readonly pair: string; readonly asks: readonly Level[]; readonly bids: readonly Level[] }
  | { readonly kind: 'change'; readonly pair: string; readonly side: Side; readonly price: string; readonly size: string }
  | { readonly kind: 'remove'; readonly pair: string; readonly side: Side; readonly price: string }
  | ({ readonly pair: string } & TradeItem)
  | { readonly kind: 'ticker'; readonly pair: string; readonly fields: TickerFields }
  | { readonly kind: 'top'; readonly pair: string; readonly bid: Level | undefined; readonly ask: Level | undefined; readonly spread: string | undefined };

/** A Printer that records its calls. */
export class PrintCollector implements Printer {
  readonly prints: PrintEvent[] = [];

  book(pair: string, asks: readonly Level[], bids: readonly Level[]): void {
    this.prints.push({ kind: 'book', pair, asks, bids });
  }
  change(pair: string, side: Side, price: string, size: string): void {
    this.prints.push({ kind: 'change', pair, side, price, size });
  }
  remove(pair: string, side: Side, price: string): void {
    this.prints.push({ kind: 'remove', pair, side, price });
  }
  trade(pair: string, trade: TradeItem): void {
    this.prints.push({ ...trade, pair });
  }
  ticker(pair: string, fields: TickerFields): void {
    this.prints.push({ kind: 'ticker', pair, fields });
  }
  top(pair: string, bid: Level | undefined, ask: Level | undefined, spread: string | undefined): void {
    this.prints.push({ kind: 'top', pair, bid, ask, spread });
  }
}

/** Makes the Printer call that `event` describes. */
export function replayPrint(printer: Printer, event: PrintEvent): void {
  switch (event.kind) {
    case 'book':
      return printer.book(event.pair, event.asks, event.bids);
    case 'change':
      return printer.change(event.pair, event.side, event.price, event.size);
    case 'remove':
      return printer.remove(event.pair, event.side, event.price);
    case 'trade':
      return printer.trade(event.pair, event);
    case 'ticker':
      return printer.ticker(event.pair, event.fields);
    case 'top':
      return printer.top(event.pair, event.bid, event.ask, event.spread);
  }
}
