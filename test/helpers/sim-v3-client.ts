/**
 * Test clients and readers for the simulator's current API (v3): message filters, a book
 * rebuilt from the messages as a client would, a shape descriptor for comparing messages with
 * the real exchange's, and a minimal client written from the brief, independently of the oracle.
 */
import { Collector, type Received } from './sim-client.js';

/** A v3 message as JSON: an event (ack, error, pong) or channel data. */
export interface V3Json {
  readonly event?: string;
  readonly channel?: string;
  readonly action?: string;
  readonly symbols?: string[];
  readonly message?: string;
  readonly data?: Array<Record<string, unknown>>;
}

/** The message as a v3 object, or undefined for anything else (not JSON, an array). */
export const asV3 = (json: unknown): V3Json | undefined =>
  typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as V3Json) : undefined;

/** The v3 market messages (book updates, trades, tickers) among `frames`: no snapshot, ack, pong or error. */
export const v3Market = (frames: readonly Received[]): V3Json[] =>
  frames.map((f) => asV3(f.json)).filter((m): m is V3Json => m?.event === undefined && m?.channel !== undefined && m.action !== 'snapshot');

/** One book_lv2 data item with its message's action. */
export interface BookEntry {
  readonly action: string;
  readonly item: Record<string, unknown>;
}

/** Every book_lv2 data item among `frames` (snapshots and updates), per symbol in arrival order. */
export function v3BookItems(frames: readonly Received[]): Map<string, BookEntry[]> {
  const bySymbol = new Map<string, BookEntry[]>();
  for (const m of frames.map((f) => asV3(f.json))) {
    if (m?.channel !== 'book_lv2' || !Array.isArray(m.data)) continue;
    for (const item of m.data) {
      const list = bySymbol.get(String(item.symbol)) ?? [];
      list.push({ action: String(m.action), item });
      bySymbol.set(String(item.symbol), list);
    }
  }
  return bySymbol;
}

type Levels = Map<string, string>;

/** What rebuilding a symbol's book from its messages showed. */
export interface WindowStats {
  /** Most levels either side ever held. */
  deepest: number;
  /** New prices worse than every level the side held: levels entering the window from below. */
  enteredFromBelow: number;
  /** Removals of the side's worst level while it held 20 or more: levels leaving at the bottom. */
  leftAtBottom: number;
}

/**
 * Rebuilds each symbol's book from its snapshot and updates, as a client does, and reports how
 * deep it got and how levels came and went at its bottom edge.
 */
export function windowStats(entries: readonly BookEntry[]): WindowStats {
  const stats: WindowStats = { deepest: 0, enteredFromBelow: 0, leftAtBottom: 0 };
  const book = { asks: new Map() as Levels, bids: new Map() as Levels };
  for (const { action, item } of entries) {
    if (action === 'snapshot') {
      book.asks = new Map(item.asks as Array<[string, string]>);
      book.bids = new Map(item.bids as Array<[string, string]>);
    } else {
      for (const side of ['asks', 'bids'] as const) {
        // Worse = higher for asks, lower for bids.
        const worse = (a: number, b: number): boolean => (side === 'asks' ? a > b : a < b);
        const levels = book[side];
        for (const [price, quantity] of item[side] as Array<[string, string]>) {
          const prices = [...levels.keys()].map(Number);
          const worst = prices.reduce((w, p) => (worse(p, w) ? p : w), prices[0] ?? NaN);
          if (Number(quantity) === 0) {
            if (levels.size >= 20 && Number(price) === worst) stats.leftAtBottom += 1;
            levels.delete(price);
          } else {
            if (!levels.has(price) && prices.length > 0 && prices.every((p) => worse(Number(price), p))) stats.enteredFromBelow += 1;
            levels.set(price, quantity);
          }
        }
      }
    }
    stats.deepest = Math.max(stats.deepest, book.asks.size, book.bids.size);
  }
  return stats;
}

/**
 * A value's shape: objects as their keys (in order) with each value's shape, arrays as the set
 * of their elements' shapes, strings that are plain decimals as "decimal", other values as their
 * JSON type. Two messages of the same shape differ only in values.
 */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return { array: [...new Set(value.map((v) => JSON.stringify(shapeOf(v))))].sort() };
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([key, v]) => [key, shapeOf(v)]);
  if (typeof value === 'string') return /^-?\d+(\.\d+)?$/.test(value) ? 'decimal' : 'string';
  return typeof value;
}

const isLevels = (v: unknown): v is Array<[string, string]> => Array.isArray(v) && v.every((l) => Array.isArray(l) && l.length === 2);
const best = (levels: Levels | undefined, pick: (a: number, b: number) => boolean): string =>
  [...(levels?.keys() ?? [])].reduce<string>((top, p) => (top === '' || pick(Number(p), Number(top)) ? p : top), '');

/**
 * A minimal v3 client written from the brief, independently of the simulator's oracle: it prints
 * the reference script's lines, ignores what it cannot use, drops stale book updates, and after a
 * book_lv2 id gap unsubscribes the symbol and subscribes it again, trusting nothing until the
 * fresh snapshot. A resubscribe refused with "Already subscribed" is retried the same way.
 */
export class V3ReferenceClient extends Collector {
  readonly lines = new Map<number, string[]>();
  /** "Already subscribed" errors received. */
  refusals = 0;
  private readonly states: ReadonlyMap<string, string>;
  private readonly books = new Map<string, { asks: Levels; bids: Levels; id: number }>();
  private readonly resyncing = new Set<string>();
  private readonly resubscribeDelayMs: number;

  /** `states`: symbol -> /markets state; `depths`: snapshot depths to print lines for. */
  constructor(url: string, states: ReadonlyMap<string, string>, depths: readonly number[], resubscribeDelayMs = 0) {
    super(url);
    this.states = states;
    this.resubscribeDelayMs = resubscribeDelayMs;
    for (const depth of depths) this.lines.set(depth, []);
  }

  private print(line: string): void {
    for (const out of this.lines.values()) out.push(line);
  }

  private later(command: unknown): void {
    setTimeout(() => this.send(command), this.resubscribeDelayMs);
  }

  protected override onFrame({ json }: Received): void {
    const m = asV3(json);
    if (m?.event === 'unsubscribe' && m.channel === 'book_lv2') {
      const again = (m.symbols ?? []).filter((s) => this.resyncing.has(s));
      if (again.length > 0) this.later({ event: 'subscribe', channel: ['book_lv2'], symbols: again });
    }
    if (m?.event === 'error' && m.message === 'Already subscribed') {
      // The error does not say which request it answers: start over for every symbol still resyncing.
      this.refusals += 1;
      if (this.resyncing.size > 0) this.later({ event: 'unsubscribe', channel: ['book_lv2'], symbols: [...this.resyncing] });
    }
    if (m === undefined || !Array.isArray(m.data)) return;
    for (const item of m.data) {
      const symbol = item?.symbol;
      if (typeof symbol !== 'string' || !this.states.has(symbol)) continue;
      if (m.channel === 'book_lv2') this.onBook(m.action === 'snapshot', symbol, item);
      else if (m.channel === 'trades' && typeof item.price === 'string') {
        this.print(`TRADE ${symbol}=${item.id}(tradeId),${item.takerSide === 'buy' ? 'bid' : 'ask'}(bookSide),${item.price}(price),${item.quantity}(size),${item.createTime}(timestamp)`);
      } else if (m.channel === 'ticker' && typeof item.close === 'string') {
        const book = this.books.get(symbol);
        const frozen = this.states.get(symbol) === 'NORMAL' ? 0 : 1;
        this.print(`TICKER UPDATE ${symbol}=${item.close}(last),${best(book?.asks, (a, b) => a < b)}(lowestAsk),${best(book?.bids, (a, b) => a > b)}(highestBid),${item.dailyChange}(percentChange),${item.amount}(baseVolume),${item.quantity}(quoteVolume),${frozen}(isFrozen),${item.high}(high24hr),${item.low}(low24hr)`);
      }
    }
  }

  private onBook(snapshot: boolean, symbol: string, item: Record<string, unknown>): void {
    const { asks, bids, lastId, id } = item;
    if (!isLevels(asks) || !isLevels(bids) || typeof lastId !== 'number' || typeof id !== 'number') return;
    if (snapshot) {
      this.resyncing.delete(symbol);
      this.books.set(symbol, { asks: new Map(asks), bids: new Map(bids), id });
      for (const [depth, out] of this.lines) {
        for (const [p, q] of asks.slice(0, depth)) out.push(`${symbol} book: asks((price,size)): (${p},${q})`);
        for (const [p, q] of bids.slice(0, depth)) out.push(`${symbol} book: bids((price,size)): (${p},${q})`);
      }
      return;
    }
    const book = this.books.get(symbol);
    if (book === undefined || id <= book.id) return;
    if (lastId !== book.id) {
      this.books.delete(symbol);
      this.resyncing.add(symbol);
      this.send({ event: 'unsubscribe', channel: ['book_lv2'], symbols: [symbol] });
      return;
    }
    book.id = id;
    for (const [side, levels, list] of [['ask', book.asks, asks], ['bid', book.bids, bids]] as const) {
      for (const [p, q] of list) {
        if (Number(q) === 0) this.print(`Remove ${symbol},side=${side},price=${p}`);
        else this.print(`Add or change ${symbol},side=${side},price=${p},size=${q}`);
        if (Number(q) === 0) levels.delete(p);
        else levels.set(p, q);
      }
    }
  }
}
