import type { Trade } from './events.js';
import { Market } from './market.js';
import { hash32 } from './rng.js';
import { V3_CLOCK_START_MS, type V3Listing, type V3Symbol } from './v3-listing.js';
import { BookIds } from './v3-sequence.js';
import { BookWindows, type WindowLevels } from './v3-window.js';
import { bookItem, tickerItem, tradeItem, type V3BookItem, type V3TickerItem, type V3TradeItem } from './v3-wire.js';

/** One message's worth of a market event: the real exchange sends one item per message. */
export type V3Piece =
  | { readonly kind: 'ticker'; readonly item: V3TickerItem }
  | { readonly kind: 'trades'; readonly item: V3TradeItem }
  /** A change of the symbol's window, numbered only when it goes out (or is passed over). */
  | { readonly kind: 'book_lv2'; readonly timeMs: number; readonly change: WindowLevels };

/**
 * The seeded market of the current API: its clock in the API's era, its sizes on per-pair grids
 * (quantityScale). REST's opening state and every connection's market are built alike.
 */
export function v3Market(config: { readonly seed: number; readonly pairs: number; readonly depth: number }): Market {
  return new Market({ seed: config.seed, pairs: config.pairs, depth: config.depth, startMs: V3_CLOCK_START_MS, coarseSizes: true });
}

/** What one market event makes, for a symbol: its pieces in the order they go out. */
export interface V3Event {
  readonly entry: V3Symbol;
  readonly pieces: readonly V3Piece[];
}

/**
 * One connection's view of the current API's market: its own copy of the seeded market, each
 * symbol's 20-level book_lv2 window and id chain, and the data items they make. It says what
 * happened; the connection decides what of it this client subscribed to.
 */
export class V3Feed {
  readonly market: Market;
  private readonly listing: V3Listing;
  private readonly windows: BookWindows;
  private readonly ids: BookIds;
  private readonly seed: number;

  constructor(seed: number, pairs: number, depth: number, listing: V3Listing) {
    this.market = v3Market({ seed, pairs, depth });
    this.listing = listing;
    this.windows = new BookWindows(this.market);
    this.ids = new BookIds(seed);
    this.seed = seed;
  }

  /** Steps the market by one event: a ticker, or trades (one piece each) then the window's change if any. */
  next(): V3Event {
    const event = this.market.next();
    const entry = this.listing.ofPair(event.pair.id);
    if (event.kind === 'ticker') {
      return { entry, pieces: [{ kind: 'ticker', item: tickerItem(event.pair, entry.symbol, event.values, event.timeMs) }] };
    }
    const pieces: V3Piece[] = event.items
      .filter((item): item is Trade => item.kind === 'trade')
      .map((trade) => ({ kind: 'trades', item: tradeItem(entry.symbol, trade, this.salt(event.pair.id, Number(trade.tradeId))) }));
    const change = this.windows.update(event.pair.id);
    if (change !== undefined) pieces.push({ kind: 'book_lv2', timeMs: event.timeMs, change });
    return { entry, pieces };
  }

  /**
   * The update item of a window change going out now: the next id of its symbol. With `skipOne`
   * (the gap fault) an id is lost first.
   */
  update(entry: V3Symbol, piece: Extract<V3Piece, { readonly kind: 'book_lv2' }>, skipOne: boolean): V3BookItem {
    const ids = this.ids.advance(entry.pair.id, skipOne);
    return bookItem(entry.symbol, piece.timeMs, piece.change, ids, this.salt(entry.pair.id, ids.id));
  }

  /** A window change this connection does not send: its symbol's id moves on all the same. */
  pass(entry: V3Symbol): void {
    this.ids.advance(entry.pair.id);
  }

  /** A snapshot item of the symbol's window as it is now, with its latest id. */
  snapshot(entry: V3Symbol): V3BookItem {
    const ids = this.ids.current(entry.pair.id);
    return bookItem(entry.symbol, this.market.nowMs, this.windows.current(entry.pair.id), ids, this.salt(entry.pair.id, ids.id));
  }

  /** Names a message for quantityText: the same message is padded alike on every connection. */
  private salt(pairId: number, id: number): number {
    return hash32(this.seed, pairId, id);
  }
}
