import { formatFixed8 } from './units.js';
import type { SimBookItem, BookSnapshot, BookUpdate, SimLevel, TickerUpdate } from './events.js';

/**
 * The test oracle: a semantic log of what one connection was sent, rendered as the lines a
 * correct client prints, in the reference script's formats byte for byte (without timestamps).
 * Written from the reference script alone, independently of the client code it judges.
 */

/** Records beyond this many are dropped, so an endless demo cannot grow memory without bound. */
const MAX_RECORDS = 200_000;

type LogRecord =
  | { readonly kind: 'snapshot'; readonly pair: string; readonly asks: readonly SimLevel[]; readonly bids: readonly SimLevel[] }
  | { readonly kind: 'book'; readonly pair: string; readonly items: readonly SimBookItem[]; readonly gap: boolean }
  | { readonly kind: 'ticker'; readonly pair: string; readonly update: TickerUpdate };

/** Collects what was sent on one connection; fault frames are deliberately not recorded. */
export class LegacyOracle {
  private readonly records: LogRecord[] = [];
  private truncated = false;

  /** A snapshot frame was sent: the pair's book lines (re)start here. */
  snapshot(snapshot: BookSnapshot): void {
    this.push({ kind: 'snapshot', pair: snapshot.pair.name, asks: snapshot.asks, bids: snapshot.bids });
  }

  /** A book update was sent; `gap` marks the frame whose seq skipped one. */
  book(update: BookUpdate, gap: boolean): void {
    this.push({ kind: 'book', pair: update.pair.name, items: update.items, gap });
  }

  /** A ticker frame was sent. */
  ticker(update: TickerUpdate): void {
    this.push({ kind: 'ticker', pair: update.pair.name, update });
  }

  /**
   * The lines a correct client prints, in order. From a gap frame on, a pair's book lines stop
   * until the next snapshot of that pair; its ticker lines continue (the ticker channel has no
   * seq). `depth` is how many top levels of each side a snapshot prints.
   */
  render(depth = 1): string[] {
    if (this.truncated) throw new Error(`connection log truncated after ${MAX_RECORDS} records; expected lines unknown`);
    const lines: string[] = [];
    const desynced = new Set<string>();
    for (const record of this.records) {
      if (record.kind === 'snapshot') {
        desynced.delete(record.pair);
        lines.push(...snapshotLines(record.pair, record.asks, record.bids, depth));
      } else if (record.kind === 'ticker') {
        lines.push(tickerLine(record.pair, record.update));
      } else {
        if (record.gap) desynced.add(record.pair);
        if (desynced.has(record.pair)) continue;
        for (const item of record.items) lines.push(itemLine(record.pair, item));
      }
    }
    return lines;
  }

  private push(record: LogRecord): void {
    if (this.records.length >= MAX_RECORDS) this.truncated = true;
    else this.records.push(record);
  }
}

function snapshotLines(pair: string, asks: readonly SimLevel[], bids: readonly SimLevel[], depth: number): string[] {
  const level = (l: SimLevel): string => `(${formatFixed8(l.price)},${formatFixed8(l.size)})`;
  return [
    ...asks.slice(0, depth).map((l) => `${pair} book: asks((price,size)): ${level(l)}`),
    ...bids.slice(0, depth).map((l) => `${pair} book: bids((price,size)): ${level(l)}`),
  ];
}

function itemLine(pair: string, item: SimBookItem): string {
  if (item.kind === 'trade') {
    const side = item.taker === 'buy' ? 'bid' : 'ask';
    const seconds = Math.floor(item.timeMs / 1000);
    return `TRADE ${pair}=${item.tradeId}(tradeId),${side}(bookSide),${formatFixed8(item.price)}(price),${formatFixed8(item.size)}(size),${seconds}(timestamp)`;
  }
  if (item.size === 0n) return `Remove ${pair},side=${item.side},price=${formatFixed8(item.price)}`;
  return `Add or change ${pair},side=${item.side},price=${formatFixed8(item.price)},size=${formatFixed8(item.size)}`;
}

function tickerLine(pair: string, update: TickerUpdate): string {
  const v = update.values;
  return (
    `TICKER UPDATE ${pair}=${formatFixed8(v.last)}(last),${formatFixed8(v.lowestAsk)}(lowestAsk),` +
    `${formatFixed8(v.highestBid)}(highestBid),${formatFixed8(v.percentChange)}(percentChange),` +
    `${formatFixed8(v.baseVolume)}(baseVolume),${formatFixed8(v.quoteVolume)}(quoteVolume),` +
    `${v.isFrozen ? 1 : 0}(isFrozen),${formatFixed8(v.high24h)}(high24hr),${formatFixed8(v.low24h)}(low24hr)`
  );
}
