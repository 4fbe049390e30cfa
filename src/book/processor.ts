import { OrderBook, type Level, type Side } from './book.js';
import { compareDecimal, subtractDecimal } from './decimal.js';
import type { BookItem, FeedEvent, TickerFields, TradeItem } from '../protocol/types.js';

/**
 * Where the processor's output goes: one call per thing to print, already checked against the
 * sequence. Calls instead of event objects, so the hot path allocates nothing between book and line.
 */
export interface Printer {
  /** A snapshot's best levels, best first (--depth per side). */
  book(pair: string, asks: readonly Level[], bids: readonly Level[]): void;
  change(pair: string, side: Side, price: string, size: string): void;
  remove(pair: string, side: Side, price: string): void;
  trade(pair: string, trade: TradeItem): void;
  ticker(pair: string, fields: TickerFields): void;
  /** Best bid and ask after they changed (--top); spread is ask - bid, exact, when both exist. */
  top(pair: string, bid: Level | undefined, ask: Level | undefined, spread: string | undefined): void;
}

/** Why a pair's book can no longer be trusted and needs a fresh snapshot. */
export interface Gap {
  readonly pair: string;
  /** The sequence number the pair's next message had to follow. */
  readonly last: number;
  /** The message that did not follow it: its seq and the seq it claims to follow (v3). */
  readonly seq: number;
  readonly prevSeq: number | undefined;
  /** Set when the pair's book was dropped for holding too many levels, not for its sequence. */
  readonly overflow?: Overflow;
}

/** A book past a level limit: the levels counted and the limit, on one side or in all books. */
export interface Overflow {
  readonly scope: 'side' | 'books';
  readonly levels: number;
  readonly limit: number;
}

/**
 * Levels one side of a book may hold. A real book is far smaller (v3's book_lv2 is a 20-level
 * window; the legacy API's deepest books held a few thousand a side): a side past this is a broken
 * or hostile feed, and dropping it keeps polo-ws's memory bounded (a level costs some 64 bytes).
 */
export const MAX_SIDE_LEVELS = 100_000;
/** Levels all books together may hold (the market list names up to thousands of pairs). */
export const MAX_BOOK_LEVELS = 2_000_000;

type PairState = 'awaiting' | 'live' | 'resyncing';

interface PairBook {
  state: PairState;
  /** In resync after a gap of its own (not a reconnect's reset): its next snapshot counts as a resync. */
  gapped: boolean;
  last: number;
  readonly book: OrderBook;
  /** Levels its book held after its last message, as counted in BookProcessor's total. */
  levels: number;
  /** Best bid and ask as last reported by --top (undefined before the first report). */
  top: { readonly bid: Level | undefined; readonly ask: Level | undefined } | undefined;
}

/**
 * Told of every event the processor applied, as it applied it (--publish): a book message from its
 * snapshot on (`from`), a trade, a ticker with the columns it printed. Duplicates, messages of a
 * book that is not live and messages that broke the sequence are not applied, so not told.
 */
export interface AppliedTap {
  book(event: BookEvent, from: number): void;
  trade(pair: string, trade: TradeItem): void;
  ticker(pair: string, fields: TickerFields, time: string | undefined): void;
}

type BookEvent = Extract<FeedEvent, { kind: 'book' }>;

export interface ProcessorOptions {
  /** Levels per side printed for each snapshot. */
  readonly depth: number;
  /** Report best bid/ask changes (--top). */
  readonly top: boolean;
  /**
   * A snapshot older than the live book is skipped, and a publisher's checkpoint no newer than it (a
   * consumer of NATS: a second publisher's snapshot arrives after updates past it). A live feed
   * applies every snapshot.
   */
  readonly skipOlderSnapshots?: boolean;
  readonly tap?: AppliedTap | undefined;
  /** MAX_SIDE_LEVELS and MAX_BOOK_LEVELS unless given (tests). */
  readonly maxSideLevels?: number;
  readonly maxBookLevels?: number;
}

/** Running counts, for the summary line and tests. */
export interface ProcessorCounts {
  gaps: number;
  /** Books dropped for holding too many levels (each also counts as a gap). */
  overflows: number;
  /** Books brought back by a fresh snapshot after a gap. */
  resyncs: number;
  duplicates: number;
  /** Book messages dropped because their pair had no trusted book (before a snapshot, during a resync). */
  unsynced: number;
}

/**
 * The sequence-checking order-book processor: keeps every pair's full book, drops duplicates, and
 * on a gap stops printing that pair until its fresh snapshot. Pure: no I/O, no timers.
 */
export class BookProcessor {
  private readonly pairs = new Map<string, PairBook>();
  readonly counts: ProcessorCounts = { gaps: 0, overflows: 0, resyncs: 0, duplicates: 0, unsynced: 0 };

  private readonly depth: number;
  private readonly top: boolean;
  private readonly skipOlderSnapshots: boolean;
  private readonly tap: AppliedTap | undefined;
  private readonly maxSideLevels: number;
  private readonly maxBookLevels: number;
  /** Levels held in all books, as of each pair's last message. */
  private levels = 0;

  constructor(options: ProcessorOptions) {
    this.depth = options.depth;
    this.top = options.top;
    this.skipOlderSnapshots = options.skipOlderSnapshots === true;
    this.tap = options.tap;
    this.maxSideLevels = options.maxSideLevels ?? MAX_SIDE_LEVELS;
    this.maxBookLevels = options.maxBookLevels ?? MAX_BOOK_LEVELS;
  }

  /**
   * Applies one decoded event, telling `out` what to print. Returns the gap when this event broke
   * its pair's sequence, or left its book over a level limit (dropped, as after a gap): the caller
   * resubscribes that pair alone.
   */
  apply(event: FeedEvent, out: Printer): Gap | undefined {
    if (event.kind === 'ticker') {
      const fields = this.withBookPrices(event.pair, event.fields);
      out.ticker(event.pair, fields);
      this.tap?.ticker(event.pair, fields, event.time);
      return undefined;
    }
    if (event.kind === 'trade') {
      out.trade(event.pair, event.trade);
      this.tap?.trade(event.pair, event.trade);
      return undefined;
    }
    if (event.kind !== 'book') return undefined;
    const entry = this.entry(event.pair);
    const snapshotAt = snapshotIndex(event.items);
    if (snapshotAt >= 0) {
      if (this.skipOlderSnapshots && entry.state === 'live' && (event.seq < entry.last || (event.checkpoint === true && event.seq === entry.last))) {
        this.counts.duplicates++;
        return undefined;
      }
      // A snapshot is a new baseline whatever came before; items after it build on it, and --top
      // reports its best levels afresh (as it would after a reconnect: a consumer cannot tell).
      if (entry.gapped) this.counts.resyncs++;
      entry.gapped = false;
      entry.state = 'live';
      entry.last = event.seq;
      entry.top = undefined;
      this.applyItems(event.pair, entry.book, event.items, snapshotAt, out);
      this.tap?.book(event, snapshotAt);
      const overflow = this.overflow(event, entry);
      if (overflow !== undefined) return overflow;
      if (this.top) this.reportTop(event.pair, entry, out);
      return undefined;
    }
    if (entry.state !== 'live') {
      this.counts.unsynced++;
      return undefined;
    }
    if (event.seq <= entry.last) {
      this.counts.duplicates++;
      return undefined;
    }
    const follows = event.prevSeq === undefined ? event.seq === entry.last + 1 : event.prevSeq === entry.last;
    if (!follows) {
      const gap: Gap = { pair: event.pair, last: entry.last, seq: event.seq, prevSeq: event.prevSeq };
      this.markResyncing(entry);
      entry.gapped = true;
      this.counts.gaps++;
      return gap;
    }
    entry.last = event.seq;
    this.applyItems(event.pair, entry.book, event.items, 0, out);
    this.tap?.book(event, 0);
    const overflow = this.overflow(event, entry);
    if (overflow !== undefined) return overflow;
    if (this.top) this.reportTop(event.pair, entry, out);
    return undefined;
  }

  /**
   * Counts the pair's levels after a message; past a limit, drops its book (as after a gap) and
   * returns why. One message adds at most what one frame holds (the websocket's payload limit).
   */
  private overflow(event: BookEvent, entry: PairBook): Gap | undefined {
    const asks = entry.book.asks.size;
    const bids = entry.book.bids.size;
    this.levels += asks + bids - entry.levels;
    entry.levels = asks + bids;
    let overflow: Overflow | undefined;
    if (Math.max(asks, bids) > this.maxSideLevels) overflow = { scope: 'side', levels: Math.max(asks, bids), limit: this.maxSideLevels };
    else if (this.levels > this.maxBookLevels) overflow = { scope: 'books', levels: this.levels, limit: this.maxBookLevels };
    if (overflow === undefined) return undefined;
    this.markResyncing(entry);
    entry.gapped = true;
    this.counts.gaps++;
    this.counts.overflows++;
    return { pair: event.pair, last: entry.last, seq: event.seq, prevSeq: event.prevSeq, overflow };
  }

  /** Forgets every book, as after a reconnect: each pair prints again from its next snapshot. */
  resetAll(): void {
    for (const entry of this.pairs.values()) this.markResyncing(entry);
  }

  /** Drops a pair's book for good (a delisted market): it prints again only from a new snapshot. */
  forget(pair: string): void {
    const entry = this.pairs.get(pair);
    if (entry !== undefined) this.levels -= entry.levels;
    this.pairs.delete(pair);
  }

  /** The pair's book while it is trusted; undefined before its snapshot and during a resync. */
  book(pair: string): OrderBook | undefined {
    const entry = this.pairs.get(pair);
    return entry?.state === 'live' ? entry.book : undefined;
  }

  /** Every trusted book with the sequence number it is at (--publish's checkpoints). */
  *liveBooks(): Generator<{ readonly pair: string; readonly seq: number; readonly book: OrderBook }> {
    for (const [pair, entry] of this.pairs) if (entry.state === 'live') yield { pair, seq: entry.last, book: entry.book };
  }

  /** How many pairs have a trusted book right now. */
  liveCount(): number {
    let live = 0;
    for (const entry of this.pairs.values()) if (entry.state === 'live') live++;
    return live;
  }

  /** Whether the pair is waiting for a fresh snapshot after a gap. */
  isResyncing(pair: string): boolean {
    return this.pairs.get(pair)?.state === 'resyncing';
  }

  private entry(pair: string): PairBook {
    let entry = this.pairs.get(pair);
    if (entry === undefined) {
      entry = { state: 'awaiting', gapped: false, last: 0, book: new OrderBook(), top: undefined, levels: 0 };
      this.pairs.set(pair, entry);
    }
    return entry;
  }

  private markResyncing(entry: PairBook): void {
    entry.state = 'resyncing';
    entry.top = undefined;
    // The old book is untrusted and the snapshot replaces it: free its memory now.
    entry.book.clear();
    this.levels -= entry.levels;
    entry.levels = 0;
  }

  private applyItems(pair: string, book: OrderBook, items: readonly BookItem[], from: number, out: Printer): void {
    for (let i = from; i < items.length; i++) {
      const item = items[i] as BookItem;
      switch (item.kind) {
        case 'snapshot':
          book.reset(item.asks, item.bids);
          out.book(pair, book.top('ask', this.depth), book.top('bid', this.depth));
          break;
        case 'level':
          if (book.set(item.side, item.price, item.size, item)) out.remove(pair, item.side, item.price);
          else out.change(pair, item.side, item.price, item.size);
          break;
        case 'trade':
          out.trade(pair, item);
          break;
      }
    }
  }

  /**
   * Appends a top event when the pair's best bid or ask differs in value (price or size) from the
   * last one reported: a size re-sent as "4.50" for "4.5" is no change.
   */
  private reportTop(pair: string, entry: PairBook, out: Printer): void {
    const bid = entry.book.best('bid');
    const ask = entry.book.best('ask');
    if (entry.top !== undefined && sameLevel(bid, entry.top.bid) && sameLevel(ask, entry.top.ask)) return;
    entry.top = { bid, ask };
    const spread = bid !== undefined && ask !== undefined ? subtractDecimal(ask.price, bid.price) : undefined;
    out.top(pair, bid, ask, spread);
  }

  /** Fills ticker columns the protocol lacks (v3 has no bid/ask) from the maintained book. */
  private withBookPrices(pair: string, fields: TickerFields): TickerFields {
    if (fields.lowestAsk !== undefined && fields.highestBid !== undefined) return fields;
    const book = this.book(pair);
    return {
      ...fields,
      lowestAsk: fields.lowestAsk ?? book?.bestPrice('ask') ?? '',
      highestBid: fields.highestBid ?? book?.bestPrice('bid') ?? '',
    };
  }
}

function sameLevel(a: Level | undefined, b: Level | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return compareDecimal(a.price, b.price) === 0 && compareDecimal(a.size, b.size) === 0;
}

/** Where a message's snapshot item is, or -1 (a plain loop: this runs for every book message). */
function snapshotIndex(items: readonly BookItem[]): number {
  for (let i = 0; i < items.length; i++) if ((items[i] as BookItem).kind === 'snapshot') return i;
  return -1;
}
