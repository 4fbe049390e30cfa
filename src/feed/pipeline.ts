import type { FeedEvent, MarketMap, ProtocolAdapter } from '../protocol/types.js';
import { loadFrameSchemas } from '../protocol/frame-schemas.js';
import { excerpt } from '../printable.js';
import { EventPrinter, type EventPrinterDeps } from './event-printer.js';
import { HeldFrames, type Input } from './held-frames.js';
import type { ListingChange } from './listing.js';
import { MarketList } from './market-list.js';
import { UnknownPairs } from './unknown-pairs.js';

export type { Confirmations } from './event-printer.js';

/** What the pipeline feeds: the EventPrinter's parts (it keeps the market list itself), and the adapter. */
export interface PipelineDeps extends Omit<EventPrinterDeps, 'markets'> {
  readonly adapter: ProtocolAdapter;
  /** Fetches the market map again (a new listing); resolves false when that failed. */
  readonly refreshMarkets: () => Promise<boolean>;
  /**
   * Frames held while a refresh runs passed MAX_HELD_BYTES (true): stop reading input until they
   * are handled (false). Optional: a replay reads one frame at a time anyway.
   */
  readonly onHolding?: (full: boolean) => void;
}

/** Frame text held while a refresh runs before input is paused: a flood cannot grow memory. */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

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
 * Frames in, lines out, strictly in arrival order: decode, then print (EventPrinter). A frame for a
 * pair id the market map lacks holds the queue while the map is fetched again (UnknownPairs says
 * when), and every input after it waits its turn.
 */
export class Pipeline {
  readonly counts: PipelineCounts = { frames: 0, badFrames: 0, unknownPairFrames: 0 };
  private readonly markets: MarketList;
  private readonly events: EventPrinter;
  private readonly unknownPairs = new UnknownPairs();
  /** Inputs received while a refresh runs, in order. */
  private readonly queue = new HeldFrames();
  private inputPaused = false;
  /** The refresh and the held inputs being handled, while there are any. */
  private busy: Promise<void> | undefined;

  constructor(private readonly deps: PipelineDeps) {
    this.markets = new MarketList(deps.diagnostics);
    this.events = new EventPrinter({ ...deps, markets: this.markets });
  }

  /**
   * Takes a market list (at start-up and after every refresh, live or replayed): `wanted` (--pairs,
   * or undefined for every pair; read on the first call) decides what is printed from then on.
   * A delisted pair's book is forgotten and its late frames are dropped. Returns what changed.
   */
  updateMarkets(markets: MarketMap, wanted: readonly string[] | undefined): ListingChange {
    const { change, known } = this.markets.update(markets, wanted);
    this.deps.adapter.setMarkets(known);
    for (const pair of change.removed) this.deps.processor.forget(pair);
    return change;
  }

  /** The pairs to subscribe now, as the latest market list and --pairs decide them. */
  get pairs(): string[] {
    return this.markets.pairs;
  }

  /**
   * Takes one raw text frame received at `at` (epoch ms), and says what it was. `bytes`: its UTF-8
   * as received, if at hand (the decoder may read them instead of encoding the text again).
   */
  receive(text: string, at: number, bytes?: Uint8Array): FrameKind {
    this.counts.frames++;
    if (this.busy !== undefined) {
      this.hold({ text, at });
      return 'held';
    }
    const outcome = this.handle(text, at, bytes);
    if (typeof outcome === 'string') return outcome;
    this.busy = this.drain({ text, at }, outcome);
    return 'held';
  }

  /** Takes events decoded elsewhere (`subscribe`: from NATS), received at `at`, as a frame's. */
  receiveEvents(events: readonly FeedEvent[], at: number): void {
    this.counts.frames++;
    this.events.print(events, at);
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

  /** A server error on stderr, once per text however often the server repeats it. */
  reportServerError(message: string): void {
    this.events.reportServerError(message);
  }

  /** Bytes of frame text held for a market refresh right now. */
  get heldBytes(): number {
    return this.queue.bytes;
  }

  /** Resolves when every frame received so far has been printed. */
  async idle(): Promise<void> {
    while (this.busy !== undefined) await this.busy;
  }

  /**
   * Handles one frame: what it was, or what to wait for when it must be tried again after it (a
   * market refresh, the frame schemas' loading).
   */
  private handle(text: string, at: number, bytes?: Uint8Array): FrameKind | Promise<boolean> {
    const result = this.deps.adapter.decode(text, bytes);
    if (result.ok) return this.events.print(result.events, at) ? 'data' : 'control';
    // A frame only the schemas can judge, before they are loaded: held like a market refresh, then decoded again.
    if (result.reason === 'needs-schemas') return loadFrameSchemas().then(() => true);
    if (result.reason === 'bad-frame') {
      this.counts.badFrames++;
      this.deps.diagnostics.warn('bad-frame', `bad frame #${this.counts.badFrames} skipped (${result.detail}): ${excerpt(text, 80)}`);
      return 'skipped';
    }
    if (this.unknownPairs.refreshFor(result.pairId, at)) return this.deps.refreshMarkets();
    this.counts.unknownPairFrames++;
    this.deps.diagnostics.warn(
      'unknown-pair',
      `frame for unknown pair ${/^\d+$/.test(result.pairId) ? 'id ' : ''}${result.pairId} skipped (#${this.counts.unknownPairFrames}; not in the market map): ${excerpt(text, 80)}`,
    );
    return 'skipped';
  }

  private hold(input: Input): void {
    this.queue.push(input);
    if (!this.inputPaused && this.queue.bytes > MAX_HELD_BYTES) {
      this.inputPaused = true;
      this.deps.onHolding?.(true);
    }
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
}
