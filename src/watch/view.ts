import type { BookProcessor } from '../book/processor.js';
import type { FeedStatus, FeedView } from '../feed/feed-view.js';
import type { LinePrinter } from '../output/lines.js';
import type { Level, Side, TickerFields, TradeItem } from '../protocol/types.js';
import { renderScreen, type BookState, type TapeTrade } from './render.js';

/** Where the view reads the book and the feed's state from (the session or the replay that runs it). */
export interface ViewSource {
  readonly processor: BookProcessor;
  status(): FeedStatus;
}

/** A live feed silent this long is shown as stale (a quiet pair still has pongs and tickers). */
const STALE_AFTER_MS = 5_000;

/** At most this many redraws a second, however fast the feed. */
const FRAME_MS = 100;
/** A level whose size changed stays highlighted this long. */
const HIGHLIGHT_MS = 800;
const TAPE_LENGTH = 200;

export interface WatchViewOptions {
  readonly pair: string;
  readonly api: string;
  readonly levels: number | undefined;
  readonly color: boolean;
  readonly now: () => number;
  readonly size: () => { cols: number; rows: number };
  readonly draw: (text: string) => void;
}

/**
 * The live ladder: told of what the processor applied (as a printer, in place of the line printer),
 * reads the pair's book from the processor when it draws, at most every FRAME_MS.
 */
export class WatchView implements FeedView, LinePrinter {
  private source: ViewSource | undefined;
  private readonly trades: TapeTrade[] = [];
  private readonly changed = new Map<string, number>();
  private dirty = true;
  private timer: NodeJS.Timeout | undefined;
  private lastFrames = 0;
  private lastFramesAt = 0;
  private rate = 0;
  private at = 0;
  /** The pair as the exchange spells it (--pairs matches case-insensitively), once its first event came. */
  private pair: string;
  private readonly lowered: string;

  constructor(private readonly options: WatchViewOptions) {
    this.pair = options.pair;
    this.lowered = options.pair.toLowerCase();
  }

  /** Whether an event is for the watched pair; adopts the exchange's spelling of its name. */
  private mine(pair: string): boolean {
    if (pair === this.pair) return true;
    if (pair.toLowerCase() !== this.lowered) return false;
    this.pair = pair;
    return true;
  }

  get printer(): LinePrinter {
    return this;
  }

  attach(source: ViewSource): void {
    this.source = source;
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), FRAME_MS);
    this.redraw();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Draws now (a resize), not at the next tick. */
  redraw(): void {
    this.dirty = false;
    this.options.draw(this.render());
  }

  // The printer side: what changed since the last frame.
  begin(at: number): void {
    this.at = at;
  }

  book(pair: string): void {
    if (this.mine(pair)) this.dirty = true;
  }

  change(pair: string, side: Side, price: string): void {
    if (!this.mine(pair)) return;
    this.changed.set(`${side}:${price}`, this.options.now());
    this.dirty = true;
  }

  remove(pair: string): void {
    if (this.mine(pair)) this.dirty = true;
  }

  trade(pair: string, trade: TradeItem): void {
    if (!this.mine(pair)) return;
    this.trades.unshift({ time: clock(this.at), side: trade.side === 'bid' ? 'buy' : 'sell', price: trade.price, size: trade.size });
    if (this.trades.length > TAPE_LENGTH) this.trades.length = TAPE_LENGTH;
    this.dirty = true;
  }

  ticker(_pair: string, _fields: TickerFields): void {}

  top(_pair: string, _bid: Level | undefined, _ask: Level | undefined): void {}

  private tick(): void {
    const now = this.options.now();
    for (const [key, at] of this.changed) if (now - at > HIGHLIGHT_MS) {
      this.changed.delete(key);
      this.dirty = true;
    }
    const frames = this.source?.status().frames ?? 0;
    if (now - this.lastFramesAt >= 1000) {
      const rate = this.lastFramesAt === 0 ? 0 : ((frames - this.lastFrames) * 1000) / (now - this.lastFramesAt);
      if (Math.round(rate) !== Math.round(this.rate)) this.dirty = true;
      this.rate = rate;
      this.lastFrames = frames;
      this.lastFramesAt = now;
    }
    if (this.dirty) this.redraw();
  }

  private render(): string {
    const { cols, rows } = this.options.size();
    const processor = this.source?.processor;
    const status = this.source?.status();
    const book = processor?.book(this.pair);
    const silent = status?.lastFrameAt !== undefined && status.connection === 'connected' && this.options.now() - status.lastFrameAt > STALE_AFTER_MS;
    const state: BookState = processor?.isResyncing(this.pair) === true ? 'resyncing' : book === undefined ? 'waiting' : silent ? 'stale' : 'live';
    const depth = Math.max(1, rows);
    return renderScreen({
      pair: this.pair,
      api: this.options.api,
      asks: book?.top('ask', depth),
      bids: book?.top('bid', depth),
      state,
      trades: this.trades,
      changed: new Set(this.changed.keys()),
      connection: status?.connection ?? 'starting',
      gaps: processor?.counts.gaps ?? 0,
      reconnects: status?.reconnects ?? 0,
      framesPerSecond: this.rate,
      levels: this.options.levels,
      cols,
      rows,
      color: this.options.color,
    });
  }
}

/** HH:MM:SS, local time. */
function clock(at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
