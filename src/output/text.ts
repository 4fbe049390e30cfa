import type { PrintEvent } from '../book/processor.js';

/**
 * The reference script's line formats, byte for byte after the timestamp. Scripts grep and awk
 * these: they are the contract.
 */
export function formatEvent(event: PrintEvent, push: (line: string) => void): void {
  switch (event.kind) {
    case 'book':
      for (const level of event.asks) push(`${event.pair} book: asks((price,size)): (${level.price},${level.size})`);
      for (const level of event.bids) push(`${event.pair} book: bids((price,size)): (${level.price},${level.size})`);
      return;
    case 'change':
      push(`Add or change ${event.pair},side=${event.side},price=${event.price},size=${event.size}`);
      return;
    case 'remove':
      push(`Remove ${event.pair},side=${event.side},price=${event.price}`);
      return;
    case 'trade':
      push(
        `TRADE ${event.pair}=${event.tradeId}(tradeId),${event.side}(bookSide),${event.price}(price),` +
          `${event.size}(size),${event.timestamp}(timestamp)`,
      );
      return;
    case 'top': {
      const bid = event.bid === undefined ? '-' : `${event.bid.price}@${event.bid.size}`;
      const ask = event.ask === undefined ? '-' : `${event.ask.price}@${event.ask.size}`;
      push(`TOP ${event.pair} bid=${bid} ask=${ask} spread=${event.spread ?? '-'}`);
      return;
    }
    case 'ticker': {
      const f = event.fields;
      push(
        `TICKER UPDATE ${event.pair}=${f.last}(last),${f.lowestAsk ?? ''}(lowestAsk),${f.highestBid ?? ''}(highestBid),` +
          `${f.percentChange}(percentChange),${f.baseVolume}(baseVolume),${f.quoteVolume}(quoteVolume),` +
          `${f.isFrozen}(isFrozen),${f.high24hr}(high24hr),${f.low24hr}(low24hr)`,
      );
      return;
    }
  }
}
