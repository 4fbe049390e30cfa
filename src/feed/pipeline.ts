import type { BookProcessor } from '../book/processor.js';
import type { Diagnostics } from '../output/diagnostics.js';
import type { LineSink } from '../output/sink.js';
import type { LinePrinter } from '../output/lines.js';
import type { FeedEvent, ProtocolAdapter } from '../protocol/types.js';
import type { Channel, MarketMap } from '../protocol/types.js';
import { HeldFrames, type Input } from './held-frames.js';
import { Listing, type ListingChange } from './listing.js';
import { excerpt, quoted } from '../printable.js';

export interface PipelineDeps {
  readonly adapter: ProtocolAdapter;
  readonly processor: BookProcessor;
  readonly sink: LineSink;
  readonly diagnostics: Diagnostics;
  /** Prints into sink.buffer; it leaves out the channels not asked for (legacy trades arrive with the book, which is kept regardless). */
  readonly printer: LinePrinter;
  /** Stop after this many lines (--max-lines); Infinity for no limit. */
  readonly maxLines: number;
  /** Called once when maxLines lines have been written. */
  readonly onMaxLines: () => void;
  /** Fetches the market map again (a new listing); resolves false when that failed. */
  readonly refreshMarkets: () => Promise<boolean>;
  /**
   * Frames held while a refresh runs passed MAX_HELD_BYTES (true): stop reading input until they
   * are handled (false). Optional: a replay reads one frame at a time anyway.
   */
  readonly onHolding?: (full: boolean) => void;
  /** Unsubscribes and subscribes one pair again, for a fresh snapshot after a gap. */
  readonly resync: (pair: string) => void;
  /** Told of what confirms a subscription, while any is unconfirmed (live streams only). */
  readonly confirmations?: Confirmations;
  /** Told each frame's receive time before the processor applies its events (--publish). */
  readonly publisher?: { begin(at: number): void } | undefined;
  /** What a gap makes happen, for its warning (default: resubscribing the pair). */
  readonly gapAction?: ((pair: string) => string) | undefined;
}

/** Where acks, server errors and first data of a channel go, to confirm subscriptions. */
export interface Confirmations {
  /** True while some subscription waits for its ack or data: only then are data events reported. */
  awaiting(): boolean;
  confirm(channel: Channel, pairs: readonly string[]): void;
  /** True when the error is held to be reported with the subscription it may answer. */
  serverError(message: string): boolean;
}

/** Frame text held while a refresh runs before input is paused: a flood cannot grow memory. */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;
/**
 * An unknown pair fetches the market list at most this often, by frame time (so a replay makes
 * the same decisions): a flood of made-up symbols cannot keep the feed waiting on REST.
 */
export const UNKNOWN_REFRESH_EVERY_MS = 10_000;
/** Unknown pair ids remembered as refreshed for; past this the memory starts again (time still limits). */
const MAX_REFRESHED_IDS = 10_000;

/** Distinct server error texts remembered (each is reported once); a hostile server cannot grow this. */
const MAX_SERVER_ERRORS = 1000;

/**
 * What a frame was, as receive() tells it: market data (a book, trade or ticker: the proof a
 * connection is healthy), control (acks, pongs, errors), skipped (bad, or for an unknown pair),
 * or held (it waits, with those after it, for a market refresh).
 */
export type FrameKind = 'data' | 'control' | 'skipped' | 'held';

/** Running counts for the summary and --stats. */
export interface PipelineCounts {
  frames: number;
  badFrames: number;
  unknownPairFrames: number;
}

/**
 * Frames in, lines out, strictly in arrival order: decode, check the sequence, print. A frame for a
 * pair id the market map lacks holds the queue while the map is fetched again (once per id).
 */
export class Pipeline {
  readonly counts: PipelineCounts = { frames: 0, badFrames: 0, unknownPairFrames: 0 };
  /** Inputs received while a refresh runs, in order. */
  private readonly queue = new HeldFrames();
  private inputPaused = false;
  private lastUnknownRefreshAt = Number.NEGATIVE_INFINITY;
  private readonly refreshedFor = new Set<string>();
  private readonly serverErrors = new Set<string>();
  private readonly ignoredNames = new Set<string>();
  private busy: Promise<void> | undefined;
  private listing: Listing | undefined;
  private linesLeft: number;

  constructor(private readonly deps: PipelineDeps) {
    this.linesLeft = deps.maxLines;
  }

  /**
   * Takes a market list (at start-up and after every refresh, live or replayed): `wanted` (--pairs,
   * or undefined for every pair; read on the first call) decides what is printed from then on.
   * A delisted pair's book is forgotten and its late frames are dropped. Returns what changed.
   */
  updateMarkets(markets: MarketMap, wanted: readonly string[] | undefined): ListingChange {
    this.listing ??= new Listing(wanted);
    this.reportIgnored(markets.ignored ?? []);
    const { change, known } = this.listing.update(markets);
    this.deps.adapter.setMarkets(known);
    for (const pair of change.removed) this.deps.processor.forget(pair);
    return change;
  }

  /** Names a market list gave that cannot be printed safely: reported once each, never streamed. */
  private reportIgnored(names: readonly string[]): void {
    const fresh = names.filter((name) => !this.ignoredNames.has(name));
    if (fresh.length === 0) return;
    for (const name of fresh) if (this.ignoredNames.size < MAX_SERVER_ERRORS) this.ignoredNames.add(name);
    const shown = fresh.slice(0, 3).map((name) => JSON.stringify(name.slice(0, 40))).join(', ');
    this.deps.diagnostics.warn(
      'markets',
      `the market list names ${fresh.length} pair${fresh.length === 1 ? '' : 's'} that ${fresh.length === 1 ? 'is' : 'are'} not a plain name ` +
        `(letters, digits, _ . -), left out: ${shown}${fresh.length > 3 ? ', ...' : ''}`,
    );
  }

  /** The pairs to subscribe now, as the latest market list and --pairs decide them. */
  get pairs(): string[] {
    return this.listing?.pairs ?? [];
  }

  /** Takes one raw text frame received at `at` (epoch ms), and says what it was. */
  receive(text: string, at: number): FrameKind {
    this.counts.frames++;
    if (this.busy !== undefined) {
      this.hold({ text, at });
      return 'held';
    }
    const outcome = this.handle(text, at);
    if (typeof outcome === 'string') return outcome;
    this.busy = this.drain({ text, at }, outcome);
    return 'held';
  }

  /**
   * The connection the frames came on ended (live: it closed; replayed: its record): every book is
   * untrusted until its next snapshot. An input like a frame, so it takes effect after the frames
   * before it, whichever of them wait for a refresh.
   */
  disconnect(at: number): void {
    if (this.busy !== undefined) this.hold({ disconnect: true, at });
    else this.deps.processor.resetAll();
  }

  /** Bytes of frame text held for a market refresh right now. */
  get heldBytes(): number {
    return this.queue.bytes;
  }

  private hold(input: Input): void {
    this.queue.push(input);
    if (!this.inputPaused && this.queue.bytes > MAX_HELD_BYTES) {
      this.inputPaused = true;
      this.deps.onHolding?.(true);
    }
  }

  /** Resolves when every frame received so far has been printed. */
  async idle(): Promise<void> {
    while (this.busy !== undefined) await this.busy;
  }

  /** Handles one frame: what it was, or a market refresh to wait for when it must be tried again after it. */
  private handle(text: string, at: number): FrameKind | Promise<boolean> {
    const result = this.deps.adapter.decode(text);
    if (result.ok) return this.print(result.events, at) ? 'data' : 'control';
    if (result.reason === 'bad-frame') {
      this.counts.badFrames++;
      this.deps.diagnostics.warn('bad-frame', `bad frame #${this.counts.badFrames} skipped (${result.detail}): ${excerpt(text, 80)}`);
      return 'skipped';
    }
    if (!this.refreshedFor.has(result.pairId) && at - this.lastUnknownRefreshAt >= UNKNOWN_REFRESH_EVERY_MS) {
      // Maybe a pair listed after start-up: fetch the map again (once per id, not too often) before deciding.
      if (this.refreshedFor.size >= MAX_REFRESHED_IDS) this.refreshedFor.clear();
      this.refreshedFor.add(result.pairId);
      this.lastUnknownRefreshAt = at;
      return this.deps.refreshMarkets();
    }
    this.counts.unknownPairFrames++;
    this.deps.diagnostics.warn(
      'unknown-pair',
      `frame for unknown pair ${/^\d+$/.test(result.pairId) ? 'id ' : ''}${result.pairId} skipped (#${this.counts.unknownPairFrames}; not in the market map): ${excerpt(text, 80)}`,
    );
    return 'skipped';
  }

  /** Holds later inputs in order while a refresh runs, then handles them. */
  private async drain(first: Input, refresh: Promise<boolean>): Promise<void> {
    let next: Input | undefined = first;
    let wait: Promise<boolean> | undefined = refresh;
    while (next !== undefined) {
      if (wait !== undefined) await wait;
      const outcome = 'text' in next ? this.handle(next.text, next.at) : this.deps.processor.resetAll();
      wait = typeof outcome === 'object' ? outcome : undefined;
      if (wait === undefined) next = this.queue.next();
    }
    this.busy = undefined;
    if (this.inputPaused) {
      this.inputPaused = false;
      this.deps.onHolding?.(false);
    }
  }

  /** Takes events decoded elsewhere (`subscribe`: from NATS), received at `at`, as a frame's. */
  receiveEvents(events: readonly FeedEvent[], at: number): void {
    this.counts.frames++;
    this.print(events, at);
  }

  /** Prints a decoded frame's events; true when they held market data. */
  private print(events: readonly FeedEvent[], at: number): boolean {
    const { processor, printer, sink, confirmations } = this.deps;
    const buffer = sink.buffer;
    buffer.limit = this.linesLeft;
    printer.begin(at);
    this.deps.publisher?.begin(at);
    let market = false;
    for (const event of events) {
      if (event.kind === 'ticker' || event.kind === 'book' || event.kind === 'trade') {
        market = true;
        if (this.listing !== undefined && !this.listing.has(event.pair)) continue;
        if (confirmations?.awaiting() === true && event.kind !== 'book') confirmations.confirm(event.kind === 'ticker' ? 'ticker' : 'trades', [event.pair]);
      } else {
        this.control(event);
        continue;
      }
      const gap = processor.apply(event, printer);
      if (gap !== undefined) {
        const expected = gap.prevSeq === undefined ? `seq ${gap.last + 1}, got ${gap.seq}` : `lastId ${gap.last}, got ${gap.prevSeq}`;
        const action = this.deps.gapAction?.(gap.pair) ?? `resubscribing ${gap.pair}`;
        this.deps.diagnostics.warn('gap', `sequence gap in ${gap.pair} (expected ${expected}): ${action}`);
        this.deps.resync(gap.pair);
      }
    }
    const printed = buffer.count;
    if (printed === 0) return market;
    this.linesLeft -= printed;
    sink.commit();
    if (this.linesLeft <= 0) this.deps.onMaxLines();
    return market;
  }

  /** Acks and server errors: they confirm or explain subscriptions, and print nothing. */
  private control(event: FeedEvent): void {
    if (event.kind === 'ack') {
      if (event.subscribed && event.channel !== undefined) this.deps.confirmations?.confirm(event.channel, event.pairs);
    } else if (event.kind === 'server-error') {
      if (this.deps.confirmations?.serverError(event.message) !== true) this.reportServerError(event.message);
    }
  }

  /** A server error on stderr, once per text however often the server repeats it. */
  reportServerError(message: string): void {
    if (this.serverErrors.has(message)) return;
    this.deps.diagnostics.warn('server-error', `server error: ${quoted(message, 200)}`);
    if (this.serverErrors.size < MAX_SERVER_ERRORS) this.serverErrors.add(message);
  }
}
