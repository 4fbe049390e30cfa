import type { BookItem, Level, TickerFields, TradeItem } from '../protocol/types.js';

/**
 * What polo-ws writes to NATS JetStream (--publish) and reads back (`polo-ws subscribe`): one
 * JetStream message per applied event, JSON, on `poloniex.<book|trade|ticker>.<PAIR>`.
 *
 *   book    {"pair","seq","prevSeq"?,"at","items":[item, ...]}, an item one of ["snapshot",[[p,s],...asks],[[p,s],...bids]],
 *           ["bid"|"ask",p,s] (size 0: removed), ["trade",id,"buy"|"sell",p,s,time] (legacy sends trades in book messages)
 *           "checkpoint": true on a publisher's periodic snapshot of its own live book (--publish-snapshots)
 *   trade   {"pair","at","id","side":"buy"|"sell","price","size","time"}; "seq" when it is a copy of a trade in that book message
 *   ticker  {"pair","at","time"?,"last","lowestAsk","highestBid","percentChange","baseVolume","quoteVolume","isFrozen","high24hr","low24hr"}
 *
 * "at" is the receive time (epoch ms) the publisher stamped its lines with. Every text value is a
 * plain token checked at decode (decimals, ids, digits, pair names), so the JSON is written by hand
 * without escaping; the consumer checks it again (wire-decode.ts): a bus is input like any other.
 */

/** The subject prefix: consumers filter `poloniex.book.*`, `poloniex.*.BTC_USDT`, `poloniex.>`. */
export const SUBJECT_ROOT = 'poloniex';

export type BusKind = 'book' | 'trade' | 'ticker';

/**
 * A pair as a subject token: a pair name may hold '.', which NATS reads as a token separator, so
 * it is written '~' (never in a pair name: the mapping is one to one).
 */
export function pairToken(pair: string): string {
  return pair.includes('.') ? pair.replaceAll('.', '~') : pair;
}

export function subjectOf(kind: BusKind, pair: string): string {
  return `${SUBJECT_ROOT}.${kind}.${pairToken(pair)}`;
}

/** One message to publish: its subject, JSON text and JetStream message id (for de-duplication). */
export interface BusMessage {
  readonly subject: string;
  readonly data: string;
  /** Derived from the exchange's identity of the event, so two publishers of one feed agree on it. */
  readonly id: string;
}

function levels(list: readonly Level[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    const level = list[i] as Level;
    out += `${i === 0 ? '' : ','}["${level.price}","${level.size}"]`;
  }
  return `${out}]`;
}

function tradeSide(trade: TradeItem): string {
  return trade.side === 'bid' ? 'buy' : 'sell';
}

function bookItems(items: readonly BookItem[], from: number): string {
  let out = '[';
  for (let i = from; i < items.length; i++) {
    const item = items[i] as BookItem;
    if (i > from) out += ',';
    if (item.kind === 'snapshot') out += `["snapshot",${levels(item.asks)},${levels(item.bids)}]`;
    else if (item.kind === 'level') out += `["${item.side}","${item.price}","${item.size}"]`;
    else out += `["trade","${item.tradeId}","${tradeSide(item)}","${item.price}","${item.size}","${item.timestamp}"]`;
  }
  return `${out}]`;
}

function tradeFields(trade: TradeItem): string {
  return `"id":"${trade.tradeId}","side":"${tradeSide(trade)}","price":"${trade.price}","size":"${trade.size}","time":"${trade.timestamp}"`;
}

/**
 * A book message from `from` on, as one JetStream message with its items in the exchange's order:
 * legacy sends trades inside book messages, and they stay there (so a consumer of the book prints
 * them where the publisher did). Each such trade is also copied to the trade subject, marked with
 * the book message's "seq", for consumers of trades alone; consumers of the book skip the copies.
 */
export function bookMessages(
  pair: string,
  seq: number,
  prevSeq: number | undefined,
  items: readonly BookItem[],
  from: number,
  at: number,
): BusMessage[] {
  const snapshot = (items[from] as BookItem | undefined)?.kind === 'snapshot';
  const data = `{"pair":"${pair}","seq":${seq}${prevSeq === undefined ? '' : `,"prevSeq":${prevSeq}`},"at":${at},"items":${bookItems(items, from)}}`;
  const book: BusMessage = { subject: subjectOf('book', pair), data, id: `${pair}:${snapshot ? 's' : 'u'}:${seq}` };
  let messages: BusMessage[] | undefined;
  for (let i = from; i < items.length; i++) {
    const item = items[i] as BookItem;
    if (item.kind !== 'trade') continue;
    messages ??= [book];
    messages.push({ subject: subjectOf('trade', pair), data: `{"pair":"${pair}","seq":${seq},"at":${at},${tradeFields(item)}}`, id: `${pair}:t:${item.tradeId}` });
  }
  return messages ?? [book];
}

/**
 * A publisher's snapshot of its own live book at `seq`, all levels ("checkpoint": true), so a
 * subscriber that starts late has books within one interval. Skipped by one whose book is live.
 */
export function checkpointMessage(pair: string, seq: number, asks: readonly Level[], bids: readonly Level[], at: number): BusMessage {
  const data = `{"pair":"${pair}","seq":${seq},"at":${at},"checkpoint":true,"items":[["snapshot",${levels(asks)},${levels(bids)}]]}`;
  return { subject: subjectOf('book', pair), data, id: `${pair}:c:${seq}` };
}

export function tradeMessage(pair: string, trade: TradeItem, at: number): BusMessage {
  return { subject: subjectOf('trade', pair), data: `{"pair":"${pair}","at":${at},${tradeFields(trade)}}`, id: `${pair}:t:${trade.tradeId}` };
}

/**
 * A ticker with the columns as printed (v3's bid and ask from the publisher's book). Its id is the
 * exchange's time for it; without one (legacy) `fallbackId` names it, unique to this publisher.
 */
export function tickerMessage(pair: string, fields: TickerFields, time: string | undefined, at: number, fallbackId: string): BusMessage {
  const data =
    `{"pair":"${pair}","at":${at}${time === undefined ? '' : `,"time":"${time}"`},"last":"${fields.last}","lowestAsk":"${fields.lowestAsk ?? ''}",` +
    `"highestBid":"${fields.highestBid ?? ''}","percentChange":"${fields.percentChange}","baseVolume":"${fields.baseVolume}",` +
    `"quoteVolume":"${fields.quoteVolume}","isFrozen":"${fields.isFrozen}","high24hr":"${fields.high24hr}","low24hr":"${fields.low24hr}"}`;
  return { subject: subjectOf('ticker', pair), data, id: time === undefined ? `${pair}:k:${fallbackId}` : `${pair}:k:${time}` };
}
