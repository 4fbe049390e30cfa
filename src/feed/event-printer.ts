import type { BookProcessor, Overflow } from '../book/processor.js';
import type { Diagnostics } from '../output/diagnostics.js';
import type { LinePrinter } from '../output/lines.js';
import type { LineSink } from '../output/sink.js';
import type { Channel, FeedEvent } from '../protocol/types.js';
import { quoted } from '../printable.js';
import type { MarketList } from './market-list.js';

/** Where acks, server errors and first data of a channel go, to confirm subscriptions. */
export interface Confirmations {
  /** True while some subscription waits for its ack or data: only then are data events reported. */
  awaiting(): boolean;
  confirm(channel: Channel, pairs: readonly string[]): void;
  /** True when the error is held to be reported with the subscription it may answer. */
  serverError(message: string): boolean;
}

export interface EventPrinterDeps {
  readonly processor: BookProcessor;
  readonly sink: LineSink;
  readonly diagnostics: Diagnostics;
  /** Prints into sink.buffer; it leaves out the channels not asked for (legacy trades arrive with the book, which is kept regardless). */
  readonly printer: LinePrinter;
  /** Which pairs are printed. */
  readonly markets: MarketList;
  /** Unsubscribes and subscribes one pair again, for a fresh snapshot after a gap. */
  readonly resync: (pair: string) => void;
  /** Told of what confirms a subscription, while any is unconfirmed (live streams only). */
  readonly confirmations?: Confirmations | undefined;
  /** Told each frame's receive time before the processor applies its events (--publish). */
  readonly publisher?: { begin(at: number): void } | undefined;
  /** What a gap makes happen, for its warning (default: resubscribing the pair). */
  readonly gapAction?: ((pair: string) => string) | undefined;
}

/** Distinct server error texts remembered (each is reported once); a hostile server cannot grow this. */
const MAX_SERVER_ERRORS = 1000;

/**
 * A decoded frame's events, in order: market data goes through the sequence-checking books to the
 * printer (a gap resyncs its pair), acks and server errors confirm or explain subscriptions, and
 * the frame's lines are committed to the sink together.
 */
export class EventPrinter {
  private readonly serverErrors = new Set<string>();

  constructor(private readonly deps: EventPrinterDeps) {}

  /** Prints the events of a frame received at `at`; true when they held market data. */
  print(events: readonly FeedEvent[], at: number): boolean {
    const { processor, printer, sink, markets, confirmations } = this.deps;
    printer.begin(at);
    this.deps.publisher?.begin(at);
    let market = false;
    for (const event of events) {
      if (event.kind === 'ticker' || event.kind === 'book' || event.kind === 'trade') {
        market = true;
        if (!markets.has(event.pair)) continue;
        if (confirmations?.awaiting() === true && event.kind !== 'book') confirmations.confirm(event.kind === 'ticker' ? 'ticker' : 'trades', [event.pair]);
      } else {
        this.control(event);
        continue;
      }
      const gap = processor.apply(event, printer);
      if (gap !== undefined) {
        const action = this.deps.gapAction?.(gap.pair) ?? `resubscribing ${gap.pair}`;
        if (gap.overflow !== undefined) this.deps.diagnostics.warn('book-size', `${overflowText(gap.pair, gap.overflow)}: ${action}`);
        else {
          const expected = gap.prevSeq === undefined ? `seq ${gap.last + 1}, got ${gap.seq}` : `lastId ${gap.last}, got ${gap.prevSeq}`;
          this.deps.diagnostics.warn('gap', `sequence gap in ${gap.pair} (expected ${expected}): ${action}`);
        }
        this.deps.resync(gap.pair);
      }
    }
    sink.commit();
    return market;
  }

  /** A server error on stderr, once per text however often the server repeats it. */
  reportServerError(message: string): void {
    if (this.serverErrors.has(message)) return;
    this.deps.diagnostics.warn('server-error', `server error: ${quoted(message, 200)}`);
    if (this.serverErrors.size < MAX_SERVER_ERRORS) this.serverErrors.add(message);
  }

  /** Acks and server errors: they confirm or explain subscriptions, and print nothing. */
  private control(event: FeedEvent): void {
    if (event.kind === 'ack') {
      if (event.subscribed && event.channel !== undefined) this.deps.confirmations?.confirm(event.channel, event.pairs);
    } else if (event.kind === 'server-error') {
      if (this.deps.confirmations?.serverError(event.message) !== true) this.reportServerError(event.message);
    }
  }
}

/** Why a pair's book was dropped for its size, for its warning. */
function overflowText(pair: string, overflow: Overflow): string {
  const held = overflow.scope === 'side' ? `${pair}'s book holds ${overflow.levels} levels on one side` : `the books hold ${overflow.levels} levels in all`;
  return `${held}, more than polo-ws keeps (${overflow.limit}; a broken or hostile feed): ${pair}'s book dropped`;
}
