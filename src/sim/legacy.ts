import { formatFixed8 } from './units.js';
import type { SimBookItem, BookSnapshot, BookUpdate, PairInfo, PairTicker, TickerUpdate, TickerValues } from './events.js';

/**
 * The legacy Poloniex push API on the wire (the reference script's protocol): REST ticker map,
 * JSON commands, and frame encodings of the protocol-independent market events.
 */

/** Channel number of the ticker feed. */
export const TICKER_CHANNEL = 1002;

/** Heartbeat frame, sent after a quiet spell. */
export const HEARTBEAT_FRAME = '[1010]';

/** Whether items carry the trailing epoch-millisecond string added in late 2021. */
export type EpochMode = 'always' | 'never' | 'mixed';

/** One value of the `returnTicker` map: strings except `id`, as the exchange sent them. */
export interface RestTicker {
  readonly id: number;
  readonly last: string;
  readonly lowestAsk: string;
  readonly highestBid: string;
  readonly percentChange: string;
  readonly baseVolume: string;
  readonly quoteVolume: string;
  readonly isFrozen: string;
  readonly postOnly: string;
  readonly high24hr: string;
  readonly low24hr: string;
}

/** The body of `GET /public?command=returnTicker`. */
export function restTickerMap(tickers: readonly PairTicker[]): Record<string, RestTicker> {
  const map: Record<string, RestTicker> = {};
  for (const { pair, values } of tickers) {
    map[pair.name] = {
      id: pair.id,
      last: formatFixed8(values.last),
      lowestAsk: formatFixed8(values.lowestAsk),
      highestBid: formatFixed8(values.highestBid),
      percentChange: formatFixed8(values.percentChange),
      baseVolume: formatFixed8(values.baseVolume),
      quoteVolume: formatFixed8(values.quoteVolume),
      isFrozen: values.isFrozen ? '1' : '0',
      postOnly: '0',
      high24hr: formatFixed8(values.high24h),
      low24hr: formatFixed8(values.low24h),
    };
  }
  return map;
}

/** `[channel, 1]` after a subscribe, `[channel, 0]` after an unsubscribe. */
export function ackFrame(channel: number, subscribed: boolean): string {
  return JSON.stringify([channel, subscribed ? 1 : 0]);
}

/** The error object the exchange answers a bad command with. */
export function errorFrame(error: CommandError): string {
  return JSON.stringify({ error });
}

/** Decides per item, so 'mixed' also mixes items with and without the stamp inside one frame. */
function withEpoch(mode: EpochMode, salt: number): boolean {
  return mode === 'always' || (mode === 'mixed' && salt % 2 === 0);
}

function stamped(item: unknown[], timeMs: number, include: boolean): unknown[] {
  if (include) item.push(String(timeMs));
  return item;
}

/** `[pairId, seq, [["i", {currencyPair, orderBook: [asks, bids]}, epochMs?]]]`. */
export function encodeSnapshot(snapshot: BookSnapshot, epoch: EpochMode): string {
  // Object keys like "0.02100000" are not array indices, so insertion order is the wire order.
  const asks: Record<string, string> = {};
  for (const level of snapshot.asks) asks[formatFixed8(level.price)] = formatFixed8(level.size);
  const bids: Record<string, string> = {};
  for (const level of snapshot.bids) bids[formatFixed8(level.price)] = formatFixed8(level.size);
  const item = ['i', { currencyPair: snapshot.pair.name, orderBook: [asks, bids] }];
  return JSON.stringify([snapshot.pair.id, snapshot.seq, [stamped(item, snapshot.timeMs, withEpoch(epoch, snapshot.seq))]]);
}

function encodeItem(item: SimBookItem, timeMs: number, include: boolean): unknown[] {
  if (item.kind === 'level') {
    const side = item.side === 'bid' ? 1 : 0;
    return stamped(['o', side, formatFixed8(item.price), formatFixed8(item.size)], timeMs, include);
  }
  const side = item.taker === 'buy' ? 1 : 0;
  const seconds = Math.floor(item.timeMs / 1000);
  const trade = ['t', item.tradeId.toString(), side, formatFixed8(item.price), formatFixed8(item.size), seconds];
  return stamped(trade, item.timeMs, include);
}

/** `[pairId, seq, [item, ...]]` with "o" level and "t" trade items. */
export function encodeBookUpdate(update: BookUpdate, epoch: EpochMode): string {
  const items = update.items.map((item, i) => encodeItem(item, update.timeMs, withEpoch(epoch, update.index + i)));
  return JSON.stringify([update.pair.id, update.seq, items]);
}

/** `[1002, null, [pairId, last, ..., low24hr, postOnly?, maintenanceMode?]]`; every third has 10 fields. */
export function encodeTicker(update: TickerUpdate): string {
  return tickerFrame(update.pair.id, update.values, update.index % 3 !== 0);
}

function tickerFrame(pairId: number, v: TickerValues, long: boolean): string {
  const fields: unknown[] = [
    pairId,
    formatFixed8(v.last),
    formatFixed8(v.lowestAsk),
    formatFixed8(v.highestBid),
    formatFixed8(v.percentChange),
    formatFixed8(v.baseVolume),
    formatFixed8(v.quoteVolume),
    v.isFrozen ? 1 : 0,
    formatFixed8(v.high24h),
    formatFixed8(v.low24h),
  ];
  if (long) fields.push(0, 0);
  return JSON.stringify([TICKER_CHANNEL, null, fields]);
}

/** Frames a client must survive: one that is not JSON, two that are JSON of the wrong shape. */
export function malformedFrames(pairId: number): string[] {
  return [`[${pairId},123456789,[["o",1,"0.0210`, JSON.stringify([pairId, 'x']), JSON.stringify(['o'])];
}

/** A book frame and a ticker frame for a pair id the REST map does not list. */
export function unknownPairFrames(pairId: number, values: TickerValues): string[] {
  const book = JSON.stringify([pairId, 123_456_789, [['o', 1, '1.00000000', '1.00000000']]]);
  return [book, tickerFrame(pairId, values, false)];
}

/** The two error messages of the legacy API. */
export type CommandError = 'Invalid command.' | 'Invalid channel.';

/** What a client asked for: the ticker channel or one pair's book channel. */
export type LegacyChannel = { readonly kind: 'ticker' } | { readonly kind: 'pair'; readonly pair: PairInfo };

/** A parsed client command, or the error to answer it with. */
export type LegacyCommand =
  | { readonly ok: true; readonly action: 'subscribe' | 'unsubscribe'; readonly channel: LegacyChannel }
  | { readonly ok: false; readonly error: CommandError };

/**
 * Parses `{"command":"subscribe"|"unsubscribe","channel":1002|"BTC_ETH"|148}`. A pair may be named
 * or given by id; `findPair` resolves both.
 */
export function parseCommand(text: string, findPair: (key: string | number) => PairInfo | undefined): LegacyCommand {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ok: false, error: 'Invalid command.' };
  }
  if (typeof message !== 'object' || message === null) return { ok: false, error: 'Invalid command.' };
  const { command, channel } = message as { command?: unknown; channel?: unknown };
  if (command !== 'subscribe' && command !== 'unsubscribe') return { ok: false, error: 'Invalid command.' };
  if (channel === TICKER_CHANNEL || channel === String(TICKER_CHANNEL)) {
    return { ok: true, action: command, channel: { kind: 'ticker' } };
  }
  const pair = typeof channel === 'string' || typeof channel === 'number' ? findPair(channel) : undefined;
  if (pair === undefined) return { ok: false, error: 'Invalid channel.' };
  return { ok: true, action: command, channel: { kind: 'pair', pair } };
}
