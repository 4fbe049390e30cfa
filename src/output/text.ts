import type { PrintEvent } from '../book/processor.js';

/** Where formatted lines go: one call per line, without the newline. */
export interface LineOut {
  add(line: string): void;
}

/**
 * The reference script's line formats, byte for byte, after `prefix` (the timestamp). Scripts grep
 * and awk these: they are the contract.
 */
export function formatEvent(event: PrintEvent, out: LineOut, prefix = ''): void {
  switch (event.kind) {
    case 'book':
      for (const level of event.asks) out.add(prefix + `${event.pair} book: asks((price,size)): (${level.price},${level.size})`);
      for (const level of event.bids) out.add(prefix + `${event.pair} book: bids((price,size)): (${level.price},${level.size})`);
      return;
    case 'change':
      out.add(prefix + `Add or change ${event.pair},side=${event.side},price=${event.price},size=${event.size}`);
      return;
    case 'remove':
      out.add(prefix + `Remove ${event.pair},side=${event.side},price=${event.price}`);
      return;
    case 'trade':
      out.add(prefix + 
        `TRADE ${event.pair}=${event.tradeId}(tradeId),${event.side}(bookSide),${event.price}(price),` +
          `${event.size}(size),${event.timestamp}(timestamp)`,
      );
      return;
    case 'top': {
      const bid = event.bid === undefined ? '-' : `${event.bid.price}@${event.bid.size}`;
      const ask = event.ask === undefined ? '-' : `${event.ask.price}@${event.ask.size}`;
      out.add(prefix + `TOP ${event.pair} bid=${bid} ask=${ask} spread=${event.spread ?? '-'}`);
      return;
    }
    case 'ticker': {
      const f = event.fields;
      out.add(prefix + 
        `TICKER UPDATE ${event.pair}=${f.last}(last),${f.lowestAsk ?? ''}(lowestAsk),${f.highestBid ?? ''}(highestBid),` +
          `${f.percentChange}(percentChange),${f.baseVolume}(baseVolume),${f.quoteVolume}(quoteVolume),` +
          `${f.isFrozen}(isFrozen),${f.high24hr}(high24hr),${f.low24hr}(low24hr)`,
      );
      return;
    }
  }
}
